/**
 * People and teams: how engineers log in (OIDC single sign-on, or JWTs for CLI/ID tokens), which
 * IdP groups make up which team, and which apps each team owns. Schemas, defaults and the rules
 * across teams and apps; the team's policy itself is derived in infra/teams.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseDuration } from "../../infra/duration";
import type { ProfileName } from "../profiles";
import { pemPublicKeys, url } from "./login-schemas";
import { authPath } from "./mount-path";
import { positiveDuration } from "./schemas";
import type { Problems } from "./problems";

export const TEAM_ACCESS = ["read", "operate"] as const;
export type TeamAccess = (typeof TEAM_ACCESS)[number];

const NAME = /^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/;
const name = z.string().regex(NAME, {
  error: 'expected a lower-case name like "payments" (letters, digits, "-"; at most 50)',
});
/**
 * An IdP group as the groups claim carries it: any text without blanks around it, and without a
 * comma (Vault takes the role's list of groups as one comma-separated value).
 */
const idpGroup = z.string().regex(/^[^\s,]([^,]*[^\s,])?$/, {
  error: "expected a group name without a comma or leading or trailing blanks",
});
const groups = z.array(idpGroup).min(1, { error: "expected at least one IdP group" });

export const teamSchema = z.strictObject({
  name,
  groups,
  apps: z.array(z.string().min(1)).min(1, { error: "expected at least one app the team owns" }),
  access: z.enum(TEAM_ACCESS).optional(),
});

const loginFields = {
  path: authPath.optional(),
  groupsClaim: z.string().min(1, { error: "expected a claim name" }).optional(),
  userClaim: z.string().min(1, { error: "expected a claim name" }).optional(),
  boundAudiences: z
    .array(z.string().min(1, { error: "expected an audience" }))
    .min(1)
    .optional(),
  tokenTtl: positiveDuration.optional(),
  tokenMaxTtl: positiveDuration.optional(),
};

export const peopleSchema = z.strictObject({
  auth: z
    .discriminatedUnion(
      "method",
      [
        z.strictObject({
          method: z.literal("oidc"),
          ...loginFields,
          discoveryUrl: url,
          clientId: z.string().min(1, { error: "expected the client ID registered at the IdP" }),
          redirectUris: z
            .array(url)
            .min(1, { error: "expected at least one redirect URI registered at the IdP" }),
          scopes: z.array(z.string().min(1)).optional(),
        }),
        z.strictObject({
          method: z.literal("jwt"),
          ...loginFields,
          discoveryUrl: url.optional(),
          jwksUrl: url.optional(),
          validationPublicKeys: pemPublicKeys.optional(),
          boundIssuer: z.string().min(1, { error: "expected an issuer" }).optional(),
        }),
      ],
      { error: 'expected method "oidc" or "jwt"' },
    )
    .optional(),
  admins: z
    .strictObject({
      groups,
      policies: z
        .array(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: "expected a policy name" }))
        .min(1, { error: "expected the policies platform admins get, named explicitly" }),
    })
    .optional(),
});

export interface TeamConfig {
  readonly name: string;
  readonly groups: readonly string[];
  readonly apps: readonly string[];
  readonly access: TeamAccess;
}

export interface PeopleConfig {
  readonly method: "oidc" | "jwt";
  readonly path: string;
  /** The role every person logs in with. */
  readonly role: string;
  readonly groupsClaim: string;
  readonly userClaim: string;
  readonly boundAudiences: readonly string[];
  readonly tokenTtlSeconds: number;
  readonly tokenMaxTtlSeconds: number;
  readonly oidc?: {
    readonly discoveryUrl: string;
    readonly clientId: string;
    readonly clientSecret: pulumi.Output<string>;
    readonly redirectUris: readonly string[];
    readonly scopes: readonly string[];
  };
  readonly jwt?: {
    readonly discoveryUrl?: string;
    readonly jwksUrl?: string;
    readonly validationPublicKeys: readonly string[];
    readonly boundIssuer?: string;
  };
  readonly admins?: { readonly groups: readonly string[]; readonly policies: readonly string[] };
}

/** How long a person's token lives at most, per profile: a working day where it matters. */
export const PEOPLE_MAX_TTL: Readonly<Record<ProfileName, string>> = {
  dev: "24h",
  ephemeral: "24h",
  staging: "12h",
  prod: "8h",
};
const DEFAULT_TOKEN_TTL = "1h";
export const PEOPLE_ROLE = "people";
/** Where people log in by default: the conventional OIDC path; JWTs beside the apps' jwt mount. */
const DEFAULT_PEOPLE_PATH = { oidc: "oidc", jwt: "people" } as const;

/** Teams with their defaults, and every rule across teams, groups and apps. */
export function resolveTeams(
  teams: readonly z.infer<typeof teamSchema>[],
  appNames: readonly string[],
  problems: Problems,
): TeamConfig[] {
  const teamOfGroup = new Map<string, string>();
  const seen = new Set<string>();
  teams.forEach((team, index) => {
    if (seen.has(team.name)) {
      problems.add("teams", [index, "name"], "team names must be unique", team.name);
    }
    seen.add(team.name);
    team.groups.forEach((group, i) => {
      const owner = teamOfGroup.get(group);
      if (owner !== undefined && owner !== team.name) {
        problems.add(
          "teams",
          [index, "groups", i],
          `IdP group "${group}" already makes up team "${owner}": a group maps to one team`,
          group,
        );
      }
      teamOfGroup.set(group, team.name);
    });
    team.apps.forEach((app, i) => {
      if (!appNames.includes(app)) {
        problems.add(
          "teams",
          [index, "apps", i],
          `no app "${app}" in vault-platform:apps; expected one of ${appNames.join(", ")}`,
          app,
        );
      }
    });
    if (new Set(team.apps).size !== team.apps.length) {
      problems.add("teams", [index, "apps"], "expected each app at most once", team.apps);
    }
  });
  return teams.map((team) => ({
    name: team.name,
    groups: team.groups,
    apps: team.apps,
    access: team.access ?? "read",
  }));
}

const SHARED: readonly ProfileName[] = ["staging", "prod"];

/** The people login with its defaults; the rules that depend on the profile and on the teams. */
export function resolvePeople(
  raw: z.infer<typeof peopleSchema> | undefined,
  clientSecret: pulumi.Output<string> | undefined,
  teams: readonly TeamConfig[],
  profile: ProfileName,
  problems: Problems,
): PeopleConfig | undefined {
  if (raw?.auth === undefined) {
    if (raw?.admins !== undefined) {
      problems.add("people", ["auth"], "people.admins needs a login for people", undefined);
    }
    if (teams.length > 0) {
      problems.add(
        "people",
        [],
        "teams need a login for people: {auth: {method: oidc, discoveryUrl, clientId, redirectUris}} or {auth: {method: jwt, ...}}",
        raw,
      );
    }
    if (clientSecret !== undefined) {
      problems.add("peopleClientSecret", [], "applies to people.auth.method oidc only", "");
    }
    return undefined;
  }
  const { auth } = raw;
  const shared = SHARED.includes(profile);
  const insecure = (key: string, value: string | undefined) => {
    if (shared && value !== undefined && !value.startsWith("https://")) {
      problems.add(
        "people",
        ["auth", key],
        `the ${profile} profile reaches the identity provider over https only`,
        value,
      );
    }
  };
  insecure("discoveryUrl", auth.discoveryUrl);
  const tokenTtl = parseDuration(auth.tokenTtl ?? DEFAULT_TOKEN_TTL);
  const bound = parseDuration(PEOPLE_MAX_TTL[profile]);
  const tokenMaxTtl = parseDuration(auth.tokenMaxTtl ?? PEOPLE_MAX_TTL[profile]);
  if (tokenMaxTtl > bound) {
    problems.add(
      "people",
      ["auth", "tokenMaxTtl"],
      `the ${profile} profile keeps a person's token at most ${PEOPLE_MAX_TTL[profile]}`,
      auth.tokenMaxTtl,
    );
  }
  if (tokenTtl > tokenMaxTtl) {
    problems.add(
      "people",
      ["auth", "tokenTtl"],
      `expected at most tokenMaxTtl (${auth.tokenMaxTtl ?? PEOPLE_MAX_TTL[profile]})`,
      auth.tokenTtl,
    );
  }
  checkAdmins(raw.admins, teams, problems);
  if (teams.length === 0 && raw.admins === undefined) {
    problems.add(
      "people",
      [],
      "a login for people needs vault-platform:teams or people.admins: no group would let anybody in",
      raw,
    );
  }
  const common = {
    method: auth.method,
    path: auth.path ?? DEFAULT_PEOPLE_PATH[auth.method],
    role: PEOPLE_ROLE,
    groupsClaim: auth.groupsClaim ?? "groups",
    userClaim: auth.userClaim ?? (auth.method === "oidc" ? "email" : "sub"),
    tokenTtlSeconds: tokenTtl,
    tokenMaxTtlSeconds: tokenMaxTtl,
    ...(raw.admins ? { admins: raw.admins } : {}),
  };
  if (auth.method === "oidc") {
    if (clientSecret === undefined) {
      problems.add(
        "peopleClientSecret",
        [],
        "people.auth.method oidc needs the client secret registered at the IdP, set with `pulumi config set --secret vault-platform:peopleClientSecret`",
        undefined,
      );
    }
    return {
      ...common,
      boundAudiences: auth.boundAudiences ?? [auth.clientId],
      oidc: {
        discoveryUrl: auth.discoveryUrl,
        clientId: auth.clientId,
        clientSecret: clientSecret as pulumi.Output<string>,
        redirectUris: auth.redirectUris,
        scopes: auth.scopes ?? ["openid", "profile", "email"],
      },
    };
  }
  if (clientSecret !== undefined) {
    problems.add("peopleClientSecret", [], "applies to people.auth.method oidc only", "");
  }
  insecure("jwksUrl", auth.jwksUrl);
  const sources = [auth.discoveryUrl, auth.jwksUrl, auth.validationPublicKeys].filter(
    (source) => source !== undefined,
  );
  if (sources.length !== 1) {
    problems.add(
      "people",
      ["auth"],
      "people.auth.method jwt needs exactly one of discoveryUrl, jwksUrl or validationPublicKeys",
      auth,
    );
  }
  if (shared && auth.validationPublicKeys !== undefined) {
    problems.add(
      "people",
      ["auth", "validationPublicKeys"],
      `the ${profile} profile trusts the identity provider's published keys only (discoveryUrl or jwksUrl), not keys pasted into config`,
      auth.validationPublicKeys.length,
    );
  }
  if (auth.boundAudiences === undefined) {
    problems.add(
      "people",
      ["auth", "boundAudiences"],
      "people.auth.method jwt needs the audiences a person's token is issued for",
      undefined,
    );
  }
  return {
    ...common,
    boundAudiences: auth.boundAudiences ?? [],
    jwt: {
      discoveryUrl: auth.discoveryUrl,
      jwksUrl: auth.jwksUrl,
      // Vault stores PEM keys without the trailing newline: trimmed, a second up sees no change.
      validationPublicKeys: (auth.validationPublicKeys ?? []).map((key) => key.trim()),
      boundIssuer: auth.boundIssuer,
    },
  };
}

function checkAdmins(
  admins: z.infer<typeof peopleSchema>["admins"],
  teams: readonly TeamConfig[],
  problems: Problems,
): void {
  admins?.groups.forEach((group, i) => {
    const team = teams.find((candidate) => candidate.groups.includes(group));
    if (team) {
      problems.add(
        "people",
        ["admins", "groups", i],
        `IdP group "${group}" already makes up team "${team.name}": a group maps to one team or to the admins`,
        group,
      );
    }
  });
}
