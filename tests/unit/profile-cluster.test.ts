import type * as pulumi from "@pulumi/pulumi";
/**
 * A raft cluster of three nodes on one Docker host (server.nodes = 3): three containers with their
 * own volumes and ports, each joining the others with retry_join over TLS, one certificate that
 * names every node, and one initialization that unseals all of them.
 */
import * as path from "path";
import { T, TEST_SEEDS, TEST_TRUST_DIR } from "./contract";
import { named, ofType, settle, stackConfigSource, useMocks, valueOf } from "./harness";

describe("staging as a three-node raft cluster", () => {
  it("registers three joined nodes and initializes the first", async () => {
    await useMocks({ stack: "staging" });
    const { loadConfig } = await import("../../stacks/config");
    const { Platform } = await import("../../infra/platform");
    const config = loadConfig(
      stackConfigSource(
        "staging",
        { server: { network: "bridge", port: 8210, nodes: 3 } },
        { seeds: TEST_SEEDS, postgresAdminPassword: "pw" },
      ),
      "vault-platform",
      "staging",
    );
    const platform = new Platform("platform", {
      config,
      trustFile: path.join(TEST_TRUST_DIR, "cluster", "ca.pem"),
    });
    await settle();

    const containers = ofType(T.container);
    expect(containers.map((c) => [c.name, c.inputs.name])).toEqual([
      ["platform-server-container", "vp-staging-vault"],
      ["platform-server-container-1", "vp-staging-vault-1"],
      ["platform-server-container-2", "vp-staging-vault-2"],
    ]);
    expect(containers.map((c) => (c.inputs.ports as { external: number }[])[0].external)).toEqual([
      8210, 8212, 8214,
    ]);
    expect(ofType(T.volume).map((v) => v.inputs.name)).toEqual([
      "vp-staging-logs",
      "vp-staging-data",
      "vp-staging-logs-1",
      "vp-staging-data-1",
      "vp-staging-logs-2",
      "vp-staging-data-2",
    ]);
    const configs = containers.map((c) =>
      JSON.parse((c.inputs.uploads as { content: string }[])[0].content),
    );
    expect(configs.map((c) => c.storage.raft.node_id)).toEqual([
      "vp-staging",
      "vp-staging-1",
      "vp-staging-2",
    ]);
    expect(configs[1].storage.raft.retry_join).toEqual([
      {
        leader_api_addr: "https://vp-staging-vault:8200",
        leader_ca_cert_file: "/vault/config/tls/ca.pem",
      },
      {
        leader_api_addr: "https://vp-staging-vault-2:8200",
        leader_ca_cert_file: "/vault/config/tls/ca.pem",
      },
    ]);
    expect(configs.map((c) => c.cluster_addr)).toEqual([
      "https://vp-staging-vault:8201",
      "https://vp-staging-vault-1:8201",
      "https://vp-staging-vault-2:8201",
    ]);
    expect(named("platform-server-certificate").inputs.dnsNames).toEqual([
      "localhost",
      "vp-staging-vault",
      "vp-staging-vault-1",
      "vp-staging-vault-2",
    ]);
    expect(named("platform-server-init").inputs.peers).toEqual([
      "https://127.0.0.1:8212",
      "https://127.0.0.1:8214",
    ]);
    expect(ofType("pulumi-nodejs:dynamic/vaultplatform:ServerInit")).toHaveLength(1);
    expect(await valueOf(platform.server?.address as pulumi.Output<string>)).toBe(
      "https://127.0.0.1:8210",
    );
    expect(platform.server?.nodes).toHaveLength(3);
  });
});
