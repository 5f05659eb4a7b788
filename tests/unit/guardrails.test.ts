import * as fs from "fs";
import * as path from "path";
import { PolicyPack, type ReportViolation } from "@pulumi/policy";
import { TOKEN_SELF_SERVICE_RULES, renderAppPolicy, renderPolicyHcl } from "../../infra/acl-policy";
import { auditDeviceSpecs, renderServerConfig } from "../../infra/server-config";
import { AclParseError, parseAclPolicy } from "../../guardrails/acl-document";
import { POLICY_PACK_DIR, policyConfigFor } from "../../guardrails/enforcement";
import { VAULT_PLATFORM_POLICIES } from "../../guardrails/policies";
import {
  CheckedResource,
  DEFAULT_ACL_LIMITS,
  DEFAULT_APPROLE_LIMITS,
  RESOURCE_TYPES,
  SELF_SERVICE_SYS_PATHS,
  checkAclPolicy,
  checkAppRoleRole,
  checkAuditDevices,
  checkDataResourceProtected,
  checkNoDevModeServer,
  checkServerImagePinned,
  checkServerListenerTls,
  checkTransitKey,
  reachesSys,
} from "../../guardrails/rules";
import { buildProfile } from "./contract";
import { recorded } from "./harness";
import {
  PackConfig,
  ResourceUnderTest,
  fromRecorded,
  packViolations,
  validationArgs,
} from "./guardrails-harness";

// Loading guardrails/index.ts must not start the pack's gRPC server (it exits the process when no
// engine is there); the mock records what the pack would serve instead.
jest.mock("@pulumi/policy", () => ({ PolicyPack: jest.fn() }));

const GOLDEN = path.join(__dirname, "../fixtures/golden");
const CONFIG_FILE = "/vault/config/platform.json";

type Check = (resource: CheckedResource, report: ReportViolation) => void;

function violationsOf(check: Check, resource: CheckedResource): string[] {
  const messages: string[] = [];
  check(resource, (message) => messages.push(message));
  return messages;
}

// --- Fixtures, rendered by the program's own renderers where it has them ---------------------

/** What a staging/prod server uploads today: raft storage and a listener with TLS off. */
const SERVER_CONFIG_TLS_OFF = renderServerConfig({
  flavor: "vault",
  mode: "server",
  listenPort: 8200,
  apiAddress: "http://127.0.0.1:8210",
  nodeId: "vp-staging",
  auditDevices: [],
});

/** The same config once the listener serves TLS. */
const SERVER_CONFIG_TLS_ON = JSON.stringify({
  ...JSON.parse(SERVER_CONFIG_TLS_OFF),
  listener: [
    {
      tcp: {
        address: "0.0.0.0:8200",
        cluster_address: "0.0.0.0:8201",
        tls_cert_file: "/vault/tls/tls.crt",
        tls_key_file: "/vault/tls/tls.key",
      },
    },
  ],
});

function openbaoDevConfig(devices: readonly ("file" | "stdout")[]): string {
  return renderServerConfig({
    flavor: "openbao",
    mode: "dev",
    listenPort: 20014,
    apiAddress: "http://127.0.0.1:20014",
    nodeId: "vp-pr-7",
    auditDevices: auditDeviceSpecs(devices, "/openbao/logs"),
  });
}

function container(props: Record<string, unknown> = {}): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.container,
    name: "platform-server-container",
    props: {
      name: "vp-staging-vault",
      image: "hashicorp/vault:1.20.4",
      entrypoints: ["vault"],
      command: ["server", `-config=${CONFIG_FILE}`],
      uploads: [{ file: CONFIG_FILE, content: SERVER_CONFIG_TLS_ON }],
      ...props,
    },
  };
}

function auditDevice(devicePath: string): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.audit,
    name: `platform-audit-${devicePath}`,
    props: { path: devicePath, type: "file", options: { file_path: devicePath } },
  };
}

/** An AppRole role as the prod profile registers it. */
function approleRole(props: Record<string, unknown> = {}): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.approleRole,
    name: "platform-approle-orders",
    props: {
      backend: "approle",
      roleName: "orders",
      tokenPolicies: ["app-orders"],
      tokenNoDefaultPolicy: true,
      tokenType: "service",
      tokenTtl: 900,
      tokenMaxTtl: 3600,
      secretIdTtl: 3600,
      secretIdNumUses: 1,
      bindSecretId: true,
      secretIdBoundCidrs: ["10.30.0.0/16"],
      tokenBoundCidrs: ["10.30.0.0/16"],
      ...props,
    },
  };
}

function aclPolicy(name: string, policy: string): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.aclPolicy,
    name: `platform-policies-${name}`,
    props: { name, policy },
  };
}

function transitKey(props: Record<string, unknown> = {}): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.transitKey,
    name: "platform-transit-orders",
    props: {
      backend: "transit",
      name: "orders",
      type: "aes256-gcm96",
      autoRotatePeriod: 2592000,
      exportable: false,
      allowPlaintextBackup: false,
      deletionAllowed: false,
      ...props,
    },
  };
}

const ORDERS_HCL = fs.readFileSync(path.join(GOLDEN, "app-orders.hcl"), "utf8");
const ORDERS_RESOURCE_NAME = "platform-policies-app-orders";
const ALLOWED_SYS = '"sys/capabilities-self" and "sys/leases/renew"';
const ONLY_ADMIN = '(only the admin policy "vault-platform-admin" may)';

// --- Rules --------------------------------------------------------------------------------------

describe("policy vault-server-not-dev-mode", () => {
  const expected = (flag: string) =>
    `container "platform-server-container" starts the server with "${flag}" (dev mode: in-memory storage, unsealed, root token); expected a server-mode command without dev flags`;

  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "dev mode, as the dev profile runs it",
      container({ command: ["server", "-dev", `-config=${CONFIG_FILE}`] }),
      [expected("-dev")],
    ],
    ["dev mode with TLS", container({ command: ["server", "-dev-tls"] }), [expected("-dev-tls")]],
    [
      "dev mode as --dev=true",
      container({ command: ["server", "--dev=true"] }),
      [expected("--dev=true")],
    ],
    ["server mode", container(), []],
    [
      "a dev-only option without dev mode itself",
      container({ command: ["server", "-dev-root-token-id=x"] }),
      [],
    ],
    ["another resource type", aclPolicy("app-orders", ORDERS_HCL), []],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkNoDevModeServer, resource)).toEqual(messages);
  });
});

describe("policy vault-server-listener-tls", () => {
  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "server mode as rendered today (tls_disable = true)",
      container({ uploads: [{ file: CONFIG_FILE, content: SERVER_CONFIG_TLS_OFF }] }),
      [
        'container "platform-server-container": server config "/vault/config/platform.json" disables TLS on listener tcp 0.0.0.0:8200 (tls_disable = true); expected TLS on every listener',
      ],
    ],
    [
      'tls_disable as the string "1" (Vault parses it as true)',
      container({
        uploads: [
          {
            file: CONFIG_FILE,
            content: JSON.stringify({
              listener: { tcp: { address: "[::]:8200", tls_disable: "1" } },
            }),
          },
        ],
      }),
      [
        'container "platform-server-container": server config "/vault/config/platform.json" disables TLS on listener tcp [::]:8200 (tls_disable = "1"); expected TLS on every listener',
      ],
    ],
    [
      "a config file that is not JSON",
      container({
        uploads: [{ file: "/vault/config/extra.hcl", content: 'listener "tcp" {}' }],
      }),
      [
        'container "platform-server-container" uploads server config "/vault/config/extra.hcl" that is not JSON, so its listeners cannot be checked; expected the JSON config rendered by infra/server-config.ts',
      ],
    ],
    ["server mode with TLS on the listener", container(), []],
    [
      "an OpenBao dev server (no listener in the file; dev mode is its own policy)",
      container({
        image: "openbao/openbao:2.6.2",
        command: ["server", "-dev", "-config=/openbao/config/platform.json"],
        uploads: [{ file: "/openbao/config/platform.json", content: openbaoDevConfig(["file"]) }],
      }),
      [],
    ],
    [
      "uploads other than config files",
      container({
        uploads: [{ file: "/vault/tls/tls.crt", content: "-----BEGIN CERTIFICATE-----" }],
      }),
      [],
    ],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkServerListenerTls, resource)).toEqual(messages);
  });
});

describe("policy vault-server-image-pinned", () => {
  const expected = (image: string) =>
    `container "platform-server-container" uses image ${image}; expected a version tag or a sha256 digest (not "latest", not untagged)`;
  const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "latest",
      container({ image: "hashicorp/vault:latest" }),
      [expected('"hashicorp/vault:latest"')],
    ],
    ["untagged", container({ image: "hashicorp/vault" }), [expected('"hashicorp/vault"')]],
    [
      "a registry port is not a tag",
      container({ image: "registry.internal:5000/hashicorp/vault" }),
      [expected('"registry.internal:5000/hashicorp/vault"')],
    ],
    ["no image", container({ image: undefined }), [expected("not set")]],
    ["a version tag", container(), []],
    ["a digest", container({ image: `openbao/openbao@${digest}` }), []],
    ["an image id", container({ image: digest }), []],
    [
      "a tag behind a registry port",
      container({ image: "registry.internal:5000/openbao/openbao:2.6.2" }),
      [],
    ],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkServerImagePinned, resource)).toEqual(messages);
  });
});

describe("policy audit-devices-minimum (stack)", () => {
  const suffix = "expected at least 2, so that one failing device does not block every request";

  it.each<[string, ResourceUnderTest[], string[]]>([
    [
      "one device through the API (the dev profile)",
      [container(), auditDevice("file")],
      [`the stack has 1 audit device ("file"); ${suffix}`],
    ],
    ["no device at all", [container()], [`the stack has no audit device; ${suffix}`]],
    [
      "one device declared in an OpenBao server config",
      [
        container({
          uploads: [{ file: "/openbao/config/platform.json", content: openbaoDevConfig(["file"]) }],
        }),
      ],
      [`the stack has 1 audit device ("file"); ${suffix}`],
    ],
    [
      "two devices through the API (Vault)",
      [container(), auditDevice("file"), auditDevice("stdout")],
      [],
    ],
    [
      "two devices declared in the server config (OpenBao)",
      [
        container({
          uploads: [
            {
              file: "/openbao/config/platform.json",
              content: openbaoDevConfig(["file", "stdout"]),
            },
          ],
        }),
      ],
      [],
    ],
    [
      "one of each",
      [
        container({
          uploads: [{ file: "/openbao/config/platform.json", content: openbaoDevConfig(["file"]) }],
        }),
        auditDevice("stdout"),
      ],
      [],
    ],
  ])("%s", (_, resources, messages) => {
    const found: string[] = [];
    checkAuditDevices(resources, (message) => found.push(message));
    expect(found).toEqual(messages);
  });
});

describe("policy approle-role-hardened", () => {
  const role = 'AppRole role "platform-approle-orders"';

  it.each<[string, ResourceUnderTest, number, string[]]>([
    ["the prod profile's role", approleRole(), 3600, []],
    [
      "the dev profile's role (no CIDRs, 4h max TTL)",
      approleRole({
        tokenTtl: 3600,
        tokenMaxTtl: 14400,
        secretIdTtl: 86400,
        secretIdNumUses: 10,
        tokenBoundCidrs: undefined,
        secretIdBoundCidrs: undefined,
      }),
      3600,
      [
        `${role}: tokenBoundCidrs is empty; expected the CIDRs its tokens may be used from`,
        `${role}: secretIdBoundCidrs is empty; expected the CIDRs it may log in from`,
        `${role}: tokenMaxTtl is 14400; expected 1 to 3600 seconds (0 or unset: the mount's default)`,
      ],
    ],
    [
      "secret-ids that never expire and log in without limit",
      approleRole({ secretIdTtl: 0, secretIdNumUses: 0 }),
      3600,
      [
        `${role}: secretIdTtl is 0; expected more than 0 seconds (0 or unset: secret-ids never expire)`,
        `${role}: secretIdNumUses is 0; expected at least 1 (0 or unset: a secret-id logs in any number of times)`,
      ],
    ],
    [
      "limits left to Vault's defaults",
      approleRole({
        tokenTtl: undefined,
        tokenMaxTtl: undefined,
        secretIdTtl: undefined,
        secretIdNumUses: undefined,
        tokenBoundCidrs: [],
      }),
      3600,
      [
        `${role}: secretIdTtl is not set; expected more than 0 seconds (0 or unset: secret-ids never expire)`,
        `${role}: secretIdNumUses is not set; expected at least 1 (0 or unset: a secret-id logs in any number of times)`,
        `${role}: tokenBoundCidrs is empty; expected the CIDRs its tokens may be used from`,
        `${role}: tokenTtl is not set; expected 1 to 3600 seconds (0 or unset: the mount's default)`,
        `${role}: tokenMaxTtl is not set; expected 1 to 3600 seconds (0 or unset: the mount's default)`,
      ],
    ],
    [
      "a lower configured maximum",
      approleRole(),
      600,
      [
        `${role}: tokenTtl is 900; expected 1 to 600 seconds (0 or unset: the mount's default)`,
        `${role}: tokenMaxTtl is 3600; expected 1 to 600 seconds (0 or unset: the mount's default)`,
      ],
    ],
    [
      "4h tokens under a configured 4h maximum",
      approleRole({ tokenTtl: 3600, tokenMaxTtl: 14400 }),
      14400,
      [],
    ],
  ])("%s (maximum %i s)", (_, resource, maxTokenTtlSeconds, messages) => {
    expect(
      violationsOf(
        (checked, report) => checkAppRoleRole(checked, report, { maxTokenTtlSeconds }),
        resource,
      ),
    ).toEqual(messages);
  });
});

describe("policy acl-policy-least-privilege", () => {
  const OVERREACHING_HCL = renderPolicyHcl([
    { path: "secret/data/*", capabilities: ["read", "sudo"] },
    { path: "sys/mounts", capabilities: ["read", "list"] },
    { path: "sys/capabilities-self", capabilities: ["update"] },
  ]);
  const ADMIN_HCL = renderPolicyHcl([{ path: "sys/*", capabilities: ["read", "sudo"] }]);
  const orders = `ACL policy "app-orders" (resource "${ORDERS_RESOURCE_NAME}")`;
  const admin =
    'ACL policy "vault-platform-admin" (resource "platform-policies-vault-platform-admin")';

  it.each<[string, ResourceUnderTest, string, string[]]>([
    [
      "an app policy as rendered (golden app-orders.hcl)",
      aclPolicy("app-orders", ORDERS_HCL),
      "vault-platform-admin",
      [],
    ],
    [
      "sudo and a sys/ path",
      aclPolicy("app-orders", OVERREACHING_HCL),
      "vault-platform-admin",
      [
        `${orders} grants "sudo" on "secret/data/*"; expected no sudo ${ONLY_ADMIN}`,
        `${orders} grants "read", "list" on "sys/mounts", which reaches sys/; expected no sys/ path but ${ALLOWED_SYS} ${ONLY_ADMIN}`,
      ],
    ],
    [
      "a glob that reaches sys/",
      aclPolicy("app-orders", 'path "*" {\n  capabilities = ["read"]\n}\n'),
      "vault-platform-admin",
      [
        `${orders} grants "read" on "*", which reaches sys/; expected no sys/ path but ${ALLOWED_SYS} ${ONLY_ADMIN}`,
      ],
    ],
    [
      "sudo through the legacy policy shorthand",
      aclPolicy("app-orders", 'path "auth/token/create" { policy = "sudo" }'),
      "vault-platform-admin",
      [`${orders} grants "sudo" on "auth/token/create"; expected no sudo ${ONLY_ADMIN}`],
    ],
    [
      "sudo in a JSON policy",
      aclPolicy(
        "app-orders",
        JSON.stringify({ path: { "auth/token/create": { capabilities: ["update", "sudo"] } } }),
      ),
      "vault-platform-admin",
      [`${orders} grants "sudo" on "auth/token/create"; expected no sudo ${ONLY_ADMIN}`],
    ],
    [
      "text that cannot be read",
      aclPolicy("app-orders", 'path "secret/*" {\n  capabilities = ["read"]\n}\nsudo = true\n'),
      "vault-platform-admin",
      [
        `${orders}: its policy text cannot be read (line 4: unexpected "sudo"; expected a path block), so what it grants cannot be checked; expected Vault policy HCL or JSON`,
      ],
    ],
    [
      "denying sys/ grants nothing",
      aclPolicy("app-orders", 'path "sys/*" { capabilities = ["deny"] }'),
      "vault-platform-admin",
      [],
    ],
    ["the admin policy", aclPolicy("vault-platform-admin", ADMIN_HCL), "vault-platform-admin", []],
    ["a configured admin policy name", aclPolicy("ops-admin", ADMIN_HCL), "ops-admin", []],
    [
      "the default admin name once another is configured",
      aclPolicy("vault-platform-admin", ADMIN_HCL),
      "ops-admin",
      [
        `${admin} grants "sudo" on "sys/*"; expected no sudo (only the admin policy "ops-admin" may)`,
        `${admin} grants "read", "sudo" on "sys/*", which reaches sys/; expected no sys/ path but ${ALLOWED_SYS} (only the admin policy "ops-admin" may)`,
      ],
    ],
  ])("%s", (_, resource, adminPolicyName, messages) => {
    expect(
      violationsOf(
        (checked, report) => checkAclPolicy(checked, report, { adminPolicyName }),
        resource,
      ),
    ).toEqual(messages);
  });

  it.each<[string, boolean]>([
    ["sys/mounts", true],
    ["sys/leases/revoke/*", true],
    ["/sys/mounts", true],
    ["+/mounts", true],
    ["*", true],
    ["s*", true],
    ["sys*", true],
    ["sys/capabilities-self", false],
    ["sys/leases/renew", false],
    ["sys", false],
    ["sysadmin/*", false],
    ["secret/data/*", false],
    ["auth/token/lookup-self", false],
  ])("path %s reaches sys/: %s", (policyPath, expected) => {
    expect(reachesSys(policyPath)).toBe(expected);
  });

  it("allows exactly the sys/ paths an app token gets for itself (infra/acl-policy.ts)", () => {
    const selfServiceSys = TOKEN_SELF_SERVICE_RULES.map((rule) => rule.path).filter((rulePath) =>
      rulePath.startsWith("sys/"),
    );
    expect([...SELF_SERVICE_SYS_PATHS].sort()).toEqual(selfServiceSys.sort());
  });
});

describe("ACL policy reader", () => {
  it("reads every path and capability of a rendered policy", () => {
    const app = {
      name: "orders",
      kv: { mount: "secret", read: ["orders/*"], write: [] },
      transit: { mount: "transit", keys: ["orders"] },
    };
    expect(parseAclPolicy(renderAppPolicy(app))).toEqual([
      { path: "auth/token/lookup-self", capabilities: ["read"] },
      { path: "auth/token/renew-self", capabilities: ["update"] },
      { path: "auth/token/revoke-self", capabilities: ["update"] },
      { path: "secret/data/orders/*", capabilities: ["read"] },
      { path: "secret/metadata/orders/*", capabilities: ["read", "list"] },
      { path: "sys/capabilities-self", capabilities: ["update"] },
      { path: "sys/leases/renew", capabilities: ["update"] },
      { path: "transit/decrypt/orders", capabilities: ["update"] },
      { path: "transit/encrypt/orders", capabilities: ["update"] },
    ]);
  });

  it("reads comments, one-line blocks and nested parameter blocks", () => {
    const text = [
      '/* ops */ path "secret/data/app" { capabilities = ["create", "update",] # trailing comma',
      '  allowed_parameters = { "value" = [] }',
      '  denied_parameters { "admin" = [] } }',
      "// done",
      'path "secret/metadata/app" { capabilities = ["list"] }',
      'path "secret/data/say \\"hi\\"" { capabilities = ["read"] }',
    ].join("\n");
    expect(parseAclPolicy(text)).toEqual([
      { path: "secret/data/app", capabilities: ["create", "update"] },
      { path: "secret/metadata/app", capabilities: ["list"] },
      { path: 'secret/data/say "hi"', capabilities: ["read"] },
    ]);
  });

  it.each<[string, string, string]>([
    [
      "an unterminated block",
      'path "secret/*" {\n  capabilities = ["read"]\n',
      'line 2: unexpected end of text; expected an attribute name or "}"',
    ],
    ["a missing path", "path {\n}", 'line 1: unexpected "{"; expected the quoted path after path'],
    ["an unterminated string", 'path "secret/*\n', "line 1: unterminated string"],
    [
      "capabilities not a list",
      'path "a" { capabilities = "read" }',
      'path "a": capabilities is not a list of strings',
    ],
    [
      "an unknown legacy level",
      'path "a" { policy = "root" }',
      'path "a": policy is "root"; expected one of "deny", "read", "write", "sudo"',
    ],
    ["JSON without a path object", '{"path": []}', 'expected a JSON object with a "path" object'],
    ["a stray character", 'path "a" { capabilities = [@] }', 'line 1: unexpected character "@"'],
    [
      "an unterminated comment",
      'path "a" { capabilities = ["read"] }\n/* note',
      "line 2: unterminated /* comment",
    ],
    [
      "an attribute without =",
      'path "a" { capabilities ["read"] }',
      'line 1: unexpected "["; expected "=" after capabilities',
    ],
    [
      "list items without commas",
      'path "a" { capabilities = ["read" "list"] }',
      'line 1: unexpected string "list"; expected "," or "]"',
    ],
    ["a missing value", 'path "a" { capabilities = }', 'line 1: unexpected "}"; expected a value'],
    ["invalid JSON", '{"path": ', "invalid JSON: Unexpected end of JSON input"],
    [
      "a JSON path that is not a block",
      '{"path": {"a": ["read"]}}',
      'path "a": expected a block of attributes',
    ],
  ])("rejects %s", (_, text, message) => {
    expect(() => parseAclPolicy(text)).toThrow(new AclParseError(message));
  });
});

describe("policy transit-key-hardened", () => {
  const key = 'transit key "platform-transit-orders"';

  it.each<[string, ResourceUnderTest, string[]]>([
    ["a key as staging and prod create it", transitKey(), []],
    [
      "a key as dev and ephemeral stacks create it",
      transitKey({ deletionAllowed: true }),
      [
        `${key}: deletionAllowed is true; expected false (deleting a key makes everything encrypted with it unreadable)`,
      ],
    ],
    [
      "a key whose material can leave Vault",
      transitKey({ exportable: true, allowPlaintextBackup: true }),
      [
        `${key}: exportable is true; expected false (key material never leaves Vault)`,
        `${key}: allowPlaintextBackup is true; expected false (a plaintext backup exports the key material)`,
      ],
    ],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkTransitKey, resource)).toEqual(messages);
  });
});

describe("policy data-resources-protected", () => {
  const expected = (kind: string, name: string) =>
    `${kind} "${name}" is not protected; expected the protect option, since deleting or replacing it destroys the data it holds`;
  const resource = (
    type: string,
    name: string,
    props: Record<string, unknown>,
    protect?: boolean,
  ): ResourceUnderTest => ({ type, name, props, protect });

  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "an unprotected KV mount",
      resource(RESOURCE_TYPES.mount, "platform-kv-mount", { path: "secret", type: "kv" }, false),
      [expected("KV mount", "platform-kv-mount")],
    ],
    [
      "an unprotected transit mount",
      resource(
        RESOURCE_TYPES.mount,
        "platform-transit-mount",
        { path: "transit", type: "transit" },
        false,
      ),
      [expected("transit mount", "platform-transit-mount")],
    ],
    [
      "an unprotected transit key",
      { ...transitKey(), protect: false },
      [expected("transit key", "platform-transit-orders")],
    ],
    [
      "an unprotected Postgres database",
      resource(
        RESOURCE_TYPES.postgresDatabase,
        "platform-database-database",
        { name: "vp_dev" },
        false,
      ),
      [expected("Postgres database", "platform-database-database")],
    ],
    [
      "an unprotected Docker volume",
      resource(RESOURCE_TYPES.volume, "platform-server-data", { name: "vp-prod-data" }),
      [expected("Docker volume", "platform-server-data")],
    ],
    [
      "a protected KV mount",
      resource(RESOURCE_TYPES.mount, "platform-kv-mount", { path: "secret", type: "kv" }, true),
      [],
    ],
    ["a protected transit key", { ...transitKey(), protect: true }, []],
    [
      "a protected Docker volume",
      resource(RESOURCE_TYPES.volume, "platform-server-data", { name: "vp-prod-data" }, true),
      [],
    ],
    [
      "an unprotected database mount (credentials are dynamic, nothing to lose)",
      resource(
        RESOURCE_TYPES.mount,
        "platform-database-mount",
        { path: "database", type: "database" },
        false,
      ),
      [],
    ],
    ["an unprotected AppRole role", { ...approleRole(), protect: false }, []],
  ])("%s", (_, checked, messages) => {
    const args = validationArgs(checked);
    expect(violationsOf(checkDataResourceProtected, args)).toEqual(messages);
  });
});

describe("values unknown during a preview", () => {
  // The engine hands a check its props wrapped in this proxy: reading an unknown value throws, and
  // the engine reports "can't run during preview" only if that error reaches it.
  const proxy = jest.requireActual<{
    unknownCheckingProxy(props: object): Record<string, unknown>;
    UnknownValueError: new (...args: never[]) => Error;
    unknownStringValue: string;
  }>("@pulumi/policy/proxy");
  const unknownConfig = [{ file: CONFIG_FILE, content: proxy.unknownStringValue }];

  it.each<[string, Check, ResourceUnderTest]>([
    [
      "the server config of the TLS check",
      checkServerListenerTls,
      container({ uploads: unknownConfig }),
    ],
    [
      "the policy text of the ACL check",
      checkAclPolicy,
      aclPolicy("app-orders", proxy.unknownStringValue),
    ],
  ])("%s reaches the engine", (_, check, resource) => {
    const previewed = { ...resource, props: proxy.unknownCheckingProxy(resource.props) };
    expect(() => violationsOf(check, previewed)).toThrow(proxy.UnknownValueError);
  });

  it("the server config of the audit check reaches the engine", () => {
    const previewed = {
      ...container(),
      props: proxy.unknownCheckingProxy({ uploads: unknownConfig }),
    };
    expect(() => checkAuditDevices([previewed], () => undefined)).toThrow(proxy.UnknownValueError);
  });
});

// --- The pack ------------------------------------------------------------------------------------

const POLICY_NAMES = [
  "vault-server-not-dev-mode",
  "vault-server-listener-tls",
  "vault-server-image-pinned",
  "audit-devices-minimum",
  "approle-role-hardened",
  "acl-policy-least-privilege",
  "transit-key-hardened",
  "jwt-role-bound",
  "kubernetes-role-bound",
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
    // Mocks see no resource options, so protect is checked on hand-built resources above.
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
