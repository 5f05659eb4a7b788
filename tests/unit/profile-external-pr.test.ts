import type * as pulumi from "@pulumi/pulumi";
import { buildProfile, T, TEST_SEEDS } from "./contract";
import { graphSummary, named, ofType, recorded, valueOf } from "./harness";

const NAMESPACE_TYPE = "vault:index/namespace:Namespace";
const REQUEST_TYPE = "pulumi-nodejs:dynamic/vaultplatform:VaultRequest";

describe("external cluster, pr-<n> on a shared cluster (JWT login, own namespace)", () => {
  it("runs no container, creates the namespace and configures everything inside it", async () => {
    const { config, platform } = await buildProfile(
      "pr-7",
      {
        sharedCluster: {
          flavor: "openbao",
          address: ["https://127.0.0.1:8200", "https://127.0.0.1:8202"],
          auth: { method: "jwt", path: "ci", role: "pr-environments", jwtEnv: "CI_JWT" },
        },
        postgres: { host: "127.0.0.1" },
      },
      { vaultToken: "" },
    );
    expect(config.server.mode).toBe("external");
    expect(platform.server).toBeUndefined();
    expect(ofType(T.container)).toHaveLength(0);
    expect(ofType("docker:index/volume:Volume")).toHaveLength(0);

    // One provider at the root creates the namespace; the other works inside it.
    expect(named("platform-namespace").type).toBe(NAMESPACE_TYPE);
    expect(named("platform-namespace").inputs).toEqual({ path: "pr-7" });
    expect(named("platform-namespace").provider).toContain("platform-vault-root");
    const root = named("platform-vault-root").inputs;
    const inside = named("platform-vault").inputs;
    for (const provider of [root, inside]) {
      expect(provider.address).toBe("https://127.0.0.1:8200");
      // The JWT itself is never an input: the provider reads TERRAFORM_VAULT_AUTH_JWT.
      expect(JSON.parse(provider.authLoginJwt)).toEqual({
        mount: "ci",
        role: "pr-environments",
        useRootNamespace: true,
      });
      expect(provider.token).toBeUndefined();
    }
    expect(root.namespace).toBeUndefined();
    expect(inside.namespace).toBe("pr-7");

    const vaultResources = recorded.filter(
      (resource) => resource.type.startsWith("vault:") && resource.type !== NAMESPACE_TYPE,
    );
    expect(vaultResources.length).toBeGreaterThan(10);
    expect(
      vaultResources.every((resource) =>
        resource.provider?.includes("pulumi:providers:vault::platform-vault::"),
      ),
    ).toBe(true);

    // Audit devices are the cluster operators'; none is declared or created.
    expect(platform.audit.paths).toEqual([]);
    expect(ofType(T.audit)).toHaveLength(0);

    // Lifecycle calls log in as the program at call time: no token in their state.
    const requests = ofType(REQUEST_TYPE);
    expect(requests.map((request) => request.name).sort()).toEqual([
      "platform-database-lease-revocation",
      "platform-database-rotate-root",
    ]);
    for (const request of requests) {
      expect(request.inputs.token).toBeUndefined();
      expect(request.inputs.namespace).toBe("pr-7");
      expect(request.inputs.login).toEqual({ method: "jwt", path: "ci", role: "pr-environments" });
    }

    expect(
      ofType(T.seed)
        .map((seed) => seed.inputs.name)
        .sort(),
    ).toEqual(Object.keys(TEST_SEEDS).sort());
    expect(await valueOf(platform.namespace as pulumi.Output<string>)).toBe("pr-7");
    expect(graphSummary()).toMatchSnapshot();
  });
});
