/**
 * Bad input of every class a user probe found (crash, leaked secret, accepted-but-broken, silent
 * typo, unhelpful message): each refused before anything is created, as a ConfigError with the
 * exact message, never showing a value stored as secret.
 */
import { configProblems } from "./harness";

function problemsOf(
  stack: string,
  overrides: Record<string, unknown>,
  secrets: Record<string, unknown> = stack === "dev" || stack.startsWith("pr-")
    ? {}
    : { vaultToken: "t" },
): string[] {
  return configProblems(stack, overrides, secrets);
}

const DURATION = 'expected a duration like "30s", "15m", "1h30m" or "7d"';
const HOST =
  "expected a host name or IP address only (ASCII letters, digits, '-' and '.', at most 253 characters; port, database and options have keys of their own)";
const IMAGE =
  "expected an image reference Docker accepts, like hashicorp/vault:1.20.4 (lower case name, tag or @sha256 digest)";
const TEN_YEARS = "expected at most 87600h (ten years)";
const orders = (app: Record<string, unknown>) => ({ apps: [{ name: "orders", ...app }] });
const server = { mode: "server" };

type Case = [string, string, Record<string, unknown>, Record<string, unknown> | undefined, string];

const CASES: Case[] = [
  // Malformed durations: never a crash, always the key.
  [
    "token TTL with a space",
    "dev",
    { approle: { tokenTtl: "15 m" } },
    undefined,
    `vault-platform:approle.tokenTtl: ${DURATION}; got "15 m"`,
  ],
  [
    "certificate validity in words",
    "dev",
    { server: { ...server, tls: { validity: "2160hours" } } },
    undefined,
    `vault-platform:server.tls.validity: ${DURATION}; got "2160hours"`,
  ],
  [
    "database max TTL with a space",
    "dev",
    { database: { maxTtl: "1 h" } },
    undefined,
    `vault-platform:database.maxTtl: ${DURATION}; got "1 h"`,
  ],
  [
    "wrap TTL spelled out",
    "dev",
    { approle: { secretIdWrapTtl: "5min" } },
    undefined,
    `vault-platform:approle.secretIdWrapTtl: ${DURATION}; got "5min"`,
  ],
  [
    "secret-id TTL negative",
    "dev",
    { approle: { secretIdTtl: "-1h" } },
    undefined,
    `vault-platform:approle.secretIdTtl: ${DURATION}; got "-1h"`,
  ],
  [
    "a number where a duration goes",
    "dev",
    { database: { defaultTtl: 30 } },
    undefined,
    `vault-platform:database.defaultTtl: ${DURATION}; got 30`,
  ],
  [
    "a boolean where a duration goes",
    "dev",
    { kv: { deleteVersionAfter: true } },
    undefined,
    `vault-platform:kv.deleteVersionAfter: ${DURATION}; got true`,
  ],
  [
    "token TTL as seconds",
    "dev",
    { approle: { tokenTtl: 900 } },
    undefined,
    `vault-platform:approle.tokenTtl: ${DURATION}; got 900`,
  ],
  // Values stored as secret are never shown, whatever the key.
  [
    "a secret database name",
    "dev",
    {},
    { postgres: { database: "Bad-Name" } },
    "vault-platform:postgres.database: expected a Postgres identifier ([a-z_][a-z0-9_]*); got [secret]",
  ],
  [
    "a secret port",
    "dev",
    {},
    { server: { port: 70000 } },
    "vault-platform:server.port: expected an integer port from 1 to 65535; got [secret]",
  ],
  [
    "a secret host",
    "dev",
    {},
    { postgres: { host: "db:5432/x" } },
    `vault-platform:postgres.host: ${HOST}; got [secret]`,
  ],
  [
    "key material under a plain key",
    "dev",
    { server: { ...server, tls: { dnsNames: ["-----BEGIN PRIVATE KEY-----MIIE"] } } },
    undefined,
    'vault-platform:server.tls.dnsNames[0]: expected a DNS name like "vault.example.internal"; got [key material]',
  ],
  [
    "a secret under a misspelt key",
    "dev",
    {},
    { postgresPassword: "hunter2" },
    "vault-platform:postgresPassword: unknown key: the program does not read it; did you mean vault-platform:postgresAdminPassword?; got [secret]",
  ],
  // Typos: refused with a suggestion.
  [
    "aproles",
    "dev",
    { aproles: { tokenTtl: "1h" } },
    undefined,
    'vault-platform:aproles: unknown key: the program does not read it; did you mean vault-platform:approle?; got "{\\"tokenTtl\\":\\"1h\\"}"',
  ],
  [
    "transits",
    "dev",
    { transits: {} },
    undefined,
    'vault-platform:transits: unknown key: the program does not read it; did you mean vault-platform:transit?; got "{}"',
  ],
  [
    "Apps",
    "dev",
    { Apps: [] },
    undefined,
    'vault-platform:Apps: unknown key: the program does not read it; did you mean vault-platform:apps?; got "[]"',
  ],
  [
    "vaultTokne",
    "dev",
    {},
    { vaultTokne: "x" },
    "vault-platform:vaultTokne: unknown key: the program does not read it; did you mean vault-platform:vaultToken?; got [secret]",
  ],
  [
    "nothing close",
    "dev",
    { somethingElseEntirely: "x" },
    undefined,
    'vault-platform:somethingElseEntirely: unknown key: the program does not read it; got "x"',
  ],
  // Derived ports.
  [
    "cluster port past 65535",
    "dev",
    { server: { port: 65535 } },
    undefined,
    "vault-platform:server.port: the server also uses port 65536 (cluster); expected at most 65534; got 65535",
  ],
  [
    "node ports past 65535",
    "dev",
    { server: { ...server, nodes: 3, port: 65531 } },
    undefined,
    "vault-platform:server.port: the server also uses ports up to 65536 (two per node); expected at most 65530; got 65531",
  ],
  [
    "a PR number whose port wraps",
    "pr-10001",
    {},
    undefined,
    "vault-platform:server.port: stack pr-10001: the default port of pr-<n> wraps at 10000 onto pr-1's; set vault-platform:server.port; got nothing",
  ],
  // Path segments.
  [
    "KV read path with ..",
    "dev",
    orders({ kv: { read: ["../orders/*"] } }),
    undefined,
    'vault-platform:apps[0].kv.read[0]: expected no "." or ".." path segments; got "../orders/*"',
  ],
  [
    "KV write path with .",
    "dev",
    orders({ kv: { write: ["orders/./x"] } }),
    undefined,
    'vault-platform:apps[0].kv.write[0]: expected no "." or ".." path segments; got "orders/./x"',
  ],
  [
    "KV read path that is only ..",
    "dev",
    orders({ kv: { read: [".."] } }),
    undefined,
    'vault-platform:apps[0].kv.read[0]: expected no "." or ".." path segments; got ".."',
  ],
  [
    "seed path with ..",
    "dev",
    {},
    { seeds: { "a/../b": { data: { k: "v" } } } },
    'vault-platform:seeds.a/../b: expected no "." or ".." path segments; got [secret]',
  ],
  [
    "seed path __proto__/x",
    "dev",
    {},
    { seeds: { "__proto__/x": { data: { k: "v" } } } },
    "vault-platform:seeds.__proto__/x: expected a KV path without __proto__, constructor or prototype segments; got [secret]",
  ],
  [
    "seed path constructor",
    "dev",
    {},
    { seeds: { constructor: { data: { k: "v" } } } },
    "vault-platform:seeds.constructor: expected a KV path without __proto__, constructor or prototype segments; got [secret]",
  ],
  // Two inputs, one resource name.
  [
    "a transit key listed twice",
    "dev",
    orders({ transitKeys: ["orders", "orders"] }),
    undefined,
    'vault-platform:apps[0].transitKeys: transit key "orders" is listed twice; got ["orders","orders"]',
  ],
  [
    "seeds a/b and a.b",
    "dev",
    {},
    { seeds: { "a/b": { data: { k: "v" } }, "a.b": { data: { k: "v" } } } },
    'vault-platform:seeds.a.b: maps to the same resource name as seed "a/b"; rename one of them; got [secret]',
  ],
  [
    "seeds a/b and a-b",
    "dev",
    {},
    { seeds: { "a/b": { data: { k: "v" } }, "a-b": { data: { k: "v" } } } },
    'vault-platform:seeds.a-b: maps to the same resource name as seed "a/b"; rename one of them; got [secret]',
  ],
  // postgres.host is a host, nothing more.
  [
    "host with port, database and options",
    "dev",
    { postgres: { host: "db:5432/prod?sslmode=disable#" } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got "db:5432/prod?sslmode=disable#"`,
  ],
  [
    "host with credentials",
    "dev",
    { postgres: { host: "admin@db" } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got "admin@db"`,
  ],
  [
    "host with a space",
    "dev",
    { postgres: { host: "db host" } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got "db host"`,
  ],
  [
    "host with a look-alike letter",
    "dev",
    { postgres: { host: "d\u042C.internal" } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got "d\u042C.internal"`,
  ],
  [
    "host past 253 characters",
    "dev",
    { postgres: { host: `${"a".repeat(60)}.`.repeat(5) + "internal" } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got ${JSON.stringify(`${"a".repeat(60)}.`.repeat(5) + "internal").slice(0, 77)}...`,
  ],
  [
    "host label past 63 characters",
    "dev",
    { postgres: { host: `${"a".repeat(64)}.internal` } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got "${"a".repeat(64)}.internal"`,
  ],
  [
    "host label starting with -",
    "dev",
    { postgres: { host: "-db.internal" } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got "-db.internal"`,
  ],
  [
    "host with a slash",
    "dev",
    { postgres: { host: "db/other" } },
    undefined,
    `vault-platform:postgres.host: ${HOST}; got "db/other"`,
  ],
  // DNS names of a generated certificate.
  [
    "DNS name with a look-alike letter",
    "dev",
    { server: { ...server, tls: { dnsNames: ["v\u0430ult.internal"] } } },
    undefined,
    'vault-platform:server.tls.dnsNames[0]: expected a DNS name like "vault.example.internal"; got "v\u0430ult.internal"',
  ],
  [
    "DNS label past 63 characters",
    "dev",
    { server: { ...server, tls: { dnsNames: [`${"v".repeat(64)}.internal`] } } },
    undefined,
    `vault-platform:server.tls.dnsNames[0]: expected a DNS name like "vault.example.internal"; got "${"v".repeat(64)}.internal"`,
  ],
  // Reserved and overlapping mounts.
  [
    "KV at sys",
    "dev",
    { kv: { path: "sys" } },
    undefined,
    'vault-platform:kv.path: "sys" is reserved by Vault; expected another mount path; got "sys"',
  ],
  [
    "transit at cubbyhole",
    "dev",
    { transit: { path: "cubbyhole" } },
    undefined,
    'vault-platform:transit.path: "cubbyhole" is reserved by Vault; expected another mount path; got "cubbyhole"',
  ],
  [
    "database at token",
    "dev",
    { database: { path: "token" } },
    undefined,
    'vault-platform:database.path: "token" is reserved by Vault; expected another mount path; got "token"',
  ],
  [
    "KV under identity",
    "dev",
    { kv: { path: "identity/kv" } },
    undefined,
    'vault-platform:kv.path: "identity" is reserved by Vault; expected another mount path; got "identity/kv"',
  ],
  [
    "KV under auth",
    "dev",
    { kv: { path: "auth/kv" } },
    undefined,
    'vault-platform:kv.path: "auth" is reserved by Vault; expected another mount path; got "auth/kv"',
  ],
  [
    "transit inside the KV mount",
    "dev",
    { transit: { path: "secret/transit" } },
    undefined,
    'vault-platform:transit.path: mount path overlaps vault-platform:kv.path ("secret"); expected mounts that do not nest; got "secret/transit"',
  ],
  [
    "database around another mount",
    "dev",
    { kv: { path: "team/kv" }, database: { path: "team" } },
    undefined,
    'vault-platform:database.path: mount path overlaps vault-platform:kv.path ("team/kv"); expected mounts that do not nest; got "team"',
  ],
  // Images.
  [
    "image with upper case",
    "dev",
    { server: { image: "Hashicorp/Vault:1.20.4" } },
    undefined,
    `vault-platform:server.image: ${IMAGE}; got "Hashicorp/Vault:1.20.4"`,
  ],
  [
    "image with an empty path segment",
    "dev",
    { server: { image: "hashicorp//vault:1.20.4" } },
    undefined,
    `vault-platform:server.image: ${IMAGE}; got "hashicorp//vault:1.20.4"`,
  ],
  [
    "image with a short digest",
    "dev",
    { server: { image: "hashicorp/vault@sha256:abc" } },
    undefined,
    'vault-platform:server.image: expected an image reference Docker accepts, like hashicorp/vault:1.20.4 (lower case name, tag or @sha256 digest); got "hashicorp/vault@sha256:abc"',
  ],
  [
    "Vault image for OpenBao",
    "dev",
    { server: { flavor: "openbao", image: "hashicorp/vault:1.20.4" } },
    undefined,
    'vault-platform:server.image: is an image of flavor "vault" but server.flavor is "openbao"; set server.flavor to "vault" or use an image of flavor "openbao"; got "hashicorp/vault:1.20.4"',
  ],
  [
    "OpenBao image for Vault",
    "dev",
    { server: { image: "openbao/openbao:2.6.2" } },
    undefined,
    'vault-platform:server.image: is an image of flavor "openbao" but server.flavor is "vault"; set server.flavor to "openbao" or use an image of flavor "vault"; got "openbao/openbao:2.6.2"',
  ],
  [
    "OpenBao image from a registry for Vault",
    "dev",
    { server: { image: "quay.io/openbao/openbao:2.6.2" } },
    undefined,
    'vault-platform:server.image: is an image of flavor "openbao" but server.flavor is "vault"; set server.flavor to "openbao" or use an image of flavor "vault"; got "quay.io/openbao/openbao:2.6.2"',
  ],
  // Durations Vault refuses.
  [
    "rotation every 30 minutes",
    "dev",
    { transit: { autoRotatePeriod: "30m" } },
    undefined,
    'vault-platform:transit.autoRotatePeriod: Vault rotates at most hourly; expected "0s" (off) or at least "1h"; got "30m"',
  ],
  [
    "rotation every 59 minutes 59 seconds",
    "dev",
    { transit: { autoRotatePeriod: "59m59s" } },
    undefined,
    'vault-platform:transit.autoRotatePeriod: Vault rotates at most hourly; expected "0s" (off) or at least "1h"; got "59m59s"',
  ],
  [
    "a max TTL of 100000 days",
    "dev",
    { database: { maxTtl: "100000d" } },
    undefined,
    `vault-platform:database.maxTtl: ${TEN_YEARS}; got "100000d"`,
  ],
  [
    "a secret-id TTL that overflows",
    "dev",
    { approle: { secretIdTtl: "99999999999999h" } },
    undefined,
    `vault-platform:approle.secretIdTtl: ${TEN_YEARS}; got "99999999999999h"`,
  ],
  [
    "versions kept for 4000 days",
    "dev",
    { kv: { deleteVersionAfter: "4000d" } },
    undefined,
    `vault-platform:kv.deleteVersionAfter: ${TEN_YEARS}; got "4000d"`,
  ],
  // Postgres admin role names go into SQL.
  [
    "admin user with a quote",
    "dev",
    { postgres: { adminUser: 'admin"; DROP ROLE x; --' } },
    undefined,
    'vault-platform:postgres.adminUser: expected a plain role name (letters, digits, \'_\'; at most 63 characters); got "admin\\"; DROP ROLE x; --"',
  ],
  [
    "admin user of 64 characters",
    "dev",
    { postgres: { adminUser: "a".repeat(64) } },
    undefined,
    `vault-platform:postgres.adminUser: expected a plain role name (letters, digits, '_'; at most 63 characters); got "${"a".repeat(64).slice(0, 77)}"`,
  ],
  // A production stack cannot quietly take a weaker profile.
  [
    "prod stack with the dev profile",
    "prod",
    { profile: "dev", server: { flavor: "vault" } },
    undefined,
    'vault-platform:profile: stack "prod" takes the prod profile; the dev profile weakens its rules (dev mode, TLS, audit, CIDRs). If that is really meant, also set vault-platform:allowWeakerProfile to true; got "dev"',
  ],
  [
    "staging stack with the dev profile",
    "staging",
    { profile: "dev", server: { flavor: "vault" }, postgres: { host: "127.0.0.1" } },
    undefined,
    'vault-platform:profile: stack "staging" takes the staging profile; the dev profile weakens its rules (dev mode, TLS, audit, CIDRs). If that is really meant, also set vault-platform:allowWeakerProfile to true; got "dev"',
  ],
  [
    "the override not a boolean",
    "dev",
    { allowWeakerProfile: "yes" },
    undefined,
    'vault-platform:allowWeakerProfile: expected true or false; got "yes"',
  ],
  // CIDRs that bind nothing do not count.
  [
    "0.0.0.0/0 in staging",
    "staging",
    { apps: [{ name: "orders", boundCidrs: ["0.0.0.0/0"] }] },
    undefined,
    'vault-platform:apps[0].boundCidrs: the staging profile requires AppRole logins bound to CIDRs; 0.0.0.0/0 binds nothing; got ["0.0.0.0/0"]',
  ],
  [
    "0.0.0.0/0 among others in staging",
    "staging",
    { apps: [{ name: "orders", boundCidrs: ["10.0.0.0/8", "0.0.0.0/0"] }] },
    undefined,
    'vault-platform:apps[0].boundCidrs: the staging profile requires AppRole logins bound to CIDRs; 0.0.0.0/0 binds nothing; got ["10.0.0.0/8","0.0.0.0/0"]',
  ],
  // Where a value came from.
  [
    "token TTL from the profile over a max set lower",
    "dev",
    { approle: { tokenMaxTtl: "30m" } },
    undefined,
    'vault-platform:approle.tokenTtl: expected at most tokenMaxTtl (30m); the value is the dev profile\'s default; got "1h"',
  ],
  [
    "token TTL set over the profile's max",
    "prod",
    { approle: { tokenTtl: "2h" } },
    undefined,
    'vault-platform:approle.tokenTtl: expected at most tokenMaxTtl (1h, the prod profile\'s default); got "2h"',
  ],
  [
    "database default TTL from the profile",
    "dev",
    { database: { maxTtl: "10m" } },
    undefined,
    'vault-platform:database.defaultTtl: expected at most maxTtl (10m); the value is the dev profile\'s default; got "1h"',
  ],
];

describe("bad input never gets past loading (exact messages)", () => {
  it.each(CASES)("%s", (_case, stack, overrides, secrets, message) => {
    const problems = problemsOf(stack, overrides, secrets);
    expect(problems).toContain(message);
    // The case is about one thing: nothing else is reported where the base config is valid.
    expect(
      problems.filter(
        (problem) =>
          !problem.startsWith("vault-platform:server.tls.certificate") &&
          !problem.startsWith("vault-platform:tlsPrivateKey"),
      ),
    ).toEqual([message]);
  });

  it("has at least 60 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it("never shows a value stored as secret", () => {
    for (const [, stack, overrides, secrets] of CASES) {
      const text = problemsOf(stack, overrides, secrets).join("\n");
      for (const value of ["hunter2", "Bad-Name", "70000", "db:5432/x"]) {
        if (secrets && JSON.stringify(secrets).includes(value)) {
          expect(text).not.toContain(value);
        }
      }
    }
  });
});

describe("what stays accepted", () => {
  it.each([
    ["IPv6 loopback host", "dev", { postgres: { host: "::1" } }],
    ["IPv4 host", "dev", { postgres: { host: "10.0.0.5" } }],
    ["a long but valid host", "dev", { postgres: { host: "pg-1.prod.eu-west-1.internal" } }],
    ["rotation off", "dev", { transit: { autoRotatePeriod: "0s" } }],
    ["rotation hourly", "dev", { transit: { autoRotatePeriod: "1h" } }],
    ["a large PR number with its own port", "pr-10001", { server: { port: 30000 } }],
    [
      "a digest-pinned image",
      "dev",
      { server: { image: `hashicorp/vault@sha256:${"a".repeat(64)}` } },
    ],
    [
      "a registry with a port",
      "dev",
      { server: { image: "registry.internal:5000/hashicorp/vault:1.20.4" } },
    ],
    ["sibling mounts", "dev", { kv: { path: "team/kv" }, transit: { path: "team/transit" } }],
    [
      "KV paths with dots in names",
      "dev",
      orders({ kv: { read: ["orders/v1.2/*", "orders/.well-known"] } }),
    ],
    [
      "a stronger profile than the stack name",
      "dev",
      {
        profile: "staging",
        postgres: { host: "pg.internal" },
        apps: [{ name: "orders", boundCidrs: ["10.0.0.0/8"] }],
      },
    ],
  ])("%s", (_case, stack, overrides) => {
    expect(problemsOf(stack, overrides)).toEqual([]);
  });

  it("a weaker profile on prod with the loud override", () => {
    const problems = problemsOf("prod", {
      profile: "dev",
      allowWeakerProfile: true,
      server: { flavor: "vault" },
    });
    expect(problems.filter((problem) => problem.startsWith("vault-platform:profile"))).toEqual([]);
  });
});
