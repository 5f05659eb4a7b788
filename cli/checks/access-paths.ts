/**
 * What an app's token must be allowed and denied, and the check that Vault agrees: the paths its
 * declarations grant, the system paths and other apps' paths it must not reach, and one
 * `sys/capabilities-self` request that answers for all of them.
 */
import { appPolicyName } from "../../infra/apps";
import { expect } from "./check-record";
import type { AppUnderTest, Environment } from "./environment";
import { vaultRequest } from "./vault-client";

export function policyOf(app: AppUnderTest): string {
  return app.policy ?? appPolicyName(app.name);
}

/** Paths an app's token must be denied, whatever the app declares. */
export function forbiddenPaths(
  env: Environment,
  app: AppUnderTest,
  others: readonly AppUnderTest[] = env.apps.filter((other) => other.name !== app.name),
): string[] {
  return [
    "sys/mounts",
    `sys/policies/acl/${policyOf(app)}`,
    // Audit devices are the root namespace's only.
    ...(env.namespace ? [] : ["sys/audit"]),
    `auth/${env.mounts.approle}/role/${app.name}/secret-id`,
    ...others.map((other) => `${env.mounts.kv}/data/${other.name}/config`),
    ...others.flatMap((other) =>
      other.databaseRole ? [`${env.mounts.database}/creds/${other.databaseRole}`] : [],
    ),
    ...others.flatMap((other) =>
      other.transitKeys.map((key) => `${env.mounts.transit}/encrypt/${key}`),
    ),
    ...others.flatMap((other) =>
      other.pki && env.pki ? [`${env.pki.path}/issue/${other.pki.role}`] : [],
    ),
  ];
}

/**
 * How many other apps' paths an app's token is sent to for real (a 403 each); capabilities-self
 * covers every other app in one request. With all apps probed, verify grew with the square of
 * the apps (90,000 requests at 300 apps).
 */
export const PROBED_NEIGHBOURS = 2;

/** The apps after `app` in declared order, wrapping around: each probes and is probed by two. */
export function neighboursOf(
  apps: readonly AppUnderTest[],
  app: AppUnderTest,
  count: number,
): AppUnderTest[] {
  const at = apps.findIndex((other) => other.name === app.name);
  return Array.from(
    { length: Math.min(count, apps.length - 1) },
    (_, i) => apps[(at + 1 + i) % apps.length],
  );
}

/** Paths an app's token must be allowed, from what the app declares. */
export function allowedPaths(env: Environment, app: AppUnderTest): Record<string, string[]> {
  const allowed: Record<string, string[]> = {};
  for (const path of app.kvRead) {
    allowed[`${env.mounts.kv}/data/${path.replace(/\*$/, "probe")}`] = ["read"];
  }
  if (app.databaseRole) {
    allowed[`${env.mounts.database}/creds/${app.databaseRole}`] = ["read"];
  }
  for (const key of app.transitKeys) {
    allowed[`${env.mounts.transit}/encrypt/${key}`] = ["update"];
    allowed[`${env.mounts.transit}/decrypt/${key}`] = ["update"];
  }
  if (app.pki && env.pki) {
    allowed[`${env.pki.path}/issue/${app.pki.role}`] = ["update"];
  }
  return allowed;
}

/**
 * Where each rule of an ACL policy begins: the path up to its first wildcard (`*` matches any
 * rest, `+` one segment). A rule can only match a path that starts with its beginning.
 */
export function ruleBeginnings(policy: string): string[] {
  if (policy.trim().startsWith("{")) {
    // A policy in JSON form (Vault takes both; the program writes HCL): any path may match.
    return [""];
  }
  // Every `path "..."` in the text, a commented-out one too (asking more is never wrong).
  return [...policy.matchAll(/\bpath\s*"([^"]*)"/g)].map((match) => match[1].split(/[*+]/)[0]);
}

/**
 * The denied paths worth asking Vault about: the system paths, every path of the probed
 * neighbours, and any other app's path that a rule of the token's policies could match. A path
 * no rule can match has no capability by Vault's ACL semantics (a token holds only what its
 * policies' rules grant): asking for it as well made verify grow with the square of the apps
 * (163,000 paths at 300 apps, each looked up with the token and a fresh ACL).
 */
export function deniedPathsToAsk(
  env: Environment,
  app: AppUnderTest,
  policies: readonly string[],
): { readonly paths: string[]; readonly unmatched: number } {
  const beginnings = policies.flatMap(ruleBeginnings);
  const probed = new Set(forbiddenPaths(env, app, neighboursOf(env.apps, app, PROBED_NEIGHBOURS)));
  const every = forbiddenPaths(env, app);
  const paths = every.filter(
    (path) => probed.has(path) || beginnings.some((beginning) => path.startsWith(beginning)),
  );
  return { paths, unmatched: every.length - paths.length };
}

/** The text of every policy the token carries (its own and its entity's), as Vault holds them. */
async function policiesOf(env: Environment, token: string): Promise<Map<string, string>> {
  const self = await vaultRequest(env, "GET", "auth/token/lookup-self", token);
  expect(self.status === 200, `lookup-self answered HTTP ${self.status}`);
  const names = new Set<string>([
    ...(self.body.data.policies ?? []),
    ...(self.body.data.identity_policies ?? []),
  ]);
  const texts = new Map<string, string>();
  for (const name of names) {
    const read = await vaultRequest(env, "GET", `sys/policies/acl/${name}`, env.adminToken);
    expect(read.status === 200, `reading policy ${name} answered HTTP ${read.status}`);
    texts.set(name, read.body.data.policy as string);
  }
  return texts;
}

/**
 * One `sys/capabilities-self` request for every path: each allowed path has at least its
 * capabilities, each denied one exactly ["deny"]; the first that does not fails the check.
 */
export async function capabilitiesSelfAgree(
  env: Environment,
  token: string,
  allowed: Readonly<Record<string, readonly string[]>>,
  denied: readonly string[],
): Promise<void> {
  const response = await vaultRequest(env, "POST", "sys/capabilities-self", token, {
    paths: [...Object.keys(allowed), ...denied],
  });
  expect(response.status === 200, `sys/capabilities-self answered HTTP ${response.status}`);
  for (const [path, capabilities] of Object.entries(allowed)) {
    const actual = response.body.data[path] as string[];
    expect(
      capabilities.every((capability) => actual.includes(capability)),
      `${path}: has ${JSON.stringify(actual)}, expected ${JSON.stringify(capabilities)}`,
    );
  }
  for (const path of denied) {
    const actual = response.body.data[path] as string[];
    expect(
      JSON.stringify(actual) === '["deny"]',
      `${path}: has ${JSON.stringify(actual)}, expected ["deny"]`,
    );
  }
}

/** capabilities-self grants what the app declares and denies everything it must not reach. */
export async function capabilitiesMatch(
  env: Environment,
  app: AppUnderTest,
  token: string,
): Promise<string> {
  const allowed = allowedPaths(env, app);
  const policies = await policiesOf(env, token);
  const denied = deniedPathsToAsk(env, app, [...policies.values()]);
  await capabilitiesSelfAgree(env, token, allowed, denied.paths);
  return (
    `${Object.keys(allowed).length} allowed, ${denied.paths.length} denied as expected; ` +
    `${denied.unmatched} other apps' paths no rule of ${[...policies.keys()].join(", ")} can match`
  );
}
