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
    // Per team an internal group with the team's policy; per IdP group an external group, its
    // member, with the one alias Vault allows an external group.
    const internal = groups.filter((group) => group.type === "internal");
    expect(internal.map(({ name, policies, metadata }) => ({ name, policies, metadata }))).toEqual([
      {
        name: "platform-admins",
        policies: ["platform-admin"],
        metadata: { managedBy: "vault-platform" },
      },
      {
        name: "team-analytics",
        policies: ["team-analytics"],
        metadata: { managedBy: "vault-platform", team: "analytics", access: "read" },
      },
      {
        name: "team-payments",
        policies: ["team-payments"],
        metadata: { managedBy: "vault-platform", team: "payments", access: "operate" },
      },
      {
        name: "team-warehouse",
        policies: ["team-warehouse"],
        metadata: { managedBy: "vault-platform", team: "warehouse", access: "read" },
      },
    ]);
    expect(internal.map((group) => group.memberGroupIds.length)).toEqual([1, 1, 2, 1]);
    const external = groups.filter((group) => group.type === "external");
    expect(external).toEqual([
      {
        name: "idp-eng-data",
        type: "external",
        metadata: { managedBy: "vault-platform", idpGroup: "eng-data", memberOf: "team-analytics" },
      },
      {
        name: "idp-eng-pay",
        type: "external",
        metadata: { managedBy: "vault-platform", idpGroup: "eng-pay", memberOf: "team-payments" },
      },
      {
        name: "idp-eng-wh",
        type: "external",
        metadata: { managedBy: "vault-platform", idpGroup: "eng-wh", memberOf: "team-warehouse" },
      },
      {
        name: "idp-Payments-On-Call-7c0fd9e6",
        type: "external",
        metadata: {
          managedBy: "vault-platform",
          idpGroup: "Payments On-Call",
          memberOf: "team-payments",
        },
      },
      {
        name: "idp-platform-team",
        type: "external",
        metadata: {
          managedBy: "vault-platform",
          idpGroup: "platform-team",
          memberOf: "platform-admins",
        },
      },
    ]);
    const aliases = ofType("vault:identity/groupAlias:GroupAlias").sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    expect(aliases.map((alias) => [alias.name, alias.inputs.name])).toEqual([
      ["platform-people-idp-eng-data-alias", "eng-data"],
      ["platform-people-idp-eng-pay-alias", "eng-pay"],
      ["platform-people-idp-eng-wh-alias", "eng-wh"],
      ["platform-people-idp-Payments-On-Call-7c0fd9e6-alias", "Payments On-Call"],
      ["platform-people-idp-platform-team-alias", "platform-team"],
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
