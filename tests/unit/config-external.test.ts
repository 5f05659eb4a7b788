import { loadConfig, type PlatformConfig } from "../../stacks/config";
import { testCertificates } from "./contract";
import { stackConfigSource, configProblems } from "./harness";

const CA = testCertificates().caCertPem;

function load(
  stack: string,
  overrides: Record<string, unknown>,
  secrets: Record<string, unknown> = {},
): PlatformConfig {
  return loadConfig(stackConfigSource(stack, overrides, secrets), "vault-platform", stack);
}

const problemsOf = configProblems;

const APPROLE = { method: "approle", roleId: "program-role-id" };
/** An external cluster reaches Postgres over the network: every case names a host. */
const PG = { postgres: { host: "pg.example.internal" } };
/** The program's AppRole login is the admin's auth/approle: the apps' AppRole goes beside it. */
const external = (server: Record<string, unknown>) => ({
  server: { mode: "external", address: "https://vault.example.internal:8200", ...server },
  ...PG,
  approle: { path: "apps" },
});
/** A pull-request environment on a shared cluster, sharing it by path prefix. */
const sharedByPrefix = (extra: Record<string, unknown> = {}) => ({
  ...PG,
  sharedCluster: {
    address: "https://vault.example.internal:8200",
    auth: { method: "jwt", role: "pr", jwtEnv: "CI_JWT" },
    tenancy: "prefix",
  },
  ...extra,
});

// [case, stack, config overrides, secret config, exact messages]
const BAD_INPUTS: [string, string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
  [
    "address that is not a URL",
    "dev",
    external({ address: "vault.example.internal", auth: APPROLE }),
    { vaultSecretId: "s" },
    [
      'vault-platform:server.address: expected a URL like "https://vault.example.internal:8200"; got "vault.example.internal"',
    ],
  ],
  [
    "address with a path",
    "dev",
    external({ address: "https://vault.example.internal/v1", auth: APPROLE }),
    { vaultSecretId: "s" },
    [
      'vault-platform:server.address: expected scheme, host and port only (no path, query, fragment or credentials); got "https://vault.example.internal/v1"',
    ],
  ],
  [
    "address with another scheme",
    "dev",
    external({ address: "ftp://vault.example.internal", auth: APPROLE }),
    { vaultSecretId: "s" },
    [
      'vault-platform:server.address: expected an https:// URL like "https://vault.example.internal:8200"; got "ftp://vault.example.internal"',
    ],
  ],
  [
    "an address in a list that is not a URL",
    "dev",
    external({ address: ["https://a.internal:8200", "b"], auth: APPROLE }),
    { vaultSecretId: "s" },
    [
      'vault-platform:server.address[1]: expected a URL like "https://vault.example.internal:8200"; got "b"',
    ],
  ],
  [
    "empty address list",
    "dev",
    external({ address: [], auth: APPROLE }),
    { vaultSecretId: "s" },
    ["vault-platform:server.address: expected at least one address; got []"],
  ],
  [
    "no address",
    "dev",
    { server: { mode: "external", auth: APPROLE }, ...PG },
    { vaultSecretId: "s" },
    [
      'vault-platform:server.address: server.mode "external" needs the cluster\'s API address, e.g. "https://vault.example.internal:8200"; got nothing',
    ],
  ],
  [
    "http without allowInsecure",
    "dev",
    external({ address: "http://127.0.0.1:8200", auth: APPROLE }),
    { vaultSecretId: "s" },
    [
      'vault-platform:server.address: plain http sends the program\'s token in clear text; expected https:// (or set allowInsecure: true outside staging/prod); got "http://127.0.0.1:8200"',
    ],
  ],
  [
    "http with allowInsecure in staging",
    "staging",
    external({ address: "http://10.0.0.5:8200", allowInsecure: true, auth: APPROLE }),
    { vaultSecretId: "s", postgresAdminPassword: "p" },
    [
      "vault-platform:server.allowInsecure: the staging profile requires TLS to Vault; expected https:// addresses; got true",
    ],
  ],
  [
    "no auth",
    "dev",
    external({}),
    {},
    [
      'vault-platform:server.auth: server.mode "external" needs how the program logs in: {method: token}, {method: approle, roleId} or {method: jwt, role, jwtFile | jwtEnv}; got nothing',
    ],
  ],
  [
    "unknown auth method",
    "dev",
    external({ auth: { method: "userpass" } }),
    {},
    [
      'vault-platform:server.auth.method: expected method "token", "approle", "jwt"; got "userpass"',
    ],
  ],
  [
    "token method without the token",
    "dev",
    external({ auth: { method: "token" } }),
    {},
    [
      'vault-platform:vaultToken: server.auth.method "token" needs the program\'s token, set with `pulumi config set --secret`; got nothing',
    ],
  ],
  [
    "approle method without the secret-id",
    "dev",
    external({ auth: APPROLE }),
    {},
    [
      'vault-platform:vaultSecretId: server.auth.method "approle" needs the program\'s secret-id, set with `pulumi config set --secret`; got nothing',
    ],
  ],
  [
    "approle method without a role_id",
    "dev",
    external({ auth: { method: "approle" } }),
    { vaultSecretId: "s" },
    ["vault-platform:server.auth.roleId: expected a string; got nothing"],
  ],
  [
    "secret-id stored in plain text",
    "dev",
    { ...external({ auth: APPROLE }), vaultSecretId: "plain" },
    {},
    [
      "vault-platform:vaultSecretId: must be stored encrypted: set it with `pulumi config set --secret`; got [secret]",
    ],
  ],
  [
    "jwt method with neither file nor variable",
    "dev",
    external({ auth: { method: "jwt", role: "deployer" } }),
    {},
    [
      'vault-platform:server.auth: server.auth.method "jwt" needs exactly one of jwtFile (a path) or jwtEnv (an environment variable, e.g. the CI\'s OIDC token); got {}',
    ],
  ],
  [
    "jwt method with both file and variable",
    "dev",
    external({ auth: { method: "jwt", role: "deployer", jwtFile: "/t", jwtEnv: "T" } }),
    {},
    [
      'vault-platform:server.auth: server.auth.method "jwt" needs exactly one of jwtFile (a path) or jwtEnv (an environment variable, e.g. the CI\'s OIDC token); got {"jwtFile":"/t","jwtEnv":"T"}',
    ],
  ],
  [
    "jwt variable that is not a name",
    "dev",
    external({ auth: { method: "jwt", role: "deployer", jwtEnv: "$TOKEN" } }),
    {},
    ['vault-platform:server.auth.jwtEnv: expected an environment variable name; got "$TOKEN"'],
  ],
  [
    "a secret the chosen method does not use",
    "dev",
    external({ auth: APPROLE }),
    { vaultSecretId: "s", vaultToken: "t" },
    ['vault-platform:vaultToken: applies to server.auth.method "token" only; got [secret]'],
  ],
  [
    "container fields on an external cluster",
    "dev",
    external({ auth: APPROLE, port: 8300, nodes: 3, tls: { mode: "generated" } }),
    { vaultSecretId: "s" },
    [
      'vault-platform:server.port: applies to a server the program runs (server.mode "dev" or "server"), not to "external"; got 8300',
      'vault-platform:server.nodes: applies to a server the program runs (server.mode "dev" or "server"), not to "external"; got 3',
      'vault-platform:server.tls.mode: applies to a server the program runs; an external cluster takes only server.tls.caCertificate; got "generated"',
    ],
  ],
  [
    "a CA bundle that does not parse",
    "dev",
    external({ auth: APPROLE, tls: { caCertificate: "not a pem" } }),
    { vaultSecretId: "s" },
    [
      'vault-platform:server.tls.caCertificate: expected a PEM bundle of one or more certificates (-----BEGIN CERTIFICATE-----); got "a value that does not parse"',
    ],
  ],
  [
    "audit devices on an external cluster",
    "dev",
    { ...external({ auth: APPROLE }), audit: { devices: ["file"] } },
    { vaultSecretId: "s" },
    [
      'vault-platform:audit.devices: audit devices are cluster-wide: an external cluster\'s operators configure them; expected none; got ["file"]',
    ],
  ],
  [
    "external fields on a server the program runs",
    "dev",
    { server: { address: "https://vault.example.internal:8200", auth: APPROLE } },
    { vaultSecretId: "s" },
    [
      'vault-platform:server.address: applies to server.mode "external" only; got "https://vault.example.internal:8200"',
      'vault-platform:server.auth: applies to server.mode "external" only; got {"method":"approle","roleId":"program-role-id"}',
      'vault-platform:vaultSecretId: applies to server.auth.method "approle" only; got [secret]',
    ],
  ],
  [
    "a namespace on a server the program runs",
    "dev",
    { namespace: { path: "team-a" } },
    {},
    [
      'vault-platform:namespace: applies to server.mode "external" only (a cluster the program does not run); got {"path":"team-a"}',
    ],
  ],
  [
    "a namespace path with a trailing slash",
    "dev",
    { ...external({ auth: APPROLE }), namespace: { path: "team-a/" } },
    { vaultSecretId: "s" },
    [
      'vault-platform:namespace.path: expected a namespace path like "team-a" or "team-a/pr-7" (no leading or trailing "/"); got "team-a/"',
    ],
  ],
  [
    "a reserved namespace name",
    "dev",
    { ...external({ auth: APPROLE }), namespace: { path: "sys" } },
    { vaultSecretId: "s" },
    [
      'vault-platform:namespace.path: "sys" is reserved by Vault; expected another namespace name; got "sys"',
    ],
  ],
  [
    "namespace.create without a path outside pr-<n>",
    "dev",
    { ...external({ auth: APPROLE }), namespace: { create: true } },
    { vaultSecretId: "s" },
    ['vault-platform:namespace.path: expected a namespace path like "team-a"; got nothing'],
  ],
  [
    "a shared cluster with http",
    "pr-7",
    {
      ...PG,
      sharedCluster: {
        address: "http://127.0.0.1:8200",
        auth: { method: "jwt", role: "pr", jwtEnv: "CI_JWT" },
      },
    },
    {},
    [
      'vault-platform:sharedCluster.address: plain http sends the program\'s token in clear text; expected https:// (or set allowInsecure: true outside staging/prod); got "http://127.0.0.1:8200"',
    ],
  ],
  [
    "the apps' AppRole at the path where the program logs in",
    "dev",
    { ...external({ auth: APPROLE }), approle: {} },
    { vaultSecretId: "s" },
    [
      "vault-platform:approle.path: auth/approle is where the program logs in (vault-platform:server.auth), a mount of the cluster's admin; expected another path for the stack's own; got \"approle\"",
    ],
  ],
  [
    "the apps' JWT mount at the path where a shared cluster's program logs in",
    "pr-7",
    {
      ...PG,
      sharedCluster: {
        address: "https://vault.example.internal:8200",
        auth: { method: "jwt", path: "ci", role: "pr", jwtEnv: "CI_JWT", namespace: "pr-7" },
      },
      apps: [
        {
          name: "orders",
          auth: ["jwt"],
          jwt: { boundAudiences: ["orders"], boundClaims: { repository: "example/orders" } },
        },
      ],
      jwt: { path: "ci", jwksUrl: "https://ci.example.internal/keys" },
    },
    {},
    [
      "vault-platform:jwt.path: auth/ci is where the program logs in (vault-platform:sharedCluster.auth), a mount of the cluster's admin; expected another path for the stack's own; got \"ci\"",
    ],
  ],
  [
    "tenancy on a server the program runs",
    "dev",
    { server: { tenancy: "prefix" } },
    {},
    ['vault-platform:server.tenancy: applies to server.mode "external" only; got "prefix"'],
  ],
  [
    "an unknown tenancy",
    "pr-7",
    sharedByPrefix({
      sharedCluster: {
        address: "https://vault.example.internal:8200",
        auth: { method: "jwt", role: "pr", jwtEnv: "CI_JWT" },
        tenancy: "paths",
      },
    }),
    {},
    ['vault-platform:sharedCluster.tenancy: expected one of "namespace", "prefix"; got "paths"'],
  ],
  [
    "tenancy prefix on a stack whose name is no path segment",
    "Team.A",
    { ...external({ auth: { method: "token" }, tenancy: "prefix" }), profile: "dev" },
    { vaultToken: "t" },
    [
      'vault-platform:server.tenancy: "prefix" puts the stack\'s mounts, auth paths and policies under its name, and "Team.A" is not one path segment of lower case letters, digits, "_" and "-" that Vault leaves free; expected "namespace" for this stack; got "prefix"',
    ],
  ],
  [
    "tenancy prefix on a stack named like a path Vault keeps",
    "identity",
    { ...external({ auth: { method: "token" }, tenancy: "prefix" }), profile: "dev" },
    { vaultToken: "t" },
    [
      'vault-platform:server.tenancy: "prefix" puts the stack\'s mounts, auth paths and policies under its name, and "identity" is not one path segment of lower case letters, digits, "_" and "-" that Vault leaves free; expected "namespace" for this stack; got "prefix"',
    ],
  ],
  [
    "teams and people under tenancy prefix",
    "pr-7",
    sharedByPrefix({
      teams: [{ name: "payments", groups: ["eng-payments"], apps: ["orders"] }],
      people: { auth: { method: "jwt", jwksUrl: "https://idp.example.internal/keys" } },
    }),
    {},
    [
      'vault-platform:teams: identity groups are shared by every stack of the namespace, and sharedCluster.tenancy "prefix" fences off paths and policy names only; expected no teams under it; got ["payments"]',
      'vault-platform:people: identity groups are shared by every stack of the namespace, and sharedCluster.tenancy "prefix" fences off paths and policy names only; expected no people login under it; got {"auth":{"method":"jwt","jwksUrl":"https://idp.example.internal/keys"}}',
    ],
  ],
  [
    "unknown key in a shared cluster",
    "pr-7",
    { sharedCluster: { address: "https://v.internal", adress: "x" } },
    {},
    ['vault-platform:sharedCluster: unknown key "adress"; got ["address","adress"]'],
  ],
];

describe("external mode: bad config names the key before anything is created", () => {
  it.each(BAD_INPUTS)("%s", (_case, stack, overrides, secrets, messages) => {
    expect(problemsOf(stack, overrides, secrets)).toEqual(messages);
  });

  it("never shows a secret-id or token value", () => {
    const problems = problemsOf(
      "dev",
      { ...external({ auth: APPROLE }), vaultSecretId: "hunter2-secret-id" },
      { vaultToken: "hunter2-token" },
    ).join("\n");
    expect(problems).not.toContain("hunter2");
  });
});

describe("external mode: resolution", () => {
  it("a named stack: addresses without trailing slash, approle in the root namespace, no namespace", () => {
    const config = load(
      "staging",
      {
        ...external({
          flavor: "openbao",
          address: ["https://a.internal:8200/", "https://b.internal:8200"],
          auth: APPROLE,
          tls: { caCertificate: CA },
        }),
        postgres: { host: "pg.internal" },
      },
      { vaultSecretId: "s", postgresAdminPassword: "p" },
    );
    expect(config.server.mode).toBe("external");
    expect(config.server.flavor).toBe("openbao");
    expect(config.audit.devices).toEqual([]);
    expect(config.vaultToken).toBeUndefined();
    expect(config.namespace).toBeUndefined();
    expect(config.external).toMatchObject({
      addresses: ["https://a.internal:8200", "https://b.internal:8200"],
      caCertificate: CA,
      auth: { method: "approle", path: "approle", roleId: "program-role-id" },
    });
  });

  it("a pr-<n> stack with a shared cluster lives in its own namespace, created with it", () => {
    const config = load("pr-7", {
      ...PG,
      sharedCluster: {
        flavor: "openbao",
        address: "https://vault.example.internal:8200",
        auth: { method: "jwt", path: "ci", role: "pr-environments", jwtEnv: "CI_JWT" },
      },
    });
    expect(config.server.mode).toBe("external");
    expect(config.server.flavor).toBe("openbao");
    expect(config.namespace).toEqual({ path: "pr-7", create: true, tenancyKey: "sharedCluster" });
    expect(config.pathPrefix).toBeUndefined();
    expect(config.kv.path).toBe("secret");
    expect(config.external?.auth).toEqual({
      method: "jwt",
      path: "ci",
      role: "pr-environments",
      jwtEnv: "CI_JWT",
      jwtFile: undefined,
      namespace: undefined,
    });
  });

  it("a pr-<n> stack sharing the cluster by prefix: no namespace, every path and policy under pr-7", () => {
    const config = load(
      "pr-7",
      sharedByPrefix({
        apps: [
          {
            name: "orders",
            kv: { read: ["orders/*"] },
            database: "readwrite",
            auth: ["approle", "jwt", "kubernetes"],
            jwt: { boundAudiences: ["orders"], boundClaims: { repository: "example/orders" } },
            kubernetes: { serviceAccounts: ["orders"], namespaces: ["shop"] },
          },
        ],
        jwt: { jwksUrl: "https://ci.example.internal/keys", boundIssuer: "https://ci" },
        kubernetes: { host: "https://k8s.example.internal", useClientJwt: true },
      }),
    );
    expect(config.server.mode).toBe("external");
    expect(config.namespace).toBeUndefined();
    expect(config.pathPrefix).toBe("pr-7");
    expect({
      kv: config.kv.path,
      database: config.database.path,
      transit: config.transit.path,
      approle: config.approle.path,
      jwt: config.jwt?.path,
      kubernetes: config.kubernetes?.path,
    }).toEqual({
      kv: "pr-7/secret",
      database: "pr-7/database",
      transit: "pr-7/transit",
      approle: "pr-7/approle",
      jwt: "pr-7/jwt",
      kubernetes: "pr-7/kubernetes",
    });
    // The program's own login is the cluster admin's: never under the stack's prefix.
    expect(config.external?.auth).toMatchObject({ method: "jwt", path: "jwt" });
  });

  it("configured paths go under the prefix too, and a shared namespace is not created", () => {
    const config = load(
      "pr-7",
      sharedByPrefix({ kv: { path: "kv/apps" }, namespace: { path: "ci" } }),
    );
    expect(config.kv.path).toBe("pr-7/kv/apps");
    expect(config.namespace).toEqual({ path: "ci", create: false });
  });

  it("a named stack takes its own name as the prefix, the apps' AppRole beside the login's", () => {
    const config = load(
      "staging",
      {
        ...external({ auth: APPROLE, tenancy: "prefix" }),
        postgres: { host: "pg.internal" },
        approle: {},
      },
      { vaultSecretId: "s", postgresAdminPassword: "p" },
    );
    expect(config.pathPrefix).toBe("staging");
    expect(config.approle.path).toBe("staging/approle");
    expect(config.namespace).toBeUndefined();
  });

  it("a pr-<n> stack without a shared cluster still runs its own dev container", () => {
    const config = load("pr-7", {});
    expect(config.server.mode).toBe("dev");
    expect(config.external).toBeUndefined();
  });

  it("staging on a cluster it does not run keeps a loopback Postgres: no container rule applies", () => {
    // Staging's containers default to a bridge network, whose rule about the host's loopback
    // would point to server.network, a key external mode refuses.
    const overrides = {
      ...external({ auth: APPROLE, tls: { caCertificate: CA } }),
      postgres: { host: "127.0.0.1" },
    };
    const secrets = { vaultSecretId: "s", postgresAdminPassword: "p" };
    expect(problemsOf("staging", overrides, secrets)).toEqual([]);
    expect(load("staging", overrides, secrets).postgres.host).toBe("127.0.0.1");
  });

  it("the apps' AppRole may take the login's path where the login is in another namespace", () => {
    const config = load(
      "dev",
      {
        ...external({ auth: { ...APPROLE, namespace: "admin" } }),
        approle: {},
        namespace: { path: "team-a" },
      },
      { vaultSecretId: "s" },
    );
    expect(config.approle.path).toBe("approle");
    expect(config.external?.auth).toMatchObject({ path: "approle", namespace: "admin" });
  });

  it("a named namespace is not created unless asked", () => {
    const config = load(
      "dev",
      { ...external({ auth: { method: "token" } }), namespace: { path: "team-a/dev" } },
      { vaultToken: "t" },
    );
    expect(config.namespace).toEqual({ path: "team-a/dev", create: false });
    expect(config.external?.auth.method).toBe("token");
  });
});
