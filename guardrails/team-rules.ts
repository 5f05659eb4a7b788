/**
 * Teams: no team's policy reaches every app of the stack. A team owns some apps; one whose policy
 * covers them all (a wildcard added by hand, or every app listed) is an admin in disguise. Pure
 * stack-level check over the ACL policies the stack writes: the apps' (`app-<name>`) and the
 * teams' (`team-<name>`). A team policy's sys/ paths are refused by acl-policy-least-privilege.
 */
import type { ReportViolation } from "@pulumi/policy";
import { AclParseError, parseAclPolicy } from "./acl-document";
import { RESOURCE_TYPES, StackResource } from "./rules";

const APP_POLICY = /^app-(.+)$/;
const TEAM_POLICY = /^team-(.+)$/;

/** Whether an ACL rule path (`*` at the end, `+` for a segment) matches a path as written. */
export function ruleMatches(rule: string, path: string): boolean {
  const pattern = rule
    .split("")
    .map((char, index) => {
      if (char === "*" && index === rule.length - 1) {
        return ".*";
      }
      return char === "+" ? "[^/]+" : char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${pattern}$`).test(path);
}

function policiesOf(resources: readonly StackResource[], name: RegExp) {
  return resources.flatMap((resource) => {
    const match =
      resource.type === RESOURCE_TYPES.aclPolicy && typeof resource.props.name === "string"
        ? name.exec(resource.props.name)
        : null;
    if (!match || typeof resource.props.policy !== "string") {
      return [];
    }
    try {
      return [{ name: match[1], rules: parseAclPolicy(resource.props.policy) }];
    } catch (error) {
      if (error instanceof AclParseError) {
        return []; // acl-policy-least-privilege reports what cannot be read
      }
      throw error;
    }
  });
}

export function checkTeamNotEveryApp(
  resources: readonly StackResource[],
  report: ReportViolation,
): void {
  // Each app by the KV values its own policy reads: what a team reaches when it reaches the app.
  const apps = policiesOf(resources, APP_POLICY).map((app) => ({
    name: app.name,
    values: app.rules
      .filter((rule) => /\/data\//.test(rule.path) && rule.capabilities.includes("read"))
      .map((rule) => rule.path),
  }));
  if (apps.length < 2) {
    return;
  }
  for (const team of policiesOf(resources, TEAM_POLICY)) {
    const reading = team.rules.filter((rule) => rule.capabilities.includes("read"));
    const reaches = (path: string) => reading.some((rule) => ruleMatches(rule.path, path));
    const covered = apps.filter((app) => app.values.length > 0 && app.values.every(reaches));
    if (covered.length === apps.length) {
      report(
        `team "${team.name}" reaches every app's secrets (${apps.map((app) => app.name).join(", ")}); expected a team to own some apps, and platform admins in people.admins`,
      );
    }
  }
}
