/**
 * The vault-platform CrossGuard policy pack. Run it with a preview or up:
 *   pulumi preview --policy-pack guardrails --policy-pack-config guardrails/config.advisory.json
 * Checks live in rules.ts, their wiring in policies.ts; this file only starts the pack.
 */
import { PolicyPack } from "@pulumi/policy";
import { VAULT_PLATFORM_POLICIES } from "./policies";

// Mandatory by default, so that forgetting the config file blocks rather than waves through;
// dev and ephemeral stacks pass config.advisory.json (enforcement.ts) to only warn.
new PolicyPack("vault-platform", {
  description: "Security baseline of a vault-platform environment (Vault/OpenBao, AppRole, ACLs).",
  enforcementLevel: "mandatory",
  policies: VAULT_PLATFORM_POLICIES,
});
