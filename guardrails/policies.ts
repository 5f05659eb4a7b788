/**
 * The policies of the vault-platform pack: names, descriptions and config schemas, each wired to
 * its check in rules.ts. No policy sets its own enforcement level, so the pack's default
 * ("mandatory") applies until a config file lowers it (see enforcement.ts).
 */
import type {
  Policies,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  AclLimits,
  AppRoleLimits,
  DEFAULT_ACL_LIMITS,
  DEFAULT_APPROLE_LIMITS,
  checkAclPolicy,
  checkAppRoleRole,
  checkAuditDevices,
  checkDataResourceProtected,
  checkNoDevModeServer,
  checkServerImagePinned,
  checkServerListenerTls,
  checkTransitKey,
} from "./rules";
import { checkPostgresConnectionTls, checkSecretIdUses, checkUnsealKeySplit } from "./findings";
import { checkJwtRole, checkKubernetesRole } from "./login-rules";
import { DEFAULT_PKI_ROLE_LIMITS, PkiRoleLimits, checkPkiRole } from "./pki-rules";
import { checkTeamNotEveryApp } from "./team-rules";

/** The engine fills in schema defaults; these only matter where a check runs without it. */
function configOf<T extends object>(args: ResourceValidationArgs, defaults: T): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}

function resourcePolicy(
  name: string,
  description: string,
  check: (args: ResourceValidationArgs, report: ReportViolation) => void,
  configSchema?: ResourceValidationPolicy["configSchema"],
): ResourceValidationPolicy {
  return { name, description, ...(configSchema ? { configSchema } : {}), validateResource: check };
}

export const VAULT_PLATFORM_POLICIES: Policies = [
  resourcePolicy(
    "vault-server-not-dev-mode",
    "The Vault/OpenBao container does not run a dev-mode server (in-memory, unsealed, root token).",
    checkNoDevModeServer,
  ),
  resourcePolicy(
    "vault-server-listener-tls",
    "Every listener in the server config the container uploads keeps TLS on (no tls_disable).",
    checkServerListenerTls,
  ),
  resourcePolicy(
    "vault-server-image-pinned",
    'The server image is pinned to a version tag or sha256 digest, never "latest" or untagged.',
    checkServerImagePinned,
  ),
  {
    name: "audit-devices-minimum",
    description:
      "At least two audit devices (vault.Audit resources plus devices declared in the server config), so one failing device does not block every request.",
    validateStack: (args, report) => checkAuditDevices(args.resources, report),
  } satisfies StackValidationPolicy,
  resourcePolicy(
    "approle-role-hardened",
    "AppRole roles: secret-ids expire and are single- or limited-use, logins and tokens are bound to CIDRs, token TTLs stay under a maximum.",
    (args, report) =>
      checkAppRoleRole(args, report, configOf<AppRoleLimits>(args, DEFAULT_APPROLE_LIMITS)),
    {
      properties: {
        maxTokenTtlSeconds: {
          type: "integer",
          minimum: 1,
          default: DEFAULT_APPROLE_LIMITS.maxTokenTtlSeconds,
          description: "Upper bound of tokenTtl and tokenMaxTtl, in seconds.",
        },
      },
    },
  ),
  resourcePolicy(
    "acl-policy-least-privilege",
    "ACL policies grant no sudo and no sys/ path beyond a token's self-service ones, except the admin policy.",
    (args, report) => checkAclPolicy(args, report, configOf<AclLimits>(args, DEFAULT_ACL_LIMITS)),
    {
      properties: {
        adminPolicyName: {
          type: "string",
          minLength: 1,
          default: DEFAULT_ACL_LIMITS.adminPolicyName,
          description: "Vault name of the one policy that may grant sudo and sys/ paths.",
        },
      },
    },
  ),
  {
    name: "team-not-every-app",
    description:
      "No team's ACL policy reaches every app's secrets: teams own some apps; platform admins are people.admins.",
    validateStack: (args, report) => checkTeamNotEveryApp(args.resources, report),
  } satisfies StackValidationPolicy,
  resourcePolicy(
    "transit-key-hardened",
    "Transit keys are not exportable, not deletable and have no plaintext backup.",
    checkTransitKey,
  ),
  resourcePolicy(
    "jwt-role-bound",
    "JWT login roles are bound to audiences and claims, with no wildcard subject.",
    checkJwtRole,
  ),
  resourcePolicy(
    "kubernetes-role-bound",
    'Kubernetes login roles name their service accounts and namespaces (no "*").',
    checkKubernetesRole,
  ),
  resourcePolicy(
    "pki-role-bound",
    "PKI roles issue for named domains only: not any name, no glob domains or wildcard certificates, no IP SANs unless listed, maxTtl within the leaf bound.",
    (args, report) =>
      checkPkiRole(args, report, configOf<PkiRoleLimits>(args, DEFAULT_PKI_ROLE_LIMITS)),
    {
      properties: {
        maxLeafTtlSeconds: {
          type: "integer",
          minimum: 1,
          default: DEFAULT_PKI_ROLE_LIMITS.maxLeafTtlSeconds,
          description: "Upper bound of a PKI role's maxTtl, in seconds.",
        },
        ipSanRoles: {
          type: "array",
          items: { type: "string" },
          default: [],
          description: "Vault names of the PKI roles (the apps' names) allowed IP SANs.",
        },
        wildcardRoles: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            'Vault names of the PKI roles (the apps\' names) allowed glob domains ("*.example.com").',
        },
      },
    },
  ),
  resourcePolicy(
    "postgres-connection-tls",
    "Vault talks to Postgres over TLS (sslmode require, verify-ca or verify-full).",
    checkPostgresConnectionTls,
  ),
  resourcePolicy(
    "approle-secret-id-uses-limited",
    "AppRole secret-ids are usable fewer than 100 times.",
    checkSecretIdUses,
  ),
  resourcePolicy(
    "unseal-key-split",
    "A server the program initializes splits its unseal key between several holders.",
    checkUnsealKeySplit,
  ),
  resourcePolicy(
    "data-resources-protected",
    "Resources that hold data (KV and transit mounts, transit keys, the Postgres database, Docker volumes) are protected from deletion.",
    checkDataResourceProtected,
  ),
];
