/**
 * Settings that are legitimate somewhere but weaken an environment: Postgres connections
 * without TLS, secret-ids usable a hundred times or more, a server whose unseal key is not split.
 * They are findings (advisory in dev and pull-request stacks, mandatory in staging and prod)
 * rather than config errors. Pure checks, as in rules.ts.
 */
import type { ReportViolation } from "@pulumi/policy";
import type { CheckedResource } from "./rules";

export const FINDING_RESOURCE_TYPES = {
  databaseConnection: "vault:database/secretBackendConnection:SecretBackendConnection",
  approleRole: "vault:appRole/authBackendRole:AuthBackendRole",
  serverInit: "pulumi-nodejs:dynamic/vaultplatform:ServerInit",
} as const;

/** Secret-ids usable this often are long-lived credentials in all but name. */
export const MAX_SECRET_ID_USES = 100;

export function checkPostgresConnectionTls(
  resource: CheckedResource,
  report: ReportViolation,
): void {
  if (resource.type !== FINDING_RESOURCE_TYPES.databaseConnection) {
    return;
  }
  const url = resource.props.postgresql?.connectionUrl;
  if (typeof url === "string" && /[?&]sslmode=disable(&|$)/.test(url)) {
    report(
      `database connection "${resource.name}" talks to Postgres without TLS (sslmode=disable); expected require, verify-ca or verify-full`,
    );
  }
}

export function checkSecretIdUses(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== FINDING_RESOURCE_TYPES.approleRole) {
    return;
  }
  const uses = resource.props.secretIdNumUses;
  if (typeof uses === "number" && uses >= MAX_SECRET_ID_USES) {
    report(
      `AppRole role "${resource.name}" lets a secret-id be used ${uses} times; expected fewer than ${MAX_SECRET_ID_USES}`,
    );
  }
}

export function checkUnsealKeySplit(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== FINDING_RESOURCE_TYPES.serverInit) {
    return;
  }
  if (resource.props.secretShares === 1) {
    report(
      `server "${resource.name}" is initialized with a single unseal key (unsealKeyShares = 1); expected the key split between several holders`,
    );
  }
}
