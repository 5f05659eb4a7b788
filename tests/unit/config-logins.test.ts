/** How apps log in: bad config for the Kubernetes and JWT logins, with exact messages. */
import { loadConfig } from "../../stacks/config";
import { stackConfigSource, configProblems } from "./harness";

function load(
  stack: string,
  overrides: Record<string, unknown>,
  secrets: Record<string, unknown> = {},
) {
  return loadConfig(stackConfigSource(stack, overrides, secrets), "vault-platform", stack);
}

function problemsOf(
  stack: string,
  overrides: Record<string, unknown>,
  secrets: Record<string, unknown> = stack === "dev" ? {} : { vaultToken: "t" },
): string[] {
  return configProblems(stack, overrides, secrets);
}

const KEY = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----";
const JWT_MOUNT = { jwt: { boundIssuer: "https://ci.example.test", validationPublicKeys: [KEY] } };
const K8S_MOUNT = { kubernetes: { host: "https://10.0.0.1:6443", useClientJwt: true } };
const BINDINGS = {
  jwt: { boundAudiences: ["vault"], boundClaims: { repository: "org/repo" } },
  kubernetes: { serviceAccounts: ["orders"], namespaces: ["shop"] },
};
const app = (fields: Record<string, unknown>) => ({ apps: [{ name: "orders", ...fields }] });
const staging = (fields: Record<string, unknown>) => ({
  apps: [{ name: "orders", ...fields }],
});

const CASES: [string, string, Record<string, unknown>, string][] = [
  [
    "unknown login method",
    "dev",
    app({ auth: ["ldap"] }),
    'vault-platform:apps[0].auth[0]: expected one of "approle", "kubernetes", "jwt"; got "ldap"',
  ],
  [
    "no login method",
    "dev",
    app({ auth: [] }),
    "vault-platform:apps[0].auth: expected at least one login method; got []",
  ],
  [
    "a method twice",
    "dev",
    { ...app({ auth: ["jwt", "jwt"], jwt: BINDINGS.jwt }), ...JWT_MOUNT },
    'vault-platform:apps[0].auth: expected each login method at most once; got ["jwt","jwt"]',
  ],
  [
    "kubernetes without bindings",
    "dev",
    { ...app({ auth: ["kubernetes"] }), ...K8S_MOUNT },
    'vault-platform:apps[0].kubernetes: apps[0].auth lists "kubernetes": expected its bindings (serviceAccounts and namespaces); got nothing',
  ],
  [
    "jwt without bindings",
    "dev",
    { ...app({ auth: ["jwt"] }), ...JWT_MOUNT },
    'vault-platform:apps[0].jwt: apps[0].auth lists "jwt": expected its bindings (boundAudiences, boundClaims, userClaim); got nothing',
  ],
  [
    "bindings without the method",
    "dev",
    app({ jwt: BINDINGS.jwt }),
    'vault-platform:apps[0].jwt: applies when apps[0].auth lists "jwt"; got {"boundAudiences":["vault"],"boundClaims":{"repository":"org/repo"}}',
  ],
  [
    "CIDRs without AppRole",
    "dev",
    { ...app({ auth: ["jwt"], jwt: BINDINGS.jwt, boundCidrs: ["10.0.0.0/8"] }), ...JWT_MOUNT },
    'vault-platform:apps[0].boundCidrs: applies when apps[0].auth lists "approle"; got ["10.0.0.0/8"]',
  ],
  [
    "empty service accounts",
    "dev",
    {
      ...app({ auth: ["kubernetes"], kubernetes: { serviceAccounts: [], namespaces: ["shop"] } }),
      ...K8S_MOUNT,
    },
    "vault-platform:apps[0].kubernetes.serviceAccounts: expected at least one name; got []",
  ],
  [
    "a namespace that is not a name",
    "dev",
    {
      ...app({
        auth: ["kubernetes"],
        kubernetes: { serviceAccounts: ["orders"], namespaces: ["Shop_1"] },
      }),
      ...K8S_MOUNT,
    },
    'vault-platform:apps[0].kubernetes.namespaces[0]: expected a Kubernetes name like "orders"; got "Shop_1"',
  ],
  [
    "no Kubernetes mount",
    "dev",
    app({ auth: ["kubernetes"], kubernetes: BINDINGS.kubernetes }),
    'vault-platform:kubernetes: an app logs in with "kubernetes": expected the auth mount (host, caCertificate, tokenReviewerJwt or useClientJwt); got nothing',
  ],
  [
    "no JWT mount",
    "dev",
    app({ auth: ["jwt"], jwt: BINDINGS.jwt }),
    'vault-platform:jwt: an app logs in with "jwt": expected the auth mount (boundIssuer and jwksUrl, validationPublicKeys or oidcDiscoveryUrl, or a preset); got nothing',
  ],
  [
    "a mount no app uses",
    "dev",
    JWT_MOUNT,
    'vault-platform:jwt: applies when an app\'s auth lists "jwt"; got {"boundIssuer":"https://ci.example.test","validationPublicKeys":["-----BEGIN ...',
  ],
  [
    "Kubernetes mount with neither reviewer nor client JWT",
    "dev",
    {
      ...app({ auth: ["kubernetes"], kubernetes: BINDINGS.kubernetes }),
      kubernetes: { host: "https://10.0.0.1:6443" },
    },
    'vault-platform:kubernetes: expected exactly one of tokenReviewerJwt (set with --secret) or useClientJwt: true; got {"host":"https://10.0.0.1:6443"}',
  ],
  [
    "Kubernetes host that is not a URL",
    "dev",
    {
      ...app({ auth: ["kubernetes"], kubernetes: BINDINGS.kubernetes }),
      kubernetes: { host: "10.0.0.1:6443", useClientJwt: true },
    },
    'vault-platform:kubernetes.host: expected a URL like "https://host/path"; got "10.0.0.1:6443"',
  ],
  [
    "reviewer token in plain text",
    "dev",
    {
      ...app({ auth: ["kubernetes"], kubernetes: BINDINGS.kubernetes }),
      kubernetes: { host: "https://10.0.0.1:6443", tokenReviewerJwt: "eyJ" },
    },
    "vault-platform:kubernetes.tokenReviewerJwt: must be stored encrypted: set it with `pulumi config set --secret --path`; got nothing",
  ],
  [
    "JWT mount with two key sources",
    "dev",
    {
      ...app({ auth: ["jwt"], jwt: BINDINGS.jwt }),
      jwt: { jwksUrl: "https://ci.example.test/jwks", validationPublicKeys: [KEY] },
    },
    'vault-platform:jwt: expected exactly one of jwksUrl, validationPublicKeys or oidcDiscoveryUrl (the preset github-actions sets oidcDiscoveryUrl); got {"jwksUrl":"https://ci.example.test/jwks","validationPublicKeys":["-----BEGIN...',
  ],
  [
    "JWT mount with no key source",
    "dev",
    {
      ...app({ auth: ["jwt"], jwt: BINDINGS.jwt }),
      jwt: { boundIssuer: "https://ci.example.test" },
    },
    'vault-platform:jwt: expected exactly one of jwksUrl, validationPublicKeys or oidcDiscoveryUrl (the preset github-actions sets oidcDiscoveryUrl); got {"boundIssuer":"https://ci.example.test"}',
  ],
  [
    "a key that is not PEM",
    "dev",
    {
      ...app({ auth: ["jwt"], jwt: BINDINGS.jwt }),
      jwt: { validationPublicKeys: ["ssh-rsa AAAA"] },
    },
    'vault-platform:jwt.validationPublicKeys[0]: expected a PEM public key (-----BEGIN PUBLIC KEY-----); got "ssh-rsa AAAA"',
  ],
  [
    "unknown preset",
    "dev",
    { ...app({ auth: ["jwt"], jwt: BINDINGS.jwt }), jwt: { preset: "gitlab" } },
    'vault-platform:jwt.preset: expected one of "github-actions", "kubernetes"; got "gitlab"',
  ],
  [
    "staging: JWT role without claims",
    "staging",
    {
      ...staging({ auth: ["jwt"], jwt: { boundAudiences: ["vault"] } }),
      jwt: { preset: "github-actions" },
    },
    'vault-platform:apps[0].jwt: the staging profile requires a JWT role bound to audiences and claims (e.g. repository, ref, environment); got {"boundAudiences":["vault"],"boundClaims":{},"userClaim":"sub"}',
  ],
  [
    "staging: JWT role without audiences",
    "staging",
    {
      ...staging({ auth: ["jwt"], jwt: { boundClaims: { repository: "org/repo" } } }),
      jwt: { preset: "github-actions" },
    },
    'vault-platform:apps[0].jwt: the staging profile requires a JWT role bound to audiences and claims (e.g. repository, ref, environment); got {"boundAudiences":[],"boundClaims":{"repository":"org/repo"},"userClaim":"sub"}',
  ],
  [
    "staging: wildcard subject",
    "staging",
    {
      ...staging({ auth: ["jwt"], jwt: { ...BINDINGS.jwt, boundSubject: "repo:org/*" } }),
      jwt: { preset: "github-actions" },
    },
    'vault-platform:apps[0].jwt.boundSubject: the staging profile refuses a wildcard subject; got "repo:org/*"',
  ],
  [
    "staging: every service account",
    "staging",
    {
      ...staging({
        auth: ["kubernetes"],
        kubernetes: { serviceAccounts: ["*"], namespaces: ["shop"] },
      }),
      ...K8S_MOUNT,
    },
    'vault-platform:apps[0].kubernetes.serviceAccounts: the staging profile refuses "*": name the service accounts; got ["*"]',
  ],
  [
    "staging: every namespace",
    "staging",
    {
      ...staging({
        auth: ["kubernetes"],
        kubernetes: { serviceAccounts: ["orders"], namespaces: ["*"] },
      }),
      ...K8S_MOUNT,
    },
    'vault-platform:apps[0].kubernetes.namespaces: the staging profile refuses "*": name the namespaces; got ["*"]',
  ],
];

describe("app logins: bad config names the key", () => {
  it.each(CASES)("%s", (_case, stack, overrides, message) => {
    expect(problemsOf(stack, overrides)).toEqual([message]);
  });

  it("has at least 15 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });
});

describe("app logins: resolution", () => {
  it("defaults every app to AppRole only", () => {
    expect(load("dev", {}).apps.map((resolved) => resolved.auth)).toEqual([
      ["approle"],
      ["approle"],
    ]);
  });

  it("fills the GitHub Actions preset and keeps the reviewer token secret", () => {
    const config = load(
      "dev",
      {
        apps: [
          { name: "orders", auth: ["approle", "jwt"], jwt: BINDINGS.jwt },
          { name: "reporting", auth: ["kubernetes"], kubernetes: BINDINGS.kubernetes },
        ],
        jwt: { preset: "github-actions" },
      },
      { kubernetes: { host: "https://10.0.0.1:6443", tokenReviewerJwt: "reviewer-token" } },
    );
    expect(config.jwt).toEqual({
      path: "jwt",
      boundIssuer: "https://token.actions.githubusercontent.com",
      jwksUrl: undefined,
      validationPublicKeys: [],
      oidcDiscoveryUrl: "https://token.actions.githubusercontent.com",
    });
    expect(config.apps[0].jwt).toEqual({
      boundAudiences: ["vault"],
      boundClaims: { repository: "org/repo" },
      userClaim: "sub",
      boundSubject: undefined,
    });
    expect(config.kubernetes).toMatchObject({ path: "kubernetes", useClientJwt: false });
    expect(config.apps[1].auth).toEqual(["kubernetes"]);
  });

  it("a staging app bound to audiences and claims passes", () => {
    expect(
      problemsOf("staging", {
        ...staging({
          auth: ["jwt"],
          jwt: { ...BINDINGS.jwt, boundSubject: "repo:org/repo:ref:refs/heads/main" },
        }),
        jwt: { preset: "github-actions" },
      }),
    ).toEqual([]);
  });
});
