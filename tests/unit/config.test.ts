import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig } from "../../stacks/config";
import { stackConfigSource } from "./harness";

function problemsOf(
  stack: string,
  overrides: Record<string, unknown>,
  secrets?: Record<string, unknown>,
): string[] {
  const secretConfig = secrets ?? (stack === "dev" ? {} : { vaultToken: "t" });
  try {
    loadConfig(stackConfigSource(stack, overrides, secretConfig), "vault-platform", stack);
  } catch (error) {
    if (error instanceof ConfigError) {
      return [...error.problems];
    }
    throw error;
  }
  throw new Error("expected a ConfigError");
}

// [case, stack, config overrides, exact message]
const BAD_INPUTS: [string, string, Record<string, unknown>, string][] = [
  [
    "stack with no implied profile",
    "feature-x",
    {},
    'vault-platform:profile: stack "feature-x" has no implied profile (dev, staging, prod, pr-<n>); expected one of "dev", "staging", "prod", "ephemeral"; got nothing',
  ],
  [
    "unknown profile",
    "dev",
    { profile: "qa" },
    'vault-platform:profile: expected one of "dev", "staging", "prod", "ephemeral"; got "qa"',
  ],
  [
    "ephemeral profile on a non-PR stack",
    "dev",
    { profile: "ephemeral" },
    'vault-platform:profile: the ephemeral profile needs a stack named pr-<n>, not "dev"; got "ephemeral"',
  ],
  [
    "protect not a boolean",
    "dev",
    { protect: "yes" },
    'vault-platform:protect: expected true or false; got "yes"',
  ],
  [
    "unknown flavor",
    "dev",
    { server: { flavor: "consul" } },
    'vault-platform:server.flavor: expected one of "vault", "openbao"; got "consul"',
  ],
  [
    "image on latest",
    "dev",
    { server: { image: "hashicorp/vault:latest" } },
    'vault-platform:server.image: expected an image pinned to a version tag or digest (not "latest", not untagged); got "hashicorp/vault:latest"',
  ],
  [
    "untagged image",
    "dev",
    { server: { image: "hashicorp/vault" } },
    'vault-platform:server.image: expected an image pinned to a version tag or digest (not "latest", not untagged); got "hashicorp/vault"',
  ],
  [
    "unknown server mode",
    "dev",
    { server: { mode: "prod" } },
    'vault-platform:server.mode: expected one of "dev", "server", "external"; got "prod"',
  ],
  [
    "bind address not IPv4",
    "dev",
    { server: { bindAddress: "localhost" } },
    'vault-platform:server.bindAddress: expected an IPv4 address; got "localhost"',
  ],
  [
    "port out of range",
    "dev",
    { server: { port: 70000 } },
    "vault-platform:server.port: expected an integer port from 1 to 65535; got 70000",
  ],
  [
    "port as a string",
    "dev",
    { server: { port: "8200" } },
    'vault-platform:server.port: expected an integer port from 1 to 65535; got "8200"',
  ],
  [
    "unknown server key",
    "dev",
    { server: { tlsCert: "x" } },
    'vault-platform:server: unknown key "tlsCert"; got ["tlsCert"]',
  ],
  [
    "database not an identifier",
    "dev",
    { postgres: { database: "My-DB" } },
    'vault-platform:postgres.database: expected a Postgres identifier ([a-z_][a-z0-9_]*); got "My-DB"',
  ],
  [
    "unsupported sslmode",
    "dev",
    { postgres: { sslmode: "prefer" } },
    'vault-platform:postgres.sslmode: expected one of "disable", "require", "verify-ca", "verify-full"; got "prefer"',
  ],
  [
    "empty connection pool",
    "dev",
    { postgres: { maxOpenConnections: 0 } },
    "vault-platform:postgres.maxOpenConnections: expected an integer of at least 1; got 0",
  ],
  [
    "mount path with slashes",
    "dev",
    { kv: { path: "/secret/" } },
    'vault-platform:kv.path: expected a mount path like "secret" or "team/kv" (lower case, no leading or trailing "/"); got "/secret/"',
  ],
  [
    "negative max versions",
    "dev",
    { kv: { maxVersions: -1 } },
    "vault-platform:kv.maxVersions: expected an integer from 0 to 1000; got -1",
  ],
  [
    "duration in words",
    "dev",
    { kv: { deleteVersionAfter: "1 hour" } },
    'vault-platform:kv.deleteVersionAfter: expected a duration like "30s", "15m", "1h30m" or "7d"; got "1 hour"',
  ],
  [
    "zero credential TTL",
    "dev",
    { database: { defaultTtl: "0s" } },
    'vault-platform:database.defaultTtl: expected a duration greater than zero; got "0s"',
  ],
  [
    "default TTL above max TTL",
    "dev",
    { database: { defaultTtl: "48h", maxTtl: "24h" } },
    'vault-platform:database.defaultTtl: expected at most maxTtl (24h); got "48h"',
  ],
  [
    "unlimited secret-id uses",
    "dev",
    { approle: { secretIdNumUses: 0 } },
    "vault-platform:approle.secretIdNumUses: expected an integer of at least 1 (0 would allow unlimited uses); got 0",
  ],
  [
    "token TTL above max",
    "dev",
    { approle: { tokenTtl: "8h", tokenMaxTtl: "4h" } },
    'vault-platform:approle.tokenTtl: expected at most tokenMaxTtl (4h); got "8h"',
  ],
  [
    "secret-id that never expires",
    "dev",
    { approle: { secretIdTtl: "0s" } },
    'vault-platform:approle.secretIdTtl: expected a duration greater than zero; got "0s"',
  ],
  [
    "no audit device",
    "dev",
    { audit: { devices: [] } },
    "vault-platform:audit.devices: expected at least one audit device; got []",
  ],
  [
    "audit device twice",
    "dev",
    { audit: { devices: ["file", "file"] } },
    'vault-platform:audit.devices: expected each audit device at most once; got ["file","file"]',
  ],
  [
    "unknown audit device",
    "dev",
    { audit: { devices: ["syslog"] } },
    'vault-platform:audit.devices[0]: expected one of "file", "stdout"; got "syslog"',
  ],
  [
    "staging with one audit device",
    "staging",
    { audit: { devices: ["file"] } },
    'vault-platform:audit.devices: the staging profile needs at least 2 audit devices; got ["file"]',
  ],
  [
    "no apps",
    "dev",
    { apps: [] },
    "vault-platform:apps: expected at least one app (see README: adding an app); got []",
  ],
  [
    "app name in capitals",
    "dev",
    { apps: [{ name: "Orders" }] },
    "vault-platform:apps[0].name: expected an app name of 2-32 characters: lower case letters, digits and '-'; got \"Orders\"",
  ],
  [
    "duplicate app",
    "dev",
    { apps: [{ name: "orders" }, { name: "orders" }] },
    'vault-platform:apps[1].name: app names must be unique; got "orders"',
  ],
  [
    "unknown database access",
    "dev",
    { apps: [{ name: "orders", database: "admin" }] },
    'vault-platform:apps[0].database: expected one of "none", "readonly", "readwrite"; got "admin"',
  ],
  [
    "CIDR without prefix",
    "dev",
    { apps: [{ name: "orders", boundCidrs: ["10.0.0.0"] }] },
    'vault-platform:apps[0].boundCidrs[0]: expected a CIDR like "10.0.0.0/8"; got "10.0.0.0"',
  ],
  [
    "absolute KV path",
    "dev",
    { apps: [{ name: "orders", kv: { read: ["/orders"] } }] },
    'vault-platform:apps[0].kv.read[0]: expected a KV path like "orders/*" or "orders/config" (no leading "/"); got "/orders"',
  ],
  [
    "transit key of two apps",
    "dev",
    {
      apps: [
        { name: "orders", transitKeys: ["k"] },
        { name: "billing", transitKeys: ["k"] },
      ],
    },
    'vault-platform:apps[1].transitKeys: transit key "k" already belongs to app "orders"; got ["k"]',
  ],
  [
    "misspelt app key",
    "dev",
    { apps: [{ name: "orders", dbAccess: "readonly" }] },
    'vault-platform:apps[0]: unknown key "dbAccess"; got ["name","dbAccess"]',
  ],
  [
    "staging app without CIDRs",
    "staging",
    { apps: [{ name: "orders" }] },
    "vault-platform:apps[0].boundCidrs: the staging profile requires AppRole logins bound to CIDRs; got []",
  ],
  [
    "staging in dev mode",
    "staging",
    { server: { mode: "dev" } },
    'vault-platform:server.mode: the staging profile does not allow a dev-mode server; expected "server"; got "dev"',
  ],
  [
    "staging unprotected",
    "staging",
    { protect: false },
    "vault-platform:protect: the staging profile keeps data-bearing resources protected; expected true; got false",
  ],
  [
    "bridge network to loopback Postgres",
    "dev",
    { server: { network: "bridge" }, postgres: { host: "127.0.0.1" } },
    'vault-platform:postgres.host: a container on a bridge network cannot reach the host\'s loopback; set vault-platform:server.network to "host" or use an address Vault can reach; got "127.0.0.1"',
  ],
  [
    "the stack's own Postgres on a bridge network",
    "dev",
    { server: { network: "bridge" } },
    'vault-platform:postgres.host: the stack\'s own Postgres runs on the host network; set vault-platform:server.network to "host", or postgres.host to a server Vault can reach; got nothing',
  ],
  [
    "an image for the stack's own Postgres beside a given host",
    "dev",
    { postgres: { host: "db.internal", image: "postgres:15.18" } },
    'vault-platform:postgres.image: applies only to the stack\'s own Postgres, which runs where postgres.host is unset; got "postgres:15.18"',
  ],
  [
    "an unpinned image for the stack's own Postgres",
    "pr-7",
    { postgres: { image: "postgres:latest" } },
    'vault-platform:postgres.image: expected an image pinned to a version tag or digest (not "latest", not untagged); got "postgres:latest"',
  ],
  [
    "TLS to the stack's own Postgres",
    "pr-7",
    { postgres: { sslmode: "require" } },
    'vault-platform:postgres.sslmode: the stack\'s own Postgres listens on loopback without TLS; expected "disable" or a postgres.host; got "require"',
  ],
  [
    "two engines on one path",
    "dev",
    { transit: { path: "secret" } },
    'vault-platform:transit.path: mount path is already used by vault-platform:kv.path; got "secret"',
  ],
  [
    "threshold above shares",
    "staging",
    { server: { unsealKeyShares: 2, unsealKeyThreshold: 3 } },
    "vault-platform:server.unsealKeyThreshold: expected at most unsealKeyShares (2); got 3",
  ],
  [
    "root token revocation in dev mode",
    "dev",
    { server: { revokeRootToken: true } },
    "vault-platform:server.revokeRootToken: applies to server mode only; a dev server's root token is generated; got true",
  ],
  [
    "TLS on a dev-mode server",
    "dev",
    { server: { tls: { mode: "generated" } } },
    'vault-platform:server.tls.mode: applies to server mode only; a dev-mode server listens on plain HTTP; expected "disabled"; got "generated"',
  ],
  [
    "staging without TLS",
    "staging",
    { server: { tls: { mode: "disabled" } } },
    'vault-platform:server.tls.mode: the staging profile requires TLS on the listener; expected "generated" or "provided"; got "disabled"',
  ],
  [
    "unknown TLS mode",
    "staging",
    { server: { tls: { mode: "self-signed" } } },
    'vault-platform:server.tls.mode: expected one of "disabled", "generated", "provided"; got "self-signed"',
  ],
  [
    "generated certificate valid for minutes",
    "staging",
    { server: { tls: { validity: "30m" } } },
    'vault-platform:server.tls.validity: expected at least 1h; got "30m"',
  ],
  [
    "a DNS name that is not one",
    "staging",
    { server: { tls: { dnsNames: ["vault.internal", "Bad_Name"] } } },
    'vault-platform:server.tls.dnsNames[1]: expected a DNS name like "vault.example.internal"; got "Bad_Name"',
  ],
  [
    "a certificate with a generated one",
    "staging",
    { server: { tls: { certificate: "-----BEGIN CERTIFICATE-----" } } },
    'vault-platform:server.tls.certificate: applies to server.tls.mode "provided" only; got "-----BEGIN CERTIFICATE-----"',
  ],
  [
    "names for a certificate that is not generated",
    "dev",
    { server: { mode: "server", tls: { mode: "disabled", dnsNames: ["vault.internal"] } } },
    'vault-platform:server.tls.dnsNames: applies to server.tls.mode "generated" only; got ["vault.internal"]',
  ],
  [
    "an even raft cluster",
    "staging",
    { server: { nodes: 2 } },
    "vault-platform:server.nodes: expected 1, 3 or 5 (a raft cluster needs an odd number of nodes); got 2",
  ],
  [
    "a dev-mode cluster",
    "dev",
    { server: { nodes: 3 } },
    "vault-platform:server.nodes: applies to server mode only; a dev-mode server is one in-memory node; expected 1; got 3",
  ],
  [
    "seeds in plain text",
    "dev",
    { seeds: { "a/b": { data: { k: "v" } } } },
    "vault-platform:seeds: must be stored encrypted: set it with `pulumi config set --secret`; got nothing",
  ],
];

describe("loadConfig rejects bad config with a message naming key, value and expectation", () => {
  it.each(BAD_INPUTS)("%s", (_case, stack, overrides, message) => {
    expect(problemsOf(stack, overrides)).toEqual([message]);
  });

  it("has at least 25 cases", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
  });

  // Secret keys: the value must never appear in the message.
  const SECRET_CASES: [string, Record<string, unknown>, string][] = [
    [
      "seed without data",
      { seeds: { "a/b": { mode: "overwrite" } } },
      "vault-platform:seeds.a/b.data: expected an object; got nothing",
    ],
    [
      "seed with unknown mode",
      { seeds: { "a/b": { mode: "always", data: { k: "hunter2" } } } },
      'vault-platform:seeds.a/b.mode: expected one of "overwrite", "create-once"; got [secret]',
    ],
    [
      "seed path with leading slash",
      { seeds: { "/a": { data: { k: "hunter2" } } } },
      'vault-platform:seeds./a: expected a KV path like "orders/config"; got [secret]',
    ],
  ];
  it.each(SECRET_CASES)("%s (secret value hidden)", (_case, secrets, message) => {
    const problems = problemsOf("dev", {}, secrets);
    expect(problems).toEqual([message]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("reports every problem at once", () => {
    const problems = problemsOf("dev", {
      server: { flavor: "x", port: 0 },
      kv: { maxVersions: 5000 },
    });
    expect(problems).toHaveLength(3);
    expect(() =>
      loadConfig(stackConfigSource("dev", { server: { flavor: "x" } }), "vault-platform", "dev"),
    ).toThrow(/^Invalid stack config:\n {2}- vault-platform:server.flavor: /);
  });
});

describe("empty values (the declared defaults in Pulumi.yaml) mean unset", () => {
  it("treats empty secrets, profile, protect and seeds as not configured", () => {
    const config = loadConfig(
      stackConfigSource(
        "dev",
        { profile: "", protect: "", seeds: {} },
        { vaultToken: "", postgresAdminPassword: "" },
      ),
      "vault-platform",
      "dev",
    );
    expect(config.profile).toBe("dev");
    expect(config.protect).toBe(false);
    expect(config.vaultToken).toBeUndefined();
    expect(config.postgres.adminPassword).toBeUndefined();
    expect(config.seeds).toEqual([]);
  });

  it("refuses a password stored in plain text, without showing it", () => {
    expect(problemsOf("dev", { postgresAdminPassword: "hunter2" })).toEqual([
      "vault-platform:postgresAdminPassword: must be stored encrypted: set it with `pulumi config set --secret`; got [secret]",
    ]);
  });
});

describe("loadConfig resolves profiles", () => {
  it("gives dev its defaults", () => {
    const config = loadConfig(stackConfigSource("dev"), "vault-platform", "dev");
    expect(config.profile).toBe("dev");
    expect(config.protect).toBe(false);
    expect(config.server).toEqual({
      flavor: "vault",
      image: "hashicorp/vault:1.20.4",
      mode: "dev",
      network: "host",
      bindAddress: "127.0.0.1",
      port: 8200,
      unsealKeyShares: 3,
      unsealKeyThreshold: 2,
      revokeRootToken: false,
      unsealPgpKeys: [],
      nodes: 1,
      tls: { mode: "disabled" },
    });
    expect(config.postgres).toMatchObject({
      host: "127.0.0.1",
      database: "vp_dev",
      createDatabase: true,
    });
    expect(config.approle).toEqual({
      path: "approle",
      tokenTtlSeconds: 3600,
      tokenMaxTtlSeconds: 14400,
      secretIdTtlSeconds: 86400,
      secretIdNumUses: 10,
      secretIdWrapTtl: "5m",
    });
    expect(config.apps.map((app) => [app.name, app.database, app.kv.read])).toEqual([
      ["orders", "readwrite", ["orders/*"]],
      ["reporting", "readonly", ["reporting/*"]],
    ]);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it.each([
    ["pr-1", 20002],
    ["pr-7", 20014],
    ["pr-42", 20084],
  ])("gives %s its own port and database", (stack, port) => {
    const config = loadConfig(stackConfigSource(stack), "vault-platform", stack);
    expect(config.profile).toBe("ephemeral");
    expect(config.server.port).toBe(port);
    expect(config.postgres.database).toBe(`vp_${stack.replace("-", "_")}`);
  });

  it("lets an explicit value win over the profile", () => {
    const config = loadConfig(
      stackConfigSource("dev", {
        server: { flavor: "openbao", port: 18200 },
        kv: { maxVersions: 3 },
      }),
      "vault-platform",
      "dev",
    );
    expect(config.server.image).toBe("openbao/openbao:2.6.2");
    expect(config.server.port).toBe(18200);
    expect(config.kv.maxVersions).toBe(3);
  });

  it("keeps seeds and passwords secret", async () => {
    const config = loadConfig(
      stackConfigSource(
        "dev",
        {},
        {
          seeds: { "orders/config": { data: { api_key: "k1" } } },
          postgresAdminPassword: "pw",
        },
      ),
      "vault-platform",
      "dev",
    );
    expect(config.seeds.map((seed) => [seed.path, seed.mode])).toEqual([
      ["orders/config", "overwrite"],
    ]);
    expect(await pulumi.isSecret(config.seeds[0].dataJson)).toBe(true);
    expect(await pulumi.isSecret(config.postgres.adminPassword as pulumi.Output<string>)).toBe(
      true,
    );
  });

  it("takes a non-JSON profile string", () => {
    const source = stackConfigSource("pr-3");
    const config = loadConfig(
      {
        get: (key) => (key === "vault-platform:profile" ? "ephemeral" : source.get(key)),
        isSecret: () => false,
      },
      "vault-platform",
      "pr-3",
    );
    expect(config.profile).toBe("ephemeral");
  });
});
