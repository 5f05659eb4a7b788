import * as fs from "fs";
import * as path from "path";
import { PolicyPack } from "@pulumi/policy";
import { renderPolicyHcl } from "../../infra/acl-policy";
import { POLICY_PACK_DIR, policyConfigFor } from "../../guardrails/enforcement";
import { VAULT_PLATFORM_POLICIES } from "../../guardrails/policies";
import { DEFAULT_PKI_ROLE_LIMITS } from "../../guardrails/pki-rules";
import { DEFAULT_ACL_LIMITS, DEFAULT_APPROLE_LIMITS } from "../../guardrails/rules";
import { buildProfile } from "./contract";
import { recorded } from "./harness";
import { PackConfig, fromRecorded, packViolations } from "./guardrails-harness";
import {
  ALLOWED_SYS,
  ONLY_ADMIN,
  aclPolicy,
  approleRole,
  auditDevice,
} from "./guardrails-fixtures";

// Loading guardrails/index.ts must not start the pack's gRPC server (it exits the process when no
// engine is there); the mock records what the pack would serve instead.
jest.mock("@pulumi/policy", () => ({ PolicyPack: jest.fn() }));

const POLICY_NAMES = [
  "vault-server-not-dev-mode",
  "vault-server-listener-tls",
  "vault-server-image-pinned",
  "audit-devices-minimum",
  "approle-role-hardened",
  "acl-policy-least-privilege",
  "team-not-every-app",
  "transit-key-hardened",
  "jwt-role-bound",
  "kubernetes-role-bound",
  "pki-role-bound",
  "postgres-connection-tls",
  "approle-secret-id-uses-limited",
  "unseal-key-split",
  "data-resources-protected",
];

describe("the policy pack (guardrails/index.ts)", () => {
  it("serves every policy as vault-platform, mandatory unless config lowers it", async () => {
    await import("../../guardrails");
    const pack = jest.mocked(PolicyPack);
    expect(pack).toHaveBeenCalledTimes(1);
    const [name, args] = pack.mock.calls[0];
    expect(name).toBe("vault-platform");
    expect(args.enforcementLevel).toBe("mandatory");
    expect(args.policies).toBe(VAULT_PLATFORM_POLICIES);
    expect(args.policies.map((policy) => policy.name)).toEqual(POLICY_NAMES);
    expect(args.policies.every((policy) => policy.enforcementLevel === undefined)).toBe(true);
  });

  it("declares config defaults equal to the ones the checks fall back on", () => {
    const schemaDefaults = Object.fromEntries(
      VAULT_PLATFORM_POLICIES.filter((policy) => policy.configSchema).map((policy) => [
        policy.name,
        Object.fromEntries(
          Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => [
            key,
            typeof schema === "object" ? schema.default : undefined,
          ]),
        ),
      ]),
    );
    expect(schemaDefaults).toEqual({
      "approle-role-hardened": DEFAULT_APPROLE_LIMITS,
      "acl-policy-least-privilege": DEFAULT_ACL_LIMITS,
      "pki-role-bound": DEFAULT_PKI_ROLE_LIMITS,
    });
  });

  it.each<[string, PackConfig, string[]]>([
    [
      "defaults",
      {},
      [
        'approle-role-hardened: AppRole role "platform-approle-orders": tokenMaxTtl is 14400; expected 1 to 3600 seconds (0 or unset: the mount\'s default)',
        `acl-policy-least-privilege: ACL policy "ops-admin" (resource "platform-policies-ops-admin") grants "read", "sudo" on "sys/*", which reaches sys/; expected no sys/ path but ${ALLOWED_SYS} ${ONLY_ADMIN}`,
        `acl-policy-least-privilege: ACL policy "ops-admin" (resource "platform-policies-ops-admin") grants "sudo" on "sys/*"; expected no sudo ${ONLY_ADMIN}`,
      ].sort(),
    ],
    [
      "a config file's values",
      {
        "approle-role-hardened": { maxTokenTtlSeconds: 14400 },
        "acl-policy-least-privilege": { adminPolicyName: "ops-admin" },
      },
      [],
    ],
  ])("passes policy config to the checks: %s", async (_, config, messages) => {
    const resources = [
      auditDevice("file"),
      auditDevice("stdout"),
      approleRole({ tokenMaxTtl: 14400 }),
      aclPolicy("ops-admin", renderPolicyHcl([{ path: "sys/*", capabilities: ["read", "sudo"] }])),
    ];
    expect(await packViolations(resources, { config })).toEqual(messages);
  });
});

describe("enforcement per profile (guardrails/enforcement.ts)", () => {
  it.each<["dev" | "staging" | "prod" | "ephemeral", string, object]>([
    ["dev", "config.advisory.json", { all: "advisory" }],
    ["ephemeral", "config.advisory.json", { all: "advisory" }],
    ["staging", "config.mandatory.json", { all: "mandatory" }],
    ["prod", "config.mandatory.json", { all: "mandatory" }],
  ])("%s runs the pack with %s", (profile, file, content) => {
    const configPath = policyConfigFor(profile);
    expect(configPath).toBe(path.join(POLICY_PACK_DIR, file));
    expect(JSON.parse(fs.readFileSync(configPath, "utf8"))).toEqual(content);
  });

  it("points at the pack's own directory", () => {
    expect(POLICY_PACK_DIR).toBe(path.resolve(__dirname, "../../guardrails"));
    expect(fs.existsSync(path.join(POLICY_PACK_DIR, "PulumiPolicy.yaml"))).toBe(true);
  });
});

// --- What the program registers -------------------------------------------------------------------

describe("the prod profile under the pack", () => {
  it("passes every rule, TLS on the listener included", async () => {
    await buildProfile("prod");
    // Mocks see no resource options; guardrails-data.test.ts checks protect on hand-built ones.
    const violations = await packViolations(fromRecorded(recorded), {
      skip: ["data-resources-protected"],
    });
    expect(violations).toEqual([]);
  });

  it("blocks a server-mode listener without TLS (allowed by config only outside staging/prod)", async () => {
    await buildProfile("dev", { server: { mode: "server", tls: { mode: "disabled" } } });
    const violations = await packViolations(fromRecorded(recorded), {
      skip: ["data-resources-protected"],
    });
    expect(violations).toContain(
      'vault-server-listener-tls: container "platform-server-container": server config "/vault/config/platform.json" disables TLS on listener tcp 0.0.0.0:8200 (tls_disable = true); expected TLS on every listener',
    );
  });
});
