/**
 * The access model: what each app's policy grants, derived from config alone. The Platform
 * renders it into Vault policies; the GitOps access diff compares it before and after a change.
 */
import type { PlatformConfig } from "../stacks/config";
import { AppAccess, PolicyRule, appPolicyName, appPolicyRules } from "./policies";

export function appAccess(config: PlatformConfig): AppAccess[] {
  return config.apps.map((app) => ({
    name: app.name,
    kv: { mount: config.kv.path, read: app.kv.read, write: app.kv.write },
    database: app.database === "none" ? undefined : { mount: config.database.path, role: app.name },
    transit: { mount: config.transit.path, keys: app.transitKeys },
  }));
}

export interface PolicyModel {
  readonly app: string;
  readonly rules: readonly PolicyRule[];
}

/** Policy name -> the app it belongs to and its normalized rules. */
export type AccessModel = Readonly<Record<string, PolicyModel>>;

export function accessModel(config: PlatformConfig): AccessModel {
  return Object.fromEntries(
    appAccess(config).map((app) => [
      appPolicyName(app.name),
      { app: app.name, rules: appPolicyRules(app) },
    ]),
  );
}
