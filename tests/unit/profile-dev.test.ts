import { expectProfileContract, buildProfile, T } from "./contract";
import { graphSummary, named, ofType } from "./harness";

describe("dev profile", () => {
  it("registers the full platform with dev defaults", async () => {
    const { config, platform } = await buildProfile("dev");
    await expectProfileContract(config, platform);

    const container = named("platform-server-container").inputs;
    expect(container).toMatchObject({
      name: "vp-dev-vault",
      image: "hashicorp/vault:1.20.4",
      user: "vault",
      command: ["server", "-dev", "-config=/vault/config/platform.json"],
      networkMode: "host",
      capabilities: { adds: ["IPC_LOCK"] },
      wait: true,
    });
    expect(container.envs).toContain("VAULT_DEV_LISTEN_ADDRESS=127.0.0.1:8200");
    // The root token comes from the generated secret, never a literal.
    expect(container.envs).toContain(
      "VAULT_DEV_ROOT_TOKEN_ID=mock-password-platform-server-root-token",
    );
    expect(ofType(T.network)).toHaveLength(0);
    expect(ofType(T.audit).map((device) => device.inputs.path)).toEqual(["file"]);
    expect(ofType(T.transitKey).every((key) => key.inputs.deletionAllowed === true)).toBe(true);
    // The dev server's own secret/ mount is released before the KV mount takes the path.
    expect(named("platform-kv-release-dev-mount").inputs.onCreate).toEqual({
      method: "DELETE",
      path: "sys/mounts/secret",
    });
    expect(graphSummary()).toMatchSnapshot();
  });
});
