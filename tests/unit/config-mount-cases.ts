/**
 * Bad config of what the server holds and hands out (Postgres, KV, database, transit, AppRole, audit
 * devices, apps, seeds), each with the exact message loadConfig gives.
 */
import type { BadInput } from "./config-fixtures";

export const MOUNT_BAD_INPUTS: BadInput[] = [
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
    "seeds in plain text",
    "dev",
    { seeds: { "a/b": { data: { k: "v" } } } },
    "vault-platform:seeds: must be stored encrypted: set it with `pulumi config set --secret`; got nothing",
  ],
];
