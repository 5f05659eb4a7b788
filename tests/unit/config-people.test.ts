/**
 * Teams and the people login: every key checked at load, each bad value refused with the key,
 * the value (never a secret's) and what was expected.
 */
import { loadConfig } from "../../stacks/config";
import { configProblems, stackConfigSource } from "./harness";

const APPS = [
  { name: "orders", kv: { read: ["orders/*"] }, boundCidrs: ["10.0.0.0/8"] },
  { name: "billing", kv: { read: ["billing/*"] }, boundCidrs: ["10.0.0.0/8"] },
];
const KEY = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----";
const OIDC = {
  method: "oidc",
  discoveryUrl: "https://idp.example.test",
  clientId: "vault",
  redirectUris: ["http://localhost:8250/oidc/callback"],
};
const JWT = { method: "jwt", validationPublicKeys: [KEY], boundAudiences: ["vault"] };
const team = (fields: Record<string, unknown> = {}) => ({
  name: "payments",
  groups: ["eng-pay"],
  apps: ["orders"],
  ...fields,
});
const SECRET = { peopleClientSecret: "s3cret-client" };

/** [case, stack, teams, people, secrets, exact message] */
const CASES: [string, string, unknown, unknown, Record<string, unknown>, string][] = [
  [
    "unknown app",
    "dev",
    [team({ apps: ["orderz"] })],
    { auth: JWT },
    {},
    'vault-platform:teams[0].apps[0]: no app "orderz" in vault-platform:apps; expected one of orders, billing; got "orderz"',
  ],
  [
    "duplicate team",
    "dev",
    [team(), team({ groups: ["eng-pay-2"] })],
    { auth: JWT },
    {},
    'vault-platform:teams[1].name: team names must be unique; got "payments"',
  ],
  [
    "one IdP group in two teams",
    "dev",
    [team(), team({ name: "shop", apps: ["billing"] })],
    { auth: JWT },
    {},
    'vault-platform:teams[1].groups[0]: IdP group "eng-pay" already makes up team "payments": a group maps to one team; got "eng-pay"',
  ],
  [
    "no groups",
    "dev",
    [team({ groups: [] })],
    { auth: JWT },
    {},
    "vault-platform:teams[0].groups: expected at least one IdP group; got []",
  ],
  [
    "no apps",
    "dev",
    [team({ apps: [] })],
    { auth: JWT },
    {},
    "vault-platform:teams[0].apps: expected at least one app the team owns; got []",
  ],
  [
    "an app twice",
    "dev",
    [team({ apps: ["orders", "orders"] })],
    { auth: JWT },
    {},
    'vault-platform:teams[0].apps: expected each app at most once; got ["orders","orders"]',
  ],
  [
    "unknown access level",
    "dev",
    [team({ access: "admin" })],
    { auth: JWT },
    {},
    'vault-platform:teams[0].access: expected one of "read", "operate"; got "admin"',
  ],
  [
    "team name in capitals",
    "dev",
    [team({ name: "Payments" })],
    { auth: JWT },
    {},
    'vault-platform:teams[0].name: expected a lower-case name like "payments" (letters, digits, "-"; at most 50); got "Payments"',
  ],
  [
    "a comma in an IdP group",
    "dev",
    [team({ groups: ["eng,pay"] })],
    { auth: JWT },
    {},
    'vault-platform:teams[0].groups[0]: expected a group name without a comma or leading or trailing blanks; got "eng,pay"',
  ],
  [
    "unknown key in a team",
    "dev",
    [team({ owner: "x" })],
    { auth: JWT },
    {},
    'vault-platform:teams[0]: unknown key "owner"; got ["name","groups","apps","owner"]',
  ],
  [
    "teams without a login for people",
    "dev",
    [team()],
    undefined,
    {},
    "vault-platform:people: teams need a login for people: {auth: {method: oidc, discoveryUrl, clientId, redirectUris}} or {auth: {method: jwt, ...}}; got nothing",
  ],
  [
    "a login that lets nobody in",
    "dev",
    undefined,
    { auth: JWT },
    {},
    'vault-platform:people: a login for people needs vault-platform:teams or people.admins: no group would let anybody in; got {"auth":{"method":"jwt","boundAudiences":["vault"],"validationPublicKeys":["-...',
  ],
  [
    "unknown method",
    "dev",
    [team()],
    { auth: { method: "saml" } },
    {},
    'vault-platform:people.auth.method: expected method "oidc" or "jwt"; got "saml"',
  ],
  [
    "OIDC discovery URL that is not one",
    "dev",
    [team()],
    { auth: { ...OIDC, discoveryUrl: "idp.example.test" } },
    SECRET,
    'vault-platform:people.auth.discoveryUrl: expected a URL like "https://host/path"; got "idp.example.test"',
  ],
  [
    "OIDC without redirect URIs",
    "dev",
    [team()],
    { auth: { ...OIDC, redirectUris: [] } },
    SECRET,
    "vault-platform:people.auth.redirectUris: expected at least one redirect URI registered at the IdP; got []",
  ],
  [
    "OIDC without the client secret",
    "dev",
    [team()],
    { auth: OIDC },
    {},
    "vault-platform:peopleClientSecret: people.auth.method oidc needs the client secret registered at the IdP, set with `pulumi config set --secret vault-platform:peopleClientSecret`; got nothing",
  ],
  [
    "the client secret in plain config",
    "dev",
    [team()],
    { auth: { ...OIDC, clientSecret: "s3cret-client" } },
    SECRET,
    'vault-platform:people.auth: unknown key "clientSecret"; got ["method","discoveryUrl","clientId","redirectUris","clientSecret"]',
  ],
  [
    "OIDC over plain http in prod",
    "prod",
    [team()],
    { auth: { ...OIDC, discoveryUrl: "http://idp.example.test" } },
    SECRET,
    'vault-platform:people.auth.discoveryUrl: the prod profile reaches the identity provider over https only; got "http://idp.example.test"',
  ],
  [
    "JWT with two key sources",
    "dev",
    [team()],
    { auth: { ...JWT, jwksUrl: "https://idp.example.test/jwks" } },
    {},
    'vault-platform:people.auth: people.auth.method jwt needs exactly one of discoveryUrl, jwksUrl or validationPublicKeys; got {"method":"jwt","boundAudiences":["vault"],"jwksUrl":"https://idp.example.tes...',
  ],
  [
    "JWT without audiences",
    "dev",
    [team()],
    { auth: { method: "jwt", jwksUrl: "https://idp.example.test/jwks" } },
    {},
    "vault-platform:people.auth.boundAudiences: people.auth.method jwt needs the audiences a person's token is issued for; got nothing",
  ],
  [
    "validation keys in config in staging",
    "staging",
    [team()],
    { auth: JWT },
    {},
    "vault-platform:people.auth.validationPublicKeys: the staging profile trusts the identity provider's published keys only (discoveryUrl or jwksUrl), not keys pasted into config; got 1",
  ],
  [
    "a client secret where the method is jwt",
    "dev",
    [team()],
    { auth: JWT },
    SECRET,
    "vault-platform:peopleClientSecret: applies to people.auth.method oidc only; got [secret]",
  ],
  [
    "a token living longer than prod allows",
    "prod",
    [team()],
    { auth: { ...OIDC, tokenMaxTtl: "24h" } },
    SECRET,
    'vault-platform:people.auth.tokenMaxTtl: the prod profile keeps a person\'s token at most 8h; got "24h"',
  ],
  [
    "a token TTL above its max",
    "dev",
    [team()],
    { auth: { ...JWT, tokenTtl: "2h", tokenMaxTtl: "1h" } },
    {},
    'vault-platform:people.auth.tokenTtl: expected at most tokenMaxTtl (1h); got "2h"',
  ],
  [
    "the people login at the apps' AppRole path",
    "dev",
    [team()],
    { auth: { ...JWT, path: "approle" } },
    {},
    'vault-platform:people.auth.path: auth/approle is already the path of vault-platform:approle\'s login; expected another path; got "approle"',
  ],
  [
    "the people login at the token backend",
    "dev",
    [team()],
    { auth: { ...JWT, path: "token" } },
    {},
    'vault-platform:people.auth.path: "token" is Vault\'s built-in token backend (auth/token); expected another path; got "token"',
  ],
  [
    "an admins group that is a team's",
    "dev",
    [team()],
    { auth: JWT, admins: { groups: ["eng-pay"], policies: ["platform-admin"] } },
    {},
    'vault-platform:people.admins.groups[0]: IdP group "eng-pay" already makes up team "payments": a group maps to one team or to the admins; got "eng-pay"',
  ],
  [
    "admins without a policy",
    "dev",
    [team()],
    { auth: JWT, admins: { groups: ["ops"], policies: [] } },
    {},
    "vault-platform:people.admins.policies: expected the policies platform admins get, named explicitly; got []",
  ],
];

function overrides(stack: string, teams: unknown, people: unknown): Record<string, unknown> {
  const apps = stack === "dev" ? APPS.map(({ boundCidrs: _bound, ...app }) => app) : APPS;
  return {
    apps,
    ...(teams !== undefined ? { teams } : {}),
    ...(people !== undefined ? { people } : {}),
  };
}

describe("teams and people: bad config refused with exact messages", () => {
  it.each(CASES)("%s", (_case, stack, teams, people, secrets, message) => {
    const problems = configProblems(stack, overrides(stack, teams, people), {
      ...(stack === "dev" ? {} : { vaultToken: "t" }),
      ...secrets,
    }).filter(
      (problem) =>
        !problem.startsWith("vault-platform:server.tls.certificate") &&
        !problem.startsWith("vault-platform:tlsPrivateKey"),
    );
    expect(problems).toEqual([message]);
  });

  it("a misspelt key says which one was meant", () => {
    expect(configProblems("dev", { ...overrides("dev", undefined, undefined), team: [] })).toEqual([
      'vault-platform:team: unknown key: the program does not read it; did you mean vault-platform:teams?; got "[]"',
    ]);
  });

  it("never shows the client secret", () => {
    const problems = configProblems(
      "dev",
      overrides("dev", [team()], { auth: { ...JWT } }),
      SECRET,
    );
    expect(problems.join("\n")).not.toContain("s3cret-client");
  });

  it("resolves the defaults: OIDC at oidc, JWT at people, read access, a profile-bounded TTL", () => {
    const oidc = loadConfig(
      stackConfigSource("dev", overrides("dev", [team()], { auth: OIDC }), SECRET),
      "vault-platform",
      "dev",
    );
    expect(oidc.teams).toEqual([
      { name: "payments", groups: ["eng-pay"], apps: ["orders"], access: "read" },
    ]);
    expect(oidc.people).toMatchObject({
      method: "oidc",
      path: "oidc",
      role: "people",
      groupsClaim: "groups",
      userClaim: "email",
      boundAudiences: ["vault"],
      tokenTtlSeconds: 3600,
      tokenMaxTtlSeconds: 86400,
      oidc: { scopes: ["openid", "profile", "email"], clientId: "vault" },
    });
    const jwt = loadConfig(
      stackConfigSource("dev", overrides("dev", [team()], { auth: JWT }), {}),
      "vault-platform",
      "dev",
    );
    expect(jwt.people).toMatchObject({ method: "jwt", path: "people", userClaim: "sub" });
  });
});
