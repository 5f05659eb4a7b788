import * as pulumi from "@pulumi/pulumi";
import { T, TEST_SEEDS } from "./contract";
import { named, ofType, recorded, settle, stackConfigSource, useMocks } from "./harness";

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

    const policy = named("platform-bootstrap-provisioner-policy").inputs;
    expect(policy.name).toBe(PROVISIONER_POLICY);
    expect(policy.policy).toContain('path "sys/mounts/*"');
    expect(named("platform-bootstrap-provisioner-token").inputs).toMatchObject({
      policies: [PROVISIONER_POLICY],
      noParent: true,
      noDefaultPolicy: true,
      renewable: true,
      period: "768h",
    });
    expect(named("platform-bootstrap-revoke-root").inputs.onCreate).toEqual({
      method: "POST",
      path: "auth/token/revoke-self",
    });
    // The bootstrap resources use the root provider; everything else the provisioner's.
    const providers = ofType(T.vaultProvider)
      .map((provider) => provider.name)
      .sort();
    expect(providers).toEqual(["platform-bootstrap-root", "platform-vault"]);
    for (const resource of recorded.filter((r) => r.type.startsWith("vault:"))) {
      const expected = resource.name.startsWith("platform-bootstrap-")
        ? "::platform-bootstrap-root::"
        : "::platform-vault::";
      expect(resource.provider).toContain(expected);
    }
    expect(
      ofType(T.vaultProvider).find((p) => p.name === "platform-vault")?.secretInputs,
    ).toContain("token");
    // Only Vault knows its Postgres password after the first up.
    expect(named("platform-database-rotate-root").inputs.onCreate).toEqual({
      method: "POST",
      path: "database/rotate-root/postgres",
    });
  });
});
