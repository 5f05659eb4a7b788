import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { T, TEST_SEEDS, TEST_TRUST_DIR } from "./contract";
import { named, ofType, settle, stackConfigSource, useMocks, valueOf } from "./harness";

describe("staging profile on a server the program initializes", () => {
  it("initializes, then configures Vault with a scoped provisioner token and revokes root", async () => {
    await useMocks({ stack: "staging" });
    const { loadConfig } = await import("../../stacks/config");
    const { Platform } = await import("../../infra/platform");
    const { PROVISIONER_POLICY } = await import("../../infra/provisioner-policy");
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
    const trustFile = path.join(TEST_TRUST_DIR, "staging-init", "ca.pem");
    const platform = new Platform("platform", { config, trustFile });
    await settle();

    expect(named("platform-server-init").inputs).toMatchObject({
      secretShares: 5,
      secretThreshold: 3,
    });
    expect(platform.server?.init).toBeDefined();
    expect(await pulumi.isSecret(platform.server?.token as pulumi.Output<string>)).toBe(true);

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
    // TLS only: a generated certificate, the listener on it, every client trusting its CA.
    expect(named("platform-server-certificate").inputs).toMatchObject({
      commonName: "vp-staging-vault",
      dnsNames: ["localhost", "vp-staging-vault"],
      ipAddresses: ["127.0.0.1"],
      validityHours: 2160,
    });
    expect(await valueOf(platform.server?.address as pulumi.Output<string>)).toBe(
      "https://127.0.0.1:8210",
    );
    const container = ofType(T.container)[0];
    const uploads = container.inputs.uploads as { file: string; content: string }[];
    expect(uploads.map((upload) => upload.file)).toEqual([
      "/vault/config/platform.json",
      "/vault/config/tls/ca.pem",
      "/vault/config/tls/server.pem",
      "/vault/config/tls/server-key.pem",
    ]);
    const listener = JSON.parse(uploads[0].content).listener[0].tcp;
    expect(listener).toMatchObject({
      tls_cert_file: "/vault/config/tls/server.pem",
      tls_key_file: "/vault/config/tls/server-key.pem",
      tls_min_version: "tls12",
    });
    expect(listener.tls_disable).toBeUndefined();
    expect(uploads[3].content).toBe("mock-key-pem-platform-server-certificate");
    expect(container.secretInputs).toContain("uploads");
    expect(container.inputs.envs).toContain("VAULT_CACERT=/vault/config/tls/ca.pem");
    expect(container.inputs.healthcheck).toMatchObject({
      tests: ["CMD", "vault", "status", "-address=https://127.0.0.1:8200"],
    });
    const ca = "mock-ca-pem-platform-server-certificate";
    expect(named("platform-vault").inputs.caCertFile).toBe(trustFile);
    expect(fs.readFileSync(trustFile, "utf8")).toBe(ca);
    for (const resource of [
      "platform-server-init",
      "platform-bootstrap-provisioner",
      "platform-bootstrap-revoke-root",
      "platform-database-rotate-root",
      "platform-database-lease-revocation",
    ]) {
      expect([resource, named(resource).inputs.caCert]).toEqual([resource, ca]);
    }
    // Only Vault knows its Postgres password after the first up.
    expect(named("platform-database-rotate-root").inputs.onCreate).toEqual({
      method: "POST",
      path: "database/rotate-root/postgres",
    });
  });
});
