import { buildProfile, T } from "./contract";
import { named, ofType, recorded } from "./harness";

const NAMESPACE_TYPE = "vault:index/namespace:Namespace";
const REQUEST_TYPE = "pulumi-nodejs:dynamic/vaultplatform:VaultRequest";

describe("external cluster, pr-<n> sharing a cluster without namespaces (tenancy prefix)", () => {
  it("configures the root namespace with every mount, auth path and policy under pr-7", async () => {
    const { config } = await buildProfile(
      "pr-7",
      {
        sharedCluster: {
          flavor: "vault",
          address: "https://127.0.0.1:8200",
          auth: { method: "approle", roleId: "program-role" },
          tenancy: "prefix",
        },
        postgres: { host: "127.0.0.1" },
      },
      { vaultToken: "", vaultSecretId: "program-secret-id" },
    );
    expect(config.pathPrefix).toBe("pr-7");
    expect(ofType(T.container)).toHaveLength(0);

    // No namespace: one provider, at the root, logging in at the admin's AppRole mount.
    expect(ofType(NAMESPACE_TYPE)).toHaveLength(0);
    expect(ofType(T.vaultProvider).map((provider) => provider.name)).toEqual(["platform-vault"]);
    const provider = named("platform-vault").inputs;
    expect(provider.namespace).toBeUndefined();
    expect(JSON.parse(provider.authLogin)).toMatchObject({ path: "auth/approle/login" });

    expect(
      ofType(T.mount)
        .map((mount) => `${mount.inputs.type} ${mount.inputs.path}`)
        .sort(),
    ).toEqual(["database pr-7/database", "kv pr-7/secret", "transit pr-7/transit"]);
    expect(ofType(T.authBackend).map((backend) => backend.inputs.path)).toEqual(["pr-7/approle"]);

    const policies = ofType(T.policy);
    expect(policies.map((policy) => policy.inputs.name).sort()).toEqual([
      "pr-7-app-orders",
      "pr-7-app-reporting",
    ]);
    const orders = named("platform-policies-pr-7-app-orders").inputs.policy as string;
    expect(orders).toContain('path "pr-7/secret/data/orders/*"');
    expect(orders).toContain('path "pr-7/database/creds/orders"');
    // Every path an app's policy grants is under the stack's prefix, or the token's own.
    const granted = policies.flatMap((policy) =>
      [...(policy.inputs.policy as string).matchAll(/path "([^"]+)"/g)].map((match) => match[1]),
    );
    expect(
      granted.filter((path) => !path.startsWith("pr-7/") && !/^(sys|auth\/token)\//.test(path)),
    ).toEqual([]);

    expect(ofType(T.approleRole)).toHaveLength(2);
    for (const role of ofType(T.approleRole)) {
      expect(role.inputs.backend).toBe("pr-7/approle");
      expect(role.inputs.tokenPolicies).toEqual([`pr-7-app-${role.inputs.roleName}`]);
    }

    const requests = Object.fromEntries(
      ofType(REQUEST_TYPE).map((request) => [request.name, request.inputs]),
    );
    expect(requests["platform-database-lease-revocation"].onDelete.path).toBe(
      "sys/leases/revoke-prefix/pr-7/database/creds",
    );
    expect(requests["platform-database-rotate-root"].onCreate.path).toMatch(
      /^pr-7\/database\/rotate-root\//,
    );
    expect(requests["platform-database-rotate-root"].namespace).toBeUndefined();

    // Seeds are written under the stack's KV mount.
    expect(
      recorded.filter((resource) => resource.type === T.seed).map((seed) => seed.inputs.mount),
    ).toEqual(["pr-7/secret", "pr-7/secret"]);
  });
});
