import * as pulumi from "@pulumi/pulumi";
import { Platform } from "./infra/platform";
import { loadConfig, pulumiConfigSource } from "./stacks/config";

const config = loadConfig(pulumiConfigSource(), pulumi.getProject(), pulumi.getStack());
const platform = new Platform("platform", { config });

export const profile = config.profile;
export const flavor = config.server.flavor;
export const serverMode = config.server.mode;
export const vaultAddress = platform.address;
/** External cluster: every address the checks may fail over to, the configured one first. */
export const vaultAddresses = config.external?.addresses;
/** External cluster: the namespace the environment lives in (none: the root). */
export const namespace = platform.namespace;
/** With TLS: the CA certificate clients trust (not a secret). */
export const vaultCaCertificate = platform.caCert;
export const container = platform.server?.container.name;
/** Every node's container, the first (initialized) one first. */
export const containers = platform.server?.nodes.map((node) => node.container.name);
export const auditLogPath = platform.server?.auditLogPath;
export const mounts = {
  kv: platform.kv.path,
  database: platform.database.mount.path,
  transit: platform.transit.mount.path,
  approle: platform.approle.backend.path,
  kubernetes: platform.kubernetesLogins?.backend.path,
  jwt: platform.jwtLogins?.backend.path,
};
export const auditDevices = platform.audit.paths;
export const postgres = {
  host: config.postgres.host,
  port: config.postgres.port,
  database: config.postgres.database,
  vaultRole: platform.database.vaultRole.name,
};
export const apps = platform.apps;
export const wrappedSecretIds = platform.approle.wrappedSecretIds;
/** Dev mode only: the generated root token, as a secret (`pulumi stack output --show-secrets`). */
export const rootToken = config.server.mode === "dev" ? platform.server?.token : undefined;
/** Server mode the program initialized: the scoped provisioner token, as a secret. */
export const provisionerToken = platform.bootstrap?.token;
