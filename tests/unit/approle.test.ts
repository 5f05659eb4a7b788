import * as pulumi from "@pulumi/pulumi";
import { T } from "./contract";
import { ofType, settle, useMocks, valueOf } from "./harness";

describe("AppRole component", () => {
  it("creates hardened roles and a response-wrapped secret-id on request", async () => {
    await useMocks({ stack: "dev" });
    const { AppRole } = await import("../../infra/approle");
    const common = {
      tokenTtlSeconds: 900,
      tokenMaxTtlSeconds: 3600,
      secretIdTtlSeconds: 600,
      secretIdNumUses: 1,
      secretIdWrapTtl: "2m",
    };
    const approle = new AppRole("approle", {
      path: "approle",
      roles: [
        {
          ...common,
          name: "orders",
          policy: "app-orders",
          boundCidrs: ["10.1.0.0/16"],
          issueSecretId: true,
        },
        {
          ...common,
          name: "reporting",
          policy: "app-reporting",
          boundCidrs: [],
          issueSecretId: false,
        },
      ],
    });
    await settle();

    const [orders, reporting] = ofType(T.approleRole).sort((a, b) => a.name.localeCompare(b.name));
    expect(orders.inputs).toEqual({
      backend: "approle",
      roleName: "orders",
      tokenPolicies: ["app-orders"],
      tokenNoDefaultPolicy: true,
      tokenType: "service",
      tokenTtl: 900,
      tokenMaxTtl: 3600,
      secretIdTtl: 600,
      secretIdNumUses: 1,
      bindSecretId: true,
      secretIdBoundCidrs: ["10.1.0.0/16"],
      tokenBoundCidrs: ["10.1.0.0/16"],
    });
    expect(reporting.inputs.tokenBoundCidrs).toBeUndefined();

    const secretIds = ofType(T.secretId);
    expect(secretIds).toHaveLength(1);
    expect(secretIds[0].inputs).toEqual({
      backend: "approle",
      roleName: "orders",
      wrappingTtl: "2m",
      cidrLists: ["10.1.0.0/16"],
    });
    expect(await valueOf(approle.roleIds.orders)).toBe("role-id-orders");
    expect(await pulumi.isSecret(approle.wrappedSecretIds.orders)).toBe(true);
    expect(Object.keys(approle.wrappedSecretIds)).toEqual(["orders"]);
  });
});
