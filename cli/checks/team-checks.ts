/**
 * The checks of one team, as its people meet the environment: the team's policy in Vault is the
 * one the stack wrote (a hand-widened policy fails, naming the path); its identity group holds it
 * and maps exactly the team's IdP groups; and, given a member's credential, a member logs in,
 * carries the team's policy, reaches the team's apps as its access allows and is denied other
 * teams' apps, the system paths and the mounts people have no business in. Tokens are never
 * printed.
 */
import { capabilitiesSelfAgree } from "./access-paths";
import { expect, recorder } from "./check-record";
import type {
  AppUnderTest,
  CheckResult,
  Environment,
  MemberCredential,
  TeamUnderTest,
} from "./environment";
import { vaultErrors, vaultRequest } from "./vault-client";

/** The variables `npm run verify` reads a member's credential from. */
export function memberCredentialVariables(team: string): { jwt: string; token: string } {
  const suffix = team.toUpperCase().replace(/-/g, "_");
  return {
    jwt: `VAULT_PLATFORM_PEOPLE_JWT_${suffix}`,
    token: `VAULT_PLATFORM_PEOPLE_TOKEN_${suffix}`,
  };
}

/** The `path "..."` rules of a policy text with their capabilities, one line each. */
export function policyLines(text: string): string[] {
  return [...text.matchAll(/path\s+"([^"]*)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)]
    .map((match) => `${match[1]} ${match[2].replace(/[\s"]/g, "")}`)
    .sort();
}

/** What one policy text holds beyond another and lacks of it, as `+ path caps` / `- path caps`. */
export function policyDrift(expected: string, actual: string): string[] {
  const want = policyLines(expected);
  const have = policyLines(actual);
  return [
    ...have.filter((line) => !want.includes(line)).map((line) => `+ ${line}`),
    ...want.filter((line) => !have.includes(line)).map((line) => `- ${line}`),
  ];
}

/** A concrete path under a KV path as declared ("orders/*" -> "orders/probe"). */
function concrete(kvPath: string): string {
  return kvPath.replace(/\*$/, "probe");
}

function appsOf(env: Environment, names: readonly string[]): AppUnderTest[] {
  return env.apps.filter((app) => names.includes(app.name));
}

function kvPathsOf(app: AppUnderTest): string[] {
  return [...app.kvRead, ...(app.kvWrite ?? [])];
}

/** The paths a member must be allowed, with the capabilities each must include. */
export function teamAllowedPaths(env: Environment, team: TeamUnderTest): Record<string, string[]> {
  const allowed: Record<string, string[]> = {};
  for (const app of appsOf(env, team.apps)) {
    for (const kvPath of kvPathsOf(app)) {
      allowed[`${env.mounts.kv}/data/${concrete(kvPath)}`] =
        team.access === "operate" ? ["create", "read", "update", "delete"] : ["read"];
      allowed[`${env.mounts.kv}/metadata/${concrete(kvPath)}`] = ["read", "list"];
    }
    if (team.access === "operate") {
      if (app.databaseRole) {
        allowed[`${env.mounts.database}/creds/${app.databaseRole}`] = ["read"];
      }
      for (const key of app.transitKeys) {
        allowed[`${env.mounts.transit}/encrypt/${key}`] = ["update"];
      }
    }
  }
  return allowed;
}

/**
 * The paths a member must be denied: other teams' apps (where none of the team's own apps
 * declares the same KV path), the system paths, the apps' logins and the read team's writes.
 */
export function teamDeniedPaths(env: Environment, team: TeamUnderTest): string[] {
  const own = appsOf(env, team.apps);
  const ownKv = new Set(own.flatMap(kvPathsOf));
  const others = env.apps.filter((app) => !team.apps.includes(app.name));
  return [
    "sys/mounts",
    "sys/policies/acl",
    `sys/policies/acl/${team.policy}`,
    "identity/group",
    `auth/${env.mounts.approle}/role`,
    ...others.flatMap((app) =>
      kvPathsOf(app)
        .filter((kvPath) => !ownKv.has(kvPath))
        .map((kvPath) => `${env.mounts.kv}/data/${concrete(kvPath)}`),
    ),
    ...others.flatMap((app) =>
      app.databaseRole ? [`${env.mounts.database}/creds/${app.databaseRole}`] : [],
    ),
    ...others.flatMap((app) =>
      app.transitKeys.map((key) => `${env.mounts.transit}/encrypt/${key}`),
    ),
    ...(team.access === "read"
      ? own.flatMap((app) => [
          ...(app.databaseRole ? [`${env.mounts.database}/creds/${app.databaseRole}`] : []),
          ...app.transitKeys.map((key) => `${env.mounts.transit}/encrypt/${key}`),
        ])
      : []),
  ];
}

/** The accessor of the people login's mount, which the IdP groups' aliases are bound to. */
async function peopleMountAccessor(env: Environment): Promise<string> {
  const mounts = await vaultRequest(env, "GET", "sys/auth", env.adminToken);
  expect(mounts.status === 200, `sys/auth answered HTTP ${mounts.status}`);
  const mount = mounts.body.data?.[`${env.mounts.people}/`] ?? mounts.body[`${env.mounts.people}/`];
  expect(mount !== undefined, `no auth mount at ${env.mounts.people}/`);
  return mount.accessor as string;
}

/** A member's token: the JWT exchanged at the people login, or the token as given. */
async function memberToken(
  env: Environment,
  team: TeamUnderTest,
  credential: MemberCredential,
): Promise<string> {
  if ("token" in credential) {
    return credential.token;
  }
  const response = await vaultRequest(env, "POST", `auth/${env.mounts.people}/login`, undefined, {
    role: env.people?.role,
    jwt: credential.jwt,
  });
  expect(
    response.status === 200,
    `login of a member of team ${team.name} answered HTTP ${response.status}${vaultErrors(response)}`,
  );
  return response.body.auth.client_token as string;
}

/** Every check of one team, in order. */
export async function checkTeam(env: Environment, team: TeamUnderTest): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = recorder(results);

  await record(`team ${team.name}: policy in Vault as the stack wrote it`, async () => {
    const read = await vaultRequest(env, "GET", `sys/policies/acl/${team.policy}`, env.adminToken);
    expect(read.status === 200, `reading policy ${team.policy} answered HTTP ${read.status}`);
    const drift = policyDrift(team.document, read.body.data.policy as string);
    expect(
      drift.length === 0,
      `policy ${team.policy} was changed outside the program: ${drift.join("; ")}`,
    );
    return `${policyLines(team.document).length} rules, none added or removed`;
  });

  await record(`team ${team.name}: identity group maps its IdP groups`, async () => {
    const group = await vaultRequest(
      env,
      "GET",
      `identity/group/name/${team.policy}`,
      env.adminToken,
    );
    expect(
      group.status === 200,
      `identity/group/name/${team.policy} answered HTTP ${group.status}`,
    );
    const data = group.body.data;
    expect(
      JSON.stringify(data.policies ?? []) === JSON.stringify([team.policy]),
      `group ${team.policy} holds policies ${JSON.stringify(data.policies)}, expected ["${team.policy}"]`,
    );
    const accessor = await peopleMountAccessor(env);
    const members: string[] = data.member_group_ids ?? [];
    for (const idpGroup of team.groups) {
      // Each IdP group is an external group with one alias on the people mount, a member of the
      // team's group.
      const found = await vaultRequest(env, "POST", "identity/lookup/group", env.adminToken, {
        alias_name: idpGroup,
        alias_mount_accessor: accessor,
      });
      expect(
        found.status === 200 && members.includes(found.body?.data?.id),
        `IdP group "${idpGroup}" does not lead to group ${team.policy} (lookup answered HTTP ${found.status})`,
      );
    }
    expect(
      members.length === team.groups.length,
      `group ${team.policy} has ${members.length} member groups, expected ${team.groups.length} (one per IdP group)`,
    );
    return `policy ${team.policy}, IdP groups ${team.groups.join(", ")}`;
  });

  const credential = env.memberCredentials?.[team.name];
  let token: string | undefined;
  await record(`team ${team.name}: a member logs in with the team's policy`, async () => {
    if (!credential) {
      const variables = memberCredentialVariables(team.name);
      return {
        skipped: `no credential of a member: set ${variables.jwt} (a JWT, for a jwt login) or ${variables.token} (a token from vault login -method=oidc)`,
      };
    }
    token = await memberToken(env, team, credential);
    const self = await vaultRequest(env, "GET", "auth/token/lookup-self", token);
    expect(self.status === 200, `lookup-self answered HTTP ${self.status}`);
    const policies: string[] = [
      ...(self.body.data.policies ?? []),
      ...(self.body.data.identity_policies ?? []),
    ];
    expect(
      policies.includes(team.policy),
      `the member's token carries ${JSON.stringify(policies)}, not ${team.policy}`,
    );
    return `token with ${[...new Set(policies)].sort().join(", ")}`;
  });
  if (!token) {
    return results;
  }
  const memberTokenValue = token;

  await record(`team ${team.name}: capabilities as its ${team.access} access allows`, async () => {
    const allowed = teamAllowedPaths(env, team);
    const denied = teamDeniedPaths(env, team);
    await capabilitiesSelfAgree(env, memberTokenValue, allowed, denied);
    return `${Object.keys(allowed).length} allowed, ${denied.length} denied as expected`;
  });

  await record(`team ${team.name}: denied other teams' apps and the system paths`, async () => {
    const ownKv = new Set(appsOf(env, team.apps).flatMap(kvPathsOf));
    const other = env.apps
      .filter((app) => !team.apps.includes(app.name))
      .flatMap(kvPathsOf)
      .find((kvPath) => !ownKv.has(kvPath));
    const probes = [
      ...(other ? [`${env.mounts.kv}/data/${concrete(other)}`] : []),
      `sys/policies/acl/${team.policy}`,
      "sys/mounts",
    ];
    for (const path of probes) {
      const response = await vaultRequest(env, "GET", path, memberTokenValue);
      expect(response.status === 403, `GET ${path} answered HTTP ${response.status}, expected 403`);
    }
    return `${probes.join(", ")}: 403`;
  });
  return results;
}
