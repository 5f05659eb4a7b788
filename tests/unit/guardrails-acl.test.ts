import { TOKEN_SELF_SERVICE_RULES, renderAppPolicy, renderPolicyHcl } from "../../infra/acl-policy";
import { AclParseError, parseAclPolicy } from "../../guardrails/acl-document";
import { SELF_SERVICE_SYS_PATHS, checkAclPolicy, reachesSys } from "../../guardrails/rules";
import type { ResourceUnderTest } from "./guardrails-harness";
import {
  ALLOWED_SYS,
  ONLY_ADMIN,
  ORDERS_HCL,
  aclPolicy,
  violationsOf,
} from "./guardrails-fixtures";

const ORDERS_RESOURCE_NAME = "platform-policies-app-orders";

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
