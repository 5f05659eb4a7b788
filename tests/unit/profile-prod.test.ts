import { expectProfileContract, buildProfile, T } from "./contract";
import { graphSummary, ofType } from "./harness";

describe("prod profile", () => {
  it("registers a server-mode platform with the strictest TTLs", async () => {
    const { config, platform } = await buildProfile("prod");
    await expectProfileContract(config, platform);
    for (const role of ofType(T.approleRole)) {
      expect(role.inputs).toMatchObject({ tokenTtl: 900, tokenMaxTtl: 3600, secretIdNumUses: 1 });
      expect(role.inputs.tokenBoundCidrs).toEqual(["10.30.0.0/16"]);
    }
    for (const role of ofType(T.dbRole)) {
      expect(role.inputs).toMatchObject({ defaultTtl: 900, maxTtl: 3600 });
    }
    expect(ofType(T.connection)[0].inputs.postgresql.connectionUrl).toBe(
      "postgresql://{{username}}:{{password}}@postgres.prod.internal:5432/app_prod?sslmode=verify-full",
    );
    expect(ofType(T.audit)).toHaveLength(2);
    expect(graphSummary()).toMatchSnapshot();
  });
});
