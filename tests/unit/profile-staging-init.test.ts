import * as pulumi from "@pulumi/pulumi";
import { T, TEST_SEEDS } from "./contract";
import { named, ofType, settle, stackConfigSource, useMocks } from "./harness";

describe("staging profile on a server the program initializes", () => {
  it("initializes, then configures Vault with a scoped provisioner token and revokes root", async () => {
    await useMocks({ stack: "staging" });
    const { loadConfig } = await import("../../stacks/config");
    const { Platform } = await import("../../infra/platform");
    const { PROVISIONER_POLICY } = await import("../../infra/bootstrap");
    const config = loadConfig(
      stackConfigSource(
        "staging",
        {
          server: {
            network: "bridge",
            port: 8210,
            unsealKeyShares: 5,
            unsealKeyThreshold: 3,
            revokeRootToken: true,
          },
        },
        { seeds: TEST_SEEDS, postgresAdminPassword: "pw" },
      ),
      "vault-platform",
      "staging",
    );
    const platform = new Platform("platform", { config });
    await settle();

    expect(named("platform-server-init").inputs).toMatchObject({
      secretShares: 5,
      secretThreshold: 3,
    });
    expect(platform.server.init).toBeDefined();
    expect(await pulumi.isSecret(platform.server.token)).toBe(true);

    const provisioner = named("platform-bootstrap-provisioner");
    expect(provisioner.inputs.policyName).toBe(PROVISIONER_POLICY);
    expect(provisioner.inputs.policy).toContain('path "sys/mounts/*"');
    expect(provisioner.inputs.rootToken).toBe("mock-root-token");
    expect(provisioner.secretInputs).toContain("rootToken");
    expect(named("platform-bootstrap-revoke-root").inputs.onCreate).toEqual({
      method: "POST",
      path: "auth/token/revoke-self",
    });
    // Vault is configured with the provisioner token, never with root.
    expect(ofType(T.vaultProvider).map((provider) => provider.name)).toEqual(["platform-vault"]);
    expect(named("platform-vault").inputs.token).toBe("mock-provisioner-token");
    expect(named("platform-vault").secretInputs).toContain("token");
    // Only Vault knows its Postgres password after the first up.
    expect(named("platform-database-rotate-root").inputs.onCreate).toEqual({
      method: "POST",
      path: "database/rotate-root/postgres",
    });
  });
});
