import { buildProfile } from "./contract";
import { named, ofType } from "./harness";

const KEY = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----";

describe("apps logging in with Kubernetes and JWT beside AppRole (dev)", () => {
  it("creates one role per app and method, each with the app's policy only", async () => {
    const { platform } = await buildProfile(
      "dev",
      {
        apps: [
          {
            name: "orders",
            auth: ["approle", "jwt"],
            jwt: {
              boundAudiences: ["vault-platform"],
              boundClaims: { repository: "org/shop", environment: ["staging", "prod"] },
            },
          },
          {
            name: "reporting",
            auth: ["kubernetes"],
            kubernetes: {
              serviceAccounts: ["reporting"],
              namespaces: ["analytics"],
              audience: "vault",
            },
          },
        ],
        jwt: { boundIssuer: "https://ci.example.test", validationPublicKeys: [KEY] },
      },
      { kubernetes: { host: "https://10.0.0.1:6443", tokenReviewerJwt: "reviewer-token" } },
    );
    // AppRole only for the app that lists it.
    expect(
      ofType("vault:appRole/authBackendRole:AuthBackendRole").map((role) => role.inputs.roleName),
    ).toEqual(["orders"]);

    expect(named("platform-jwt-backend").inputs).toMatchObject({
      path: "jwt",
      type: "jwt",
      boundIssuer: "https://ci.example.test",
      jwtValidationPubkeys: [KEY],
    });
    expect(named("platform-jwt-orders").inputs).toMatchObject({
      roleName: "orders",
      roleType: "jwt",
      userClaim: "sub",
      boundAudiences: ["vault-platform"],
      boundClaims: { repository: "org/shop", environment: "staging,prod" },
      tokenPolicies: ["app-orders"],
      tokenNoDefaultPolicy: true,
      tokenTtl: 3600,
      tokenMaxTtl: 14400,
    });

    expect(named("platform-kubernetes-backend").inputs).toMatchObject({
      type: "kubernetes",
      path: "kubernetes",
    });
    const config = named("platform-kubernetes-config");
    expect(config.inputs).toMatchObject({
      kubernetesHost: "https://10.0.0.1:6443",
      tokenReviewerJwt: "reviewer-token",
    });
    expect(config.secretInputs).toContain("tokenReviewerJwt");
    expect(named("platform-kubernetes-reporting").inputs).toMatchObject({
      roleName: "reporting",
      boundServiceAccountNames: ["reporting"],
      boundServiceAccountNamespaces: ["analytics"],
      audience: "vault",
      tokenPolicies: ["app-reporting"],
      tokenNoDefaultPolicy: true,
    });
    expect(ofType("vault:kubernetes/authBackendRole:AuthBackendRole")).toHaveLength(1);
    expect(ofType("vault:jwt/authBackendRole:AuthBackendRole")).toHaveLength(1);
    expect(platform.apps.orders.logins).toEqual(["approle", "jwt"]);
    expect(platform.apps.reporting.roleId).toBeUndefined();
  });
});
