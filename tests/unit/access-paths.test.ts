import { forbiddenPaths, neighboursOf } from "../../cli/app-checks";
import type { AppUnderTest, Environment } from "../../cli/checks";

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
