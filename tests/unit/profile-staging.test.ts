import { expectProfileContract, buildProfile, T } from "./contract";
import { graphSummary, named, ofType, recorded } from "./harness";

describe("staging profile", () => {
  it("registers a server-mode platform with hardened defaults", async () => {
    const { config, platform } = await buildProfile("staging");
    await expectProfileContract(config, platform);

    const container = named("platform-server-container").inputs;
    expect(container.command).toEqual(["server", "-config=/vault/config/platform.json"]);
    expect(container.ports).toEqual([{ internal: 8200, external: 8210, ip: "127.0.0.1" }]);
    expect(container.restart).toBe("unless-stopped");
    expect(ofType(T.network)).toHaveLength(1);
    expect(
      ofType(T.volume)
        .map((volume) => volume.inputs.name)
        .sort(),
    ).toEqual(["vp-staging-data", "vp-staging-logs"]);
    expect(
      ofType(T.audit)
        .map((device) => device.inputs.path)
        .sort(),
    ).toEqual(["file", "stdout"]);
    for (const role of ofType(T.approleRole)) {
      expect(role.inputs).toMatchObject({
        tokenTtl: 1200,
        tokenMaxTtl: 3600,
        secretIdTtl: 3600,
        secretIdNumUses: 1,
        tokenBoundCidrs: ["10.20.0.0/16"],
        secretIdBoundCidrs: ["10.20.0.0/16"],
      });
    }
    expect(ofType(T.transitKey).every((key) => key.inputs.deletionAllowed === false)).toBe(true);
    expect(config.protect).toBe(true);
    expect(recorded.some((resource) => resource.name.endsWith("release-dev-mount"))).toBe(false);
    expect(graphSummary()).toMatchSnapshot();
  });
});
