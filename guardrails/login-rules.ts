/**
 * Login roles beside AppRole: no JWT role that any token of the issuer satisfies, no Kubernetes
 * role that every service account or namespace satisfies. Pure checks, as in rules.ts.
 */
import type { ReportViolation } from "@pulumi/policy";
import type { CheckedResource } from "./rules";

export const LOGIN_RESOURCE_TYPES = {
  jwtRole: "vault:jwt/authBackendRole:AuthBackendRole",
  kubernetesRole: "vault:kubernetes/authBackendRole:AuthBackendRole",
} as const;

function listOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

export function checkJwtRole(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== LOGIN_RESOURCE_TYPES.jwtRole) {
    return;
  }
  const role = `JWT role "${resource.name}"`;
  const audiences = listOf(resource.props.boundAudiences);
  const claims = resource.props.boundClaims;
  const claimCount = claims && typeof claims === "object" ? Object.keys(claims).length : 0;
  if (audiences.length === 0) {
    report(`${role} has no bound audiences; expected the audience your issuer puts in its tokens`);
  }
  if (claimCount === 0) {
    report(
      `${role} has no bound claims; expected claims that name who may log in (e.g. repository, ref, environment)`,
    );
  }
  const subject = resource.props.boundSubject;
  if (typeof subject === "string" && subject.includes("*")) {
    report(
      `${role} binds the subject ${JSON.stringify(subject)} with a wildcard; expected one subject`,
    );
  }
}

export function checkKubernetesRole(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== LOGIN_RESOURCE_TYPES.kubernetesRole) {
    return;
  }
  const role = `Kubernetes role "${resource.name}"`;
  for (const [field, what] of [
    ["boundServiceAccountNames", "service accounts"],
    ["boundServiceAccountNamespaces", "namespaces"],
  ] as const) {
    if (listOf(resource.props[field]).includes("*")) {
      report(`${role} is bound to every one of its ${what} ("*"); expected named ${what}`);
    }
  }
}
