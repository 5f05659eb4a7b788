import { engineTuning } from "../../cli/engine/engine-tuning";

describe("engineTuning", () => {
  it("compresses checkpoints, collects less often and shares the compile cache by default", () => {
    expect(engineTuning({}, "/cache")).toEqual({
      PULUMI_DIY_BACKEND_ZSTD: "true",
      GOGC: "400",
      GOMEMLIMIT: "1GiB",
      NODE_COMPILE_CACHE: "/cache",
    });
  });

  it("leaves the garbage collector to the user when they set GOGC or GOMEMLIMIT", () => {
    expect(engineTuning({ GOGC: "100" }, undefined)).not.toHaveProperty("GOGC");
    expect(engineTuning({ GOGC: "100" }, undefined)).not.toHaveProperty("GOMEMLIMIT");
    expect(engineTuning({ GOMEMLIMIT: "4GiB" }, undefined)).not.toHaveProperty("GOGC");
  });

  it("keeps gzip when the user asks for it, and the user's own zstd setting", () => {
    expect(engineTuning({ PULUMI_DIY_BACKEND_GZIP: "true" }, undefined)).not.toHaveProperty(
      "PULUMI_DIY_BACKEND_ZSTD",
    );
    expect(engineTuning({ PULUMI_DIY_BACKEND_ZSTD: "false" }, undefined)).toMatchObject({
      PULUMI_DIY_BACKEND_ZSTD: "false",
    });
  });

  it("passes on the compile cache this process was given", () => {
    expect(engineTuning({ NODE_COMPILE_CACHE: "/given" }, "/own")).toMatchObject({
      NODE_COMPILE_CACHE: "/given",
    });
    expect(engineTuning({}, undefined)).not.toHaveProperty("NODE_COMPILE_CACHE");
  });
});
