import type { ReportViolation } from "@pulumi/policy";
import { renderAppPolicy, renderPolicyHcl } from "../../infra/acl-policy";
import { checkTeamNotEveryApp, ruleMatches } from "../../guardrails/team-rules";
import { checkAclPolicy } from "../../guardrails/rules";
import * as fs from "fs";
import * as path from "path";
import { aclPolicy, violationsOf } from "./guardrails-fixtures";

const GOLDEN = path.join(__dirname, "../fixtures/golden");
const golden = (file: string) => fs.readFileSync(path.join(GOLDEN, file), "utf8");
/** An app's policy as the program renders it, reading its own KV values. */
const app = (name: string) =>
  aclPolicy(
    `app-${name}`,
    renderAppPolicy({
      name,
      kv: { mount: "secret", read: [`${name}/*`], write: [] },
      transit: { mount: "transit", keys: [] },
    }),
  );
const APPS = [app("orders"), app("reporting")];

function violations(resources: ReturnType<typeof aclPolicy>[]): string[] {
  const found: string[] = [];
  const report: ReportViolation = (message) => found.push(message);
  checkTeamNotEveryApp(resources, report);
  return found;
}

describe("policy team-not-every-app", () => {
  it.each([
    ["secret/data/*", "secret/data/orders/*", true],
    ["secret/data/orders/*", "secret/data/orders/*", true],
    ["secret/data/orders/*", "secret/data/reporting/*", false],
    ["secret/data/+/*", "secret/data/orders/*", true],
    ["secret/data/orders", "secret/data/orders/*", false],
    ["secret/dat*", "secret/data/orders/*", true],
  ])("rule %s matches %s: %s", (rule, written, matches) => {
    expect(ruleMatches(rule, written)).toBe(matches);
  });

  it("passes a team that owns some apps (golden team policies)", () => {
    const teamOrders = renderPolicyHcl([
      { path: "secret/data/orders/*", capabilities: ["read"] },
      { path: "secret/metadata/orders/*", capabilities: ["read", "list"] },
    ]);
    expect(violations([...APPS, aclPolicy("team-payments", teamOrders)])).toEqual([]);
    expect(
      violations([
        app("orders"),
        app("billing"),
        app("inventory"),
        aclPolicy("team-payments", golden("team-payments.hcl")),
      ]),
    ).toEqual([]);
  });

  it("flags a team granted every app: listed one by one, or through a wildcard", () => {
    const everyApp = renderPolicyHcl([
      { path: "secret/data/orders/*", capabilities: ["read"] },
      { path: "secret/data/reporting/*", capabilities: ["read"] },
    ]);
    const wildcard = renderPolicyHcl([{ path: "secret/data/*", capabilities: ["read", "list"] }]);
    const message = (team: string) =>
      `team "${team}" reaches every app's secrets (orders, reporting); expected a team to own some apps, and platform admins in people.admins`;
    expect(violations([...APPS, aclPolicy("team-all", everyApp)])).toEqual([message("all")]);
    expect(violations([...APPS, aclPolicy("team-ops", wildcard)])).toEqual([message("ops")]);
    // A deny-only rule reaches nothing.
    const denied = renderPolicyHcl([{ path: "secret/data/*", capabilities: ["deny"] }]);
    expect(violations([...APPS, aclPolicy("team-none", denied)])).toEqual([]);
  });

  it("a team's sys/ path is refused by acl-policy-least-privilege", () => {
    const withSys = renderPolicyHcl([
      { path: "secret/data/orders/*", capabilities: ["read"] },
      { path: "sys/policies/acl/*", capabilities: ["read"] },
    ]);
    expect(violationsOf(checkAclPolicy, aclPolicy("team-payments", withSys))).toEqual([
      'ACL policy "team-payments" (resource "platform-policies-team-payments") grants "read" on "sys/policies/acl/*", which reaches sys/; expected no sys/ path but "sys/capabilities-self" and "sys/leases/renew" (only the admin policy "vault-platform-admin" may)',
    ]);
  });
});
