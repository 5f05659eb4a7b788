/**
 * Who may do what, from config alone: one entry per ACL policy the stack writes, an app's or a
 * team's, with its normalized rules and who may obtain it (login paths and what they must
 * prove). The PR comment's access diff compares two of these.
 */
import type { PlatformConfig } from "../stacks/config";
import type { PolicyRule } from "./acl-policy";
import { LoginGrant, planApps } from "./apps";
import { planTeams } from "./teams";

export interface PolicyModel {
  /** Whose policy it is, as a reviewer reads it: "app orders", "team payments". */
  readonly subject: string;
  readonly rules: readonly PolicyRule[];
  readonly logins: readonly LoginGrant[];
  /** Certificate roles: the issue path and the names it allows. */
  readonly certificates?: readonly LoginGrant[];
}

/** Policy name -> whose it is, its normalized rules and who may obtain it. */
export type AccessModel = Readonly<Record<string, PolicyModel>>;

export function accessModel(config: PlatformConfig): AccessModel {
  return Object.fromEntries([
    ...planApps(config).map((plan): [string, PolicyModel] => [
      plan.policyName,
      {
        subject: `app ${plan.app.name}`,
        rules: plan.rules,
        logins: plan.logins,
        ...(plan.certificates ? { certificates: [plan.certificates] } : {}),
      },
    ]),
    ...planTeams(config).map((plan): [string, PolicyModel] => [
      plan.policyName,
      {
        subject: `team ${plan.team.name}`,
        rules: plan.rules,
        logins: plan.logins,
        ...(plan.certificates.length > 0 ? { certificates: plan.certificates } : {}),
      },
    ]),
  ]);
}
