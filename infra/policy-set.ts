import * as pulumi from "@pulumi/pulumi";
import type * as vault from "@pulumi/vault";
import { appPolicy } from "./app-resources";

export interface PolicySetArgs {
  /** Policy name -> rendered HCL (see policies.ts). */
  readonly documents: Readonly<Record<string, string>>;
}

/** One vault.Policy per rendered document; the name is the stable identity. */
export class PolicySet extends pulumi.ComponentResource {
  public readonly policies: Readonly<Record<string, vault.Policy>>;

  constructor(name: string, args: PolicySetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:PolicySet", name, {}, opts);
    const policies: Record<string, vault.Policy> = {};
    for (const [policyName, hcl] of Object.entries(args.documents).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      policies[policyName] = appPolicy(`${name}-${policyName}`, policyName, hcl, this);
    }
    this.policies = policies;
    this.registerOutputs({ names: Object.keys(policies) });
  }
}
