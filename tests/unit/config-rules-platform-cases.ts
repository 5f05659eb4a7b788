/**
 * Values that are well formed but wrong for Vault or for the platform, each refused with the key
 * and an exact message: reserved and overlapping mounts, images, durations Vault refuses, SQL role
 * names, weaker profiles, CIDRs that bind nothing, and where a value came from.
 */
import type { Case } from "./config-fixtures";

const IMAGE =
  "expected an image reference Docker accepts, like hashicorp/vault:1.20.4 (lower case name, tag or @sha256 digest)";
const TEN_YEARS = "expected at most 87600h (ten years)";

export const PLATFORM_CASES: Case[] = [
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
