import * as pulumi from "@pulumi/pulumi";
import { TEST_SECRETS, T } from "./contract";
import { ofType, recorded, settle, stackConfigSource, useMocks } from "./harness";

describe("preview of an empty stack", () => {
  it("registers everything although the server's outputs are still unknown", async () => {
    await useMocks({ stack: "pr-5", preview: true, unknownOutputs: true });
    const { loadConfig } = await import("../../stacks/config");
    const { Platform } = await import("../../infra/platform");
    const config = loadConfig(
      stackConfigSource("pr-5", {}, TEST_SECRETS),
      "vault-platform",
      "pr-5",
    );
    const platform = new Platform("platform", { config });
    await settle();

    // The address resolves only once the container exists: unknown in this preview.
    const known = await new Promise<boolean>((resolve) =>
      (platform.server?.address as unknown as { isKnown: Promise<boolean> }).isKnown.then(resolve),
    );
    expect(known).toBe(false);
    expect(ofType(T.vaultProvider)).toHaveLength(1);
    expect(ofType(T.vaultProvider)[0].inputs.address).toEqual({ __pulumiUnknown: true });
    // ...and everything configured through the provider is still registered.
    expect(ofType(T.connection)).toHaveLength(1);
    expect(ofType(T.approleRole)).toHaveLength(2);
    expect(ofType(T.seed)).toHaveLength(2);
    expect(recorded.length).toBeGreaterThan(40);
    expect(pulumi.Output.isInstance(platform.approle.roleIds.orders)).toBe(true);
  });
});
