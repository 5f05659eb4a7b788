/**
 * The access model: what each app's policy grants, derived from config alone. The Platform
 * renders it into Vault policies; the GitOps access diff compares it before and after a change.
 */
import type { AppConfig, PlatformConfig } from "../stacks/config";
import { AppAccess, PolicyRule, appPolicyName, appPolicyRules } from "./policies";

export function appAccess(config: PlatformConfig): AppAccess[] {
  return config.apps.map((app) => ({
    name: app.name,
    kv: { mount: config.kv.path, read: app.kv.read, write: app.kv.write },
    database: app.database === "none" ? undefined : { mount: config.database.path, role: app.name },
    transit: { mount: config.transit.path, keys: app.transitKeys },
  }));
}

/** Who may log in as an app, per login path: the role and its bindings, one line each. */
export interface LoginGrant {
  readonly path: string;
  readonly grants: readonly string[];
}

export interface PolicyModel {
  readonly app: string;
  readonly rules: readonly PolicyRule[];
  readonly logins: readonly LoginGrant[];
}

/** Policy name -> the app it belongs to and its normalized rules. */
export type AccessModel = Readonly<Record<string, PolicyModel>>;

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

export function accessModel(config: PlatformConfig): AccessModel {
  return Object.fromEntries(
    appAccess(config).map((app, index) => [
      appPolicyName(app.name),
      { app: app.name, rules: appPolicyRules(app), logins: appLogins(config, config.apps[index]) },
    ]),
  );
}
