/** Apps, the central concept: each app resolved with its defaults, and the rules across apps. */
import { z } from "zod";
import type { ProfileName, ProfileRules } from "../profiles";
import { checkLoginBindings, resolveAppLogins } from "./logins";
import { resolveAppPki } from "./pki";
import { Problems } from "./problems";
import { checkBoundCidrs, checkPathSegments, checkTransitKeysOnce } from "./rules";
import { appSchema } from "./schemas";
import type { AppConfig } from "./types";

const DEFAULT_APP_KV_READ = (app: string): string[] => [`${app}/*`];

export function resolveApps(
  apps: readonly z.infer<typeof appSchema>[],
  problems: Problems,
): AppConfig[] {
  return apps.map((app, index) => ({
    name: app.name,
    kv: { read: app.kv?.read ?? DEFAULT_APP_KV_READ(app.name), write: app.kv?.write ?? [] },
    database: app.database ?? "none",
    transitKeys: app.transitKeys ?? [],
    boundCidrs: app.boundCidrs ?? [],
    issueSecretId: app.issueSecretId ?? false,
    ...resolveAppLogins(app, index, problems),
    ...(app.pki ? { pki: resolveAppPki(app) } : {}),
  }));
}

export function checkApps(
  resolvedApps: readonly AppConfig[],
  apps: unknown,
  profile: ProfileName,
  rules: ProfileRules,
  problems: Problems,
): void {
  resolvedApps.forEach((app, index) => {
    for (const access of ["read", "write"] as const) {
      app.kv[access].forEach((kvPath, i) =>
        checkPathSegments("apps", [index, "kv", access, i], kvPath, problems),
      );
    }
  });
  checkTransitKeysOnce(resolvedApps, problems);
  checkBoundCidrs(profile, resolvedApps, rules.requireBoundCidrs, problems);
  checkLoginBindings(profile, resolvedApps, rules.requireBoundCidrs, problems);
  if (resolvedApps.length === 0) {
    problems.add("apps", [], "expected at least one app (see README: adding an app)", apps);
  }
  const appNames = new Set<string>();
  const keyOwners = new Map<string, string>();
  resolvedApps.forEach((app, index) => {
    if (appNames.has(app.name)) {
      problems.add("apps", [index, "name"], "app names must be unique", app.name);
    }
    appNames.add(app.name);
    for (const key of app.transitKeys) {
      const owner = keyOwners.get(key);
      if (owner !== undefined && owner !== app.name) {
        problems.add(
          "apps",
          [index, "transitKeys"],
          `transit key "${key}" already belongs to app "${owner}"`,
          app.transitKeys,
        );
      }
      keyOwners.set(key, app.name);
    }
    if (rules.requireBoundCidrs && app.auth.includes("approle") && app.boundCidrs.length === 0) {
      problems.add(
        "apps",
        [index, "boundCidrs"],
        `the ${profile} profile requires AppRole logins bound to CIDRs`,
        app.boundCidrs,
      );
    }
  });
}
