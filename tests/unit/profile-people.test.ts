import * as fs from "fs";
import * as path from "path";
import { buildProfile } from "./contract";
import { named, ofType } from "./harness";

const GOLDEN = path.join(__dirname, "../fixtures/golden");

const APPS = [
  { name: "orders", kv: { read: ["orders/*"] }, database: "readwrite", transitKeys: ["orders"] },
  { name: "billing", kv: { read: ["billing/*"], write: ["billing/ledger"] } },
  { name: "inventory", kv: { read: ["inventory/*"] }, database: "readonly" },
  { name: "reporting", kv: { read: ["reporting/*", "orders/*"] }, transitKeys: ["reports"] },
];
const TEAMS = [
  {
    name: "payments",
    groups: ["eng-pay", "Payments On-Call"],
    apps: ["orders", "billing"],
    access: "operate",
  },
  { name: "warehouse", groups: ["eng-wh"], apps: ["inventory"] },
  { name: "analytics", groups: ["eng-data"], apps: ["reporting"], access: "read" },
];
const OIDC = {
  auth: {
    method: "oidc",
    discoveryUrl: "https://idp.example.test/realms/eng",
    clientId: "vault",
    redirectUris: [
      "https://vault.example.test/ui/vault/auth/oidc/oidc/callback",
      "http://localhost:8250/oidc/callback",
    ],
  },
  admins: { groups: ["platform-team"], policies: ["platform-admin"] },
};

describe("people and teams (staging, OIDC single sign-on)", () => {
  it("mounts OIDC with one role for people, a group per team with an alias per IdP group", async () => {
    const { config } = await buildProfile(
      "staging",
      {
        apps: APPS.map((app) => ({ ...app, boundCidrs: ["10.20.0.0/16"] })),
        teams: TEAMS,
        people: OIDC,
      },
      { peopleClientSecret: "client-secret-value" },
    );
    expect(config.people?.tokenMaxTtlSeconds).toBe(12 * 3600);

    const backend = named("platform-people-backend");
    expect(backend.inputs).toMatchObject({
      path: "oidc",
      type: "oidc",
      defaultRole: "people",
      oidcDiscoveryUrl: "https://idp.example.test/realms/eng",
      oidcClientId: "vault",
      oidcClientSecret: "client-secret-value",
    });
    // The client secret reaches the provider as a secret only.
    expect(backend.secretInputs).toEqual(["oidcClientSecret"]);

    expect(named("platform-people-role").inputs).toEqual({
      backend: "oidc",
      roleName: "people",
      roleType: "oidc",
      userClaim: "email",
      groupsClaim: "groups",
      boundAudiences: ["vault"],
      boundClaims: { groups: "Payments On-Call,eng-data,eng-pay,eng-wh,platform-team" },
      allowedRedirectUris: OIDC.auth.redirectUris,
      oidcScopes: ["openid", "profile", "email"],
      tokenType: "service",
      tokenTtl: 3600,
      tokenMaxTtl: 43200,
    });

    const groups = ofType("vault:identity/group:Group")
      .map((group) => group.inputs)
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(groups).toEqual([
      {
        name: "platform-admins",
        type: "external",
        policies: ["platform-admin"],
        metadata: { managedBy: "vault-platform" },
      },
      {
        name: "team-analytics",
        type: "external",
        policies: ["team-analytics"],
        metadata: { managedBy: "vault-platform", team: "analytics", access: "read" },
      },
      {
        name: "team-payments",
        type: "external",
        policies: ["team-payments"],
        metadata: { managedBy: "vault-platform", team: "payments", access: "operate" },
      },
      {
        name: "team-warehouse",
        type: "external",
        policies: ["team-warehouse"],
        metadata: { managedBy: "vault-platform", team: "warehouse", access: "read" },
      },
    ]);
    const aliases = ofType("vault:identity/groupAlias:GroupAlias").sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    expect(aliases.map((alias) => [alias.name, alias.inputs.name])).toEqual([
      ["platform-people-platform-admins-platform-team", "platform-team"],
      ["platform-people-team-analytics-eng-data", "eng-data"],
      ["platform-people-team-payments-eng-pay", "eng-pay"],
      ["platform-people-team-payments-Payments-On-Call-7c0fd9e6", "Payments On-Call"],
      ["platform-people-team-warehouse-eng-wh", "eng-wh"],
    ]);
    // Each alias binds its IdP group to the people login's mount.
    expect(new Set(aliases.map((alias) => alias.inputs.mountAccessor)).size).toBe(1);

    // One policy per team, named like its group, rendered as the golden files say.
    for (const team of ["payments", "warehouse", "analytics"]) {
      const policy = named(`platform-people-policies-team-${team}`).inputs;
      const golden = path.join(GOLDEN, `team-${team}.hcl`);
      if (process.env.UPDATE_GOLDEN === "1") {
        fs.writeFileSync(golden, policy.policy);
      }
      expect(policy).toEqual({ name: `team-${team}`, policy: fs.readFileSync(golden, "utf8") });
    }
  });
});
