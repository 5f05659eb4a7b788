import { formatResults, loginTokenVariable } from "../../cli/checks/run-checks";

describe("formatResults", () => {
  it("counts a check that could not run as neither passed nor failed", () => {
    expect(
      formatResults([
        { check: "orders: AppRole login", ok: true, detail: "token" },
        { check: "orders: JWT login", ok: false, skipped: true, detail: "no JWT for orders" },
        { check: "orders: reads its KV path", ok: false, detail: "HTTP 403" },
      ]),
    ).toBe(
      [
        "PASS  orders: AppRole login      token",
        "SKIP  orders: JWT login          no JWT for orders",
        "FAIL  orders: reads its KV path  HTTP 403",
        "1 passed, 1 failed, 1 not run",
      ].join("\n"),
    );
  });

  it("names the variable a login token comes from", () => {
    expect(loginTokenVariable("order-api", "jwt")).toBe("VAULT_PLATFORM_JWT_ORDER_API");
    expect(loginTokenVariable("reporting", "kubernetes")).toBe(
      "VAULT_PLATFORM_K8S_TOKEN_REPORTING",
    );
  });
});
