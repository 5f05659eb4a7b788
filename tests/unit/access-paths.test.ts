import {
  deniedPathsToAsk,
  forbiddenPaths,
  neighboursOf,
  ruleBeginnings,
} from "../../cli/checks/access-paths";
import type { AppUnderTest, Environment } from "../../cli/checks/run-checks";

const app = (name: string, extra: Partial<AppUnderTest> = {}): AppUnderTest => ({
  name,
  kvRead: [`${name}/*`],
  transitKeys: [],
  ...extra,
});
const apps = [
  app("a"),
  app("b", { databaseRole: "b" }),
  app("c", { transitKeys: ["c"] }),
  app("d"),
];
const env = {
  apps,
  mounts: { kv: "secret", database: "database", transit: "transit", approle: "approle" },
} as unknown as Environment;

describe("which other apps an app's token is sent to", () => {
  it("takes the next apps in order, wrapping around, never the app itself", () => {
    expect(neighboursOf(apps, apps[0], 2).map((other) => other.name)).toEqual(["b", "c"]);
    expect(neighboursOf(apps, apps[3], 2).map((other) => other.name)).toEqual(["a", "b"]);
    expect(neighboursOf(apps.slice(0, 2), apps[1], 2).map((other) => other.name)).toEqual(["a"]);
    expect(neighboursOf([apps[0]], apps[0], 2)).toEqual([]);
  });

  it("lists the system paths and the given others' KV, credentials and transit keys", () => {
    expect(forbiddenPaths(env, apps[0], neighboursOf(apps, apps[0], 2))).toEqual([
      "sys/mounts",
      "sys/policies/acl/app-a",
      "sys/audit",
      "auth/approle/role/a/secret-id",
      "secret/data/b/config",
      "secret/data/c/config",
      "database/creds/b",
      "transit/encrypt/c",
    ]);
    // Without a choice of others: every other app (what capabilities-self asks in one request).
    expect(forbiddenPaths(env, apps[0]).filter((path) => path.startsWith("secret/"))).toEqual([
      "secret/data/b/config",
      "secret/data/c/config",
      "secret/data/d/config",
    ]);
  });
});

describe("which denied paths capabilities-self is asked for", () => {
  const policyOfA = [
    '# Managed by vault-platform: access of app "a".',
    'path "auth/token/lookup-self" {\n  capabilities = ["read"]\n}',
    'path "secret/data/a/*" {\n  capabilities = ["read"]\n}',
    'path "sys/capabilities-self" {\n  capabilities = ["update"]\n}',
  ].join("\n\n");

  it("takes where each rule begins, up to its first wildcard", () => {
    expect(ruleBeginnings(policyOfA)).toEqual([
      "auth/token/lookup-self",
      "secret/data/a/",
      "sys/capabilities-self",
    ]);
    expect(ruleBeginnings('path "secret/data/+/config" {}\n  path "transit/*" {}')).toEqual([
      "secret/data/",
      "transit/",
    ]);
    // A policy in JSON form is not read rule by rule: any path may match it.
    expect(ruleBeginnings('{"path": {"secret/data/a/*": {"capabilities": ["read"]}}}')).toEqual([
      "",
    ]);
  });

  it("asks the system paths and the neighbours' paths, not the paths no rule can match", () => {
    const asked = deniedPathsToAsk(env, apps[0], [policyOfA]);
    expect(asked.paths).toEqual(forbiddenPaths(env, apps[0], neighboursOf(apps, apps[0], 2)));
    expect(asked.unmatched).toBe(1); // d's KV path
  });

  it("asks every other app's path a broader rule could match", () => {
    const broad = `${policyOfA}\npath "secret/data/+/config" {\n  capabilities = ["read"]\n}`;
    expect(deniedPathsToAsk(env, apps[0], [broad]).paths).toContain("secret/data/d/config");
    // Rules of another policy the token carries (e.g. its entity's) count as well.
    const entityPolicy = 'path "secret/*" {\n  capabilities = ["read"]\n}';
    const asked = deniedPathsToAsk(env, apps[0], [policyOfA, entityPolicy]);
    expect(asked.paths).toEqual(forbiddenPaths(env, apps[0]));
    expect(asked.unmatched).toBe(0);
  });
});
