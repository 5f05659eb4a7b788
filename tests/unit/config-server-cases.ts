/**
 * Bad profile, protection and server config (flavor, image, mode, address, port, unsealing, TLS,
 * raft nodes), each with the exact message loadConfig gives.
 */
import type { BadInput } from "./config-fixtures";

export const SERVER_BAD_INPUTS: BadInput[] = [
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
];
