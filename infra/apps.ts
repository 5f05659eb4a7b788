/**
 * Apps at the center: one resolved app turned into everything it owns, from config alone. The
 * Platform creates resources from these plans, the GitOps access diff compares them before and
 * after a change, and `verify` reads the outputs they describe. Pure functions, no resources.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AppConfig, PlatformConfig } from "../stacks/config";
import { prefixedName } from "../stacks/config/tenancy";
import { AppAccess, PolicyRule, appPolicyRules, renderAppPolicy } from "./acl-policy";

/** Every app's ACL policy is named with this prefix and the app's name. */
export const APP_POLICY_PREFIX = "app-";

export function appPolicyName(app: string): string {
  return `${APP_POLICY_PREFIX}${app}`;
}

/** Who may log in as an app, per login path: the role and its bindings, one line each. */
export interface LoginGrant {
  readonly path: string;
  readonly grants: readonly string[];
}

/** Everything one app owns: its policy, its logins, its database role and its transit keys. */
export interface AppPlan {
  readonly app: AppConfig;
  readonly policyName: string;
  readonly access: AppAccess;
  /** Normalized rules of its policy, and the HCL document Vault stores. */
  readonly rules: readonly PolicyRule[];
  readonly policyDocument: string;
  readonly logins: readonly LoginGrant[];
  /** The Vault database role the app reads credentials from (the app's name), if it has one. */
  readonly databaseRole?: { readonly name: string; readonly access: "readonly" | "readwrite" };
  readonly transitKeys: readonly string[];
  /** The app's certificate role: where it issues, and which names the role allows. */
  readonly certificates?: LoginGrant;
}

/** What the stack exports per app (`apps.<name>`), read back by `verify` and the example app. */
export interface AppOutputs {
  /** AppRole role_id (apps that log in with AppRole). */
  readonly roleId?: pulumi.Output<string>;
  /** Login methods; each has a role named after the app. */
  readonly logins: readonly string[];
  readonly policy: string;
  readonly kvRead: readonly string[];
  readonly kvWrite: readonly string[];
  readonly databaseRole?: string;
  readonly databaseAccess?: "readonly" | "readwrite";
  readonly transitKeys: readonly string[];
  /** The app's certificate role (its name) and the names it may issue for. */
  readonly pki?: {
    readonly role: string;
    readonly names: readonly string[];
    readonly allowSubdomains: boolean;
    readonly allowIpSans: boolean;
  };
}

function appAccess(config: PlatformConfig, app: AppConfig): AppAccess {
  return {
    name: app.name,
    kv: { mount: config.kv.path, read: app.kv.read, write: app.kv.write },
    database: app.database === "none" ? undefined : { mount: config.database.path, role: app.name },
    transit: { mount: config.transit.path, keys: app.transitKeys },
    pki: app.pki && config.pki ? { mount: config.pki.path, role: app.name } : undefined,
  };
}

/** What the app's certificate role allows, one line per name, as the access diff shows it. */
function certificateGrant(config: PlatformConfig, app: AppConfig): LoginGrant | undefined {
  if (!app.pki || !config.pki) {
    return undefined;
  }
  const subdomains = app.pki.allowSubdomains;
  return {
    path: `${config.pki.path}/issue/${app.name}`,
    grants: [
      ...app.pki.names.map((name) => (subdomains ? `name ${name} and subdomains` : `name ${name}`)),
      ...(app.pki.allowIpSans ? ["any IP SAN"] : []),
    ],
  };
}

/** The logins of one app: every method it lists, with what a caller must prove. */
export function appLogins(config: PlatformConfig, app: AppConfig): LoginGrant[] {
  const role = `role ${app.name}`;
  const logins: LoginGrant[] = [];
  if (app.auth.includes("approle")) {
    logins.push({
      path: `auth/${config.approle.path}/login`,
      grants: [role, ...app.boundCidrs.map((cidr) => `from ${cidr}`)],
    });
  }
  if (app.kubernetes && config.kubernetes) {
    logins.push({
      path: `auth/${config.kubernetes.path}/login`,
      grants: [
        role,
        ...app.kubernetes.serviceAccounts.map((account) => `service account ${account}`),
        ...app.kubernetes.namespaces.map((namespace) => `namespace ${namespace}`),
        ...(app.kubernetes.audience ? [`audience ${app.kubernetes.audience}`] : []),
      ],
    });
  }
  if (app.jwt && config.jwt) {
    logins.push({
      path: `auth/${config.jwt.path}/login`,
      grants: [
        role,
        ...app.jwt.boundAudiences.map((audience) => `audience ${audience}`),
        ...Object.entries(app.jwt.boundClaims).map(
          ([claim, value]) =>
            `claim ${claim}=${typeof value === "string" ? value : value.join(",")}`,
        ),
        ...(app.jwt.boundSubject ? [`subject ${app.jwt.boundSubject}`] : []),
      ],
    });
  }
  return logins;
}

export function planApp(config: PlatformConfig, app: AppConfig): AppPlan {
  const access = appAccess(config, app);
  const rules = appPolicyRules(access);
  return {
    app,
    policyName: prefixedName(config.pathPrefix, appPolicyName(app.name)),
    access,
    rules,
    policyDocument: renderAppPolicy(access),
    logins: appLogins(config, app),
    databaseRole: app.database === "none" ? undefined : { name: app.name, access: app.database },
    transitKeys: app.transitKeys,
    certificates: certificateGrant(config, app),
  };
}

export function planApps(config: PlatformConfig): AppPlan[] {
  return config.apps.map((app) => planApp(config, app));
}

/** The outputs of one planned app, given its AppRole role_id where it logs in with AppRole. */
export function appOutputs(plan: AppPlan, roleId?: pulumi.Output<string>): AppOutputs {
  return {
    roleId,
    logins: plan.app.auth,
    policy: plan.policyName,
    kvRead: plan.app.kv.read,
    kvWrite: plan.app.kv.write,
    databaseRole: plan.databaseRole?.name,
    databaseAccess: plan.databaseRole?.access,
    transitKeys: plan.transitKeys,
    ...(plan.app.pki
      ? {
          pki: {
            role: plan.app.name,
            names: plan.app.pki.names,
            allowSubdomains: plan.app.pki.allowSubdomains,
            allowIpSans: plan.app.pki.allowIpSans,
          },
        }
      : {}),
  };
}
