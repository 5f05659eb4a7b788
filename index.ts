import * as pulumi from "@pulumi/pulumi";
import { Platform } from "./infra/platform";
import { loadConfig, pulumiConfigSource } from "./stacks/config";

const config = loadConfig(pulumiConfigSource(), pulumi.getProject(), pulumi.getStack());
const platform = new Platform("platform", { config });

/**
 * The stack's outputs. A value this stack does not have (no TLS, no external cluster, no
 * server container) is left out rather than exported as undefined, which the engine would warn
 * about on every run.
 */
const outputs = {
  profile: config.profile,
  flavor: config.server.flavor,
  serverMode: config.server.mode,
  vaultAddress: platform.address,
  /** External cluster: every address the checks may fail over to, the configured one first. */
  vaultAddresses: config.external?.addresses,
  /** External cluster: the namespace the environment lives in (none: the root). */
  namespace: platform.namespace,
  /** External cluster, tenancy "prefix": what the stack's mounts, auth paths and policies start with. */
  pathPrefix: config.pathPrefix,
  /** With TLS: the CA certificate clients trust (not a secret). */
  vaultCaCertificate: platform.caCert,
  container: platform.server?.container.name,
  /** Every node's container, the first (initialized) one first. */
  containers: platform.server?.nodes.map((node) => node.container.name),
  auditLogPath: platform.server?.auditLogPath,
  mounts: {
    kv: platform.kv.path,
    database: platform.database.mount.path,
    transit: platform.transit.mount.path,
    pki: platform.pki?.mount.path,
    approle: platform.approle.backend.path,
    kubernetes: platform.kubernetesLogins?.backend.path,
    jwt: platform.jwtLogins?.backend.path,
    people: platform.people?.backend.path,
  },
  auditDevices: platform.audit.paths,
  postgres: {
    host: config.postgres.host,
    port: config.postgres.port,
    database: config.postgres.database,
    vaultRole: platform.database.vaultRole.name,
  },
  apps: platform.apps,
  /** Teams: their policy, IdP groups, apps and access (none where no team is configured). */
  teams: config.teams.length > 0 ? platform.teams : undefined,
  /** How people log in: the method, the mount and the one role. */
  people: config.people
    ? { method: config.people.method, path: config.people.path, role: config.people.role }
    : undefined,
  /**
   * The stack's CA: the issuing mount, what clients trust, the chain apps' certificates carry,
   * and the intermediate's CSR (external mode: what your CA signs). No key: they stay in Vault.
   */
  pki: platform.pki && {
    mode: config.pki?.mode,
    path: platform.pki.mount.path,
    caCertificate: platform.pki.caCertificate,
    chain: platform.pki.chain,
    csr: platform.pki.csr,
    ready: platform.pki.chain !== undefined,
  },
  wrappedSecretIds: platform.approle.wrappedSecretIds,
  /** Dev mode only: the generated root token, as a secret (`pulumi stack output --show-secrets`). */
  rootToken: config.server.mode === "dev" ? platform.server?.token : undefined,
  /** Server mode the program initialized: the scoped provisioner token, as a secret. */
  provisionerToken: platform.bootstrap?.token,
  /** Server mode the program initialized: which unseal keys it holds (a fingerprint, not a key). */
  unsealKeyset: platform.server?.init?.keyset,
};

function definedOnly<T extends object>(values: T): T {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as T;
}

export = definedOnly(outputs);
