/**
 * Teams: the people behind the apps. Each team's policy is derived from the apps it owns through
 * the apps' own access (infra/apps.ts), and its members are the IdP groups mapped to it. Pure
 * functions, no resources: the People component creates them, the access diff and verify read
 * the same plans.
 */
import type { PlatformConfig, TeamConfig } from "../stacks/config";
import { PolicyRule, renderTeamPolicy, teamPolicyRules } from "./acl-policy";
import { LoginGrant, planApps } from "./apps";

/** Every team's ACL policy and identity group are named with this prefix and the team's name. */
export const TEAM_PREFIX = "team-";

export function teamPolicyName(team: string): string {
  return `${TEAM_PREFIX}${team}`;
}

/** The identity group of platform admins (config people.admins). */
export const ADMINS_GROUP = "platform-admins";

export interface TeamPlan {
  readonly team: TeamConfig;
  /** Name of the team's ACL policy and of its external identity group. */
  readonly policyName: string;
  readonly rules: readonly PolicyRule[];
  readonly policyDocument: string;
  /** Who becomes a member: the people login, and each IdP group mapped to the team. */
  readonly logins: readonly LoginGrant[];
  /** operate: the certificate roles of the apps it owns, with their names. */
  readonly certificates: readonly LoginGrant[];
}

/** What the stack exports per team (`teams.<name>`), read back by `verify`. */
export interface TeamOutputs {
  readonly policy: string;
  /** The policy text written to Vault: verify compares what Vault holds with it. */
  readonly document: string;
  readonly groups: readonly string[];
  readonly apps: readonly string[];
  readonly access: "read" | "operate";
}

export function planTeams(config: PlatformConfig): TeamPlan[] {
  const plans = planApps(config);
  const apps = new Map(plans.map((plan) => [plan.app.name, plan.access]));
  const certificates = new Map(plans.map((plan) => [plan.app.name, plan.certificates]));
  return config.teams.map((team) => {
    const spec = {
      name: team.name,
      access: team.access,
      apps: team.apps.flatMap((app) => apps.get(app) ?? []),
    };
    return {
      team,
      policyName: teamPolicyName(team.name),
      rules: teamPolicyRules(spec),
      policyDocument: renderTeamPolicy(spec),
      logins: config.people
        ? [
            {
              path: `auth/${config.people.path}/login`,
              grants: team.groups.map((group) => `IdP group ${group}`),
            },
          ]
        : [],
      certificates:
        team.access === "operate"
          ? team.apps.flatMap((app) => {
              const grant = certificates.get(app);
              return grant ? [grant] : [];
            })
          : [],
    };
  });
}

export function teamOutputs(plan: TeamPlan): TeamOutputs {
  return {
    policy: plan.policyName,
    document: plan.policyDocument,
    groups: plan.team.groups,
    apps: plan.team.apps,
    access: plan.team.access,
  };
}
