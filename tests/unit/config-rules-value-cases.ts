/**
 * Bad single values, each refused with the key and an exact message: malformed durations, secrets
 * never shown, typos, derived ports, path segments, colliding resource names, hosts, DNS names.
 */
import { Case, orders } from "./config-fixtures";

const DURATION = 'expected a duration like "30s", "15m", "1h30m" or "7d"';
const HOST =
  "expected a host name or IP address only (ASCII letters, digits, '-' and '.', at most 253 characters; port, database and options have keys of their own)";
const server = { mode: "server" };
/** Five labels of 63 characters: every label valid, the name past RFC 1035's 253. */
const NAME_319 = Array.from({ length: 5 }, () => "a".repeat(63)).join(".");

export const VALUE_CASES: Case[] = [
  // Backups.
  [
    "no snapshot kept",
    "staging",
    { backup: { keep: 0 } },
    undefined,
    "vault-platform:backup.keep: expected at least 1 snapshot kept; got 0",
  ],
  [
    "half a snapshot kept",
    "staging",
    { backup: { keep: 2.5 } },
    undefined,
    "vault-platform:backup.keep: expected a whole number of snapshots, 1 to 100; got 2.5",
  ],
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
  // Auth paths: Vault's built-in token backend is not a path of the program's.
  [
    "approle at the token backend's path",
    "dev",
    { approle: { path: "token" } },
    undefined,
    'vault-platform:approle.path: "token" is Vault\'s built-in token backend (auth/token); expected another path; got "token"',
  ],
  [
    "jwt login at the token backend's path",
    "dev",
    { jwt: { path: "token", jwksUrl: "https://issuer.example/jwks" } },
    undefined,
    'vault-platform:jwt.path: "token" is Vault\'s built-in token backend (auth/token); expected another path; got "token"',
  ],
  // DNS names: RFC 1035 lengths.
  [
    "DNS name of 319 characters",
    "dev",
    { server: { ...server, tls: { dnsNames: [NAME_319] } } },
    undefined,
    `vault-platform:server.tls.dnsNames[0]: expected a DNS name of at most 253 characters (RFC 1035); got ${JSON.stringify(NAME_319).slice(0, 77)}...`,
  ],
  [
    "DNS label of 64 characters",
    "dev",
    { server: { ...server, tls: { dnsNames: [`${"a".repeat(64)}.example`] } } },
    undefined,
    `vault-platform:server.tls.dnsNames[0]: expected a DNS name like "vault.example.internal"; got "${"a".repeat(64)}.example"`,
  ],
  // The server beside the stack's own Postgres.
  [
    "dev server on the embedded Postgres's port",
    "dev",
    { server: { port: 9432 } },
    undefined,
    "vault-platform:server.port: the stack's own Postgres listens on 127.0.0.1:9432, which the server would use too (ports 9432-9433); expected another port, or set vault-platform:postgres.port; got 9432",
  ],
  [
    "dev server's cluster port on the embedded Postgres's port",
    "dev",
    { server: { port: 9431 } },
    undefined,
    "vault-platform:server.port: the stack's own Postgres listens on 127.0.0.1:9432, which the server would use too (ports 9431-9432); expected another port, or set vault-platform:postgres.port; got 9431",
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
];
