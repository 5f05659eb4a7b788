/**
 * Certificate roles: no PKI role that issues for any name, for names matched by a pattern, for
 * IP addresses (unless the role is listed), or for longer than the leaf bound. The program's own
 * roles allow exactly an app's declared names; this catches a role widened by hand or by a later
 * change. Pure check, as in rules.ts.
 */
import type { ReportViolation } from "@pulumi/policy";
import { isDuration, parseDuration } from "../infra/duration";
import type { CheckedResource } from "./rules";

export const PKI_RESOURCE_TYPES = {
  role: "vault:pkiSecret/secretBackendRole:SecretBackendRole",
} as const;

export interface PkiRoleLimits {
  /** Upper bound of a role's maxTtl, in seconds. */
  readonly maxLeafTtlSeconds: number;
  /** Vault names of the roles allowed to put IP addresses into certificates. */
  readonly ipSanRoles: readonly string[];
  /** Vault names of the roles allowed glob domains ("*.example.com": any name under it). */
  readonly wildcardRoles: readonly string[];
}

export const DEFAULT_PKI_ROLE_LIMITS: PkiRoleLimits = {
  maxLeafTtlSeconds: 30 * 24 * 3600,
  ipSanRoles: [],
  wildcardRoles: [],
};

function listOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

/**
 * A role's maxTtl in seconds (the provider takes whole seconds; Vault also reads "720h"); undefined
 * where unset, NaN where unreadable.
 */
function ttlSeconds(value: unknown): number | undefined {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || text === "" || text === "0") {
    return undefined;
  }
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  return isDuration(text) ? parseDuration(text) : Number.NaN;
}

export function checkPkiRole(
  resource: CheckedResource,
  report: ReportViolation,
  limits: PkiRoleLimits = DEFAULT_PKI_ROLE_LIMITS,
): void {
  if (resource.type !== PKI_RESOURCE_TYPES.role) {
    return;
  }
  const { props } = resource;
  const roleName = typeof props.name === "string" ? props.name : resource.name;
  const role = `PKI role "${roleName}"`;
  const domains = listOf(props.allowedDomains);
  if (props.allowAnyName === true) {
    report(`${role} allows any name (allowAnyName); expected the names its app declares`);
  } else if (domains.length === 0) {
    report(`${role} names no allowedDomains; expected the names its app declares`);
  } else if (domains.includes("*")) {
    report(`${role} allows the domain "*" (every name); expected the names its app declares`);
  }
  // Vault's default is true: unset, a role with subdomains issues "*.<domain>" certificates.
  if (props.allowWildcardCertificates !== false) {
    report(
      `${role} may issue wildcard certificates (allowWildcardCertificates is not false); expected a certificate per name`,
    );
  }
  const globs = domains.filter((domain) => domain !== "*" && domain.includes("*"));
  if (
    (props.allowGlobDomains === true || globs.length > 0) &&
    !limits.wildcardRoles.includes(roleName)
  ) {
    report(
      `${role} matches names by pattern (allowGlobDomains${globs.length > 0 ? ` ${JSON.stringify(globs)}` : ""}); expected exact names, or the role in this policy's wildcardRoles`,
    );
  }
  // Vault's default is true as well: unset means any IP address.
  if (props.allowIpSans !== false && !limits.ipSanRoles.includes(roleName)) {
    report(
      `${role} allows IP SANs (any IP address); expected allowIpSans false, or the role in this policy's ipSanRoles`,
    );
  }
  const maxTtl = ttlSeconds(props.maxTtl);
  if (maxTtl === undefined) {
    report(
      `${role} has no maxTtl (Vault then allows the mount's maximum); expected at most ${limits.maxLeafTtlSeconds} seconds`,
    );
  } else if (Number.isNaN(maxTtl)) {
    report(
      `${role} has a maxTtl that is not a duration (${JSON.stringify(props.maxTtl)}); expected at most ${limits.maxLeafTtlSeconds} seconds`,
    );
  } else if (maxTtl > limits.maxLeafTtlSeconds) {
    report(
      `${role} issues certificates for up to ${maxTtl} seconds (maxTtl); expected at most ${limits.maxLeafTtlSeconds}`,
    );
  }
}
