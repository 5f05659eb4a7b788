import * as fs from "fs";
import * as path from "path";
import {
  AppAccess,
  appPolicyRules,
  normalizeRules,
  renderAppPolicy,
  renderPolicyHcl,
  teamPolicyRules,
} from "../../infra/acl-policy";
import { appPolicyName } from "../../infra/apps";

const GOLDEN = path.join(__dirname, "../fixtures/golden");

const ORDERS: AppAccess = {
  name: "orders",
  kv: { mount: "secret", read: ["orders/*", "shared/config"], write: ["orders/runtime/*"] },
  database: { mount: "database", role: "orders" },
  transit: { mount: "transit", keys: ["orders"] },
};
/** An app with its own certificate role at a nested issuing mount. */
const STOREFRONT: AppAccess = {
  name: "storefront",
  kv: { mount: "secret", read: ["storefront/*"], write: [] },
  transit: { mount: "transit", keys: [] },
  pki: { mount: "team/pki", role: "storefront" },
};
const REPORTING: AppAccess = {
  name: "reporting",
  kv: { mount: "team/kv", read: ["reporting/*"], write: [] },
  transit: { mount: "transit", keys: [] },
};

describe("policy HCL renderer (golden files)", () => {
  it.each([
    ["app-orders.hcl", ORDERS],
    ["app-reporting.hcl", REPORTING],
    ["app-storefront.hcl", STOREFRONT],
  ])("renders %s", (file, app) => {
    const golden = path.join(GOLDEN, file);
    if (process.env.UPDATE_GOLDEN === "1") {
      fs.writeFileSync(golden, renderAppPolicy(app));
    }
    expect(renderAppPolicy(app)).toBe(fs.readFileSync(golden, "utf8"));
  });

  it("is deterministic whatever the declaration order", () => {
    const shuffled: AppAccess = {
      ...ORDERS,
      kv: { ...ORDERS.kv, read: [...ORDERS.kv.read].reverse() },
    };
    expect(renderAppPolicy(shuffled)).toBe(renderAppPolicy(ORDERS));
  });
});

describe("policy model", () => {
  it("derives KV v2 data/ and metadata/ paths from the mount", () => {
    const paths = appPolicyRules(REPORTING).map((rule) => rule.path);
    expect(paths).toContain("team/kv/data/reporting/*");
    expect(paths).toContain("team/kv/metadata/reporting/*");
    expect(paths).not.toContain("team/kv/reporting/*");
  });

  it("grants database creds and transit only when declared", () => {
    const reporting = appPolicyRules(REPORTING).map((rule) => rule.path);
    expect(reporting.some((p) => p.startsWith("database/"))).toBe(false);
    expect(reporting.some((p) => p.startsWith("transit/"))).toBe(false);
    const orders = appPolicyRules(ORDERS);
    expect(orders).toContainEqual({ path: "database/creds/orders", capabilities: ["read"] });
    expect(orders).toContainEqual({ path: "transit/encrypt/orders", capabilities: ["update"] });
    expect(orders).toContainEqual({ path: "transit/decrypt/orders", capabilities: ["update"] });
  });

  it("lets an operate team issue through its apps' roles, and a read team not", () => {
    const issue = { path: "team/pki/issue/storefront", capabilities: ["update"] };
    const team = (access: "read" | "operate") =>
      teamPolicyRules({ name: "shop", access, apps: [STOREFRONT, REPORTING] });
    expect(team("operate")).toContainEqual(issue);
    expect(team("read").some((rule) => rule.path.startsWith("team/pki/"))).toBe(false);
  });

  it("grants certificates through the app's own role only: update on issue, nothing else", () => {
    const pkiPaths = appPolicyRules(STOREFRONT).filter((rule) => rule.path.startsWith("team/pki/"));
    expect(pkiPaths).toEqual([{ path: "team/pki/issue/storefront", capabilities: ["update"] }]);
    expect(appPolicyRules(ORDERS).some((rule) => /(^|\/)pki\//.test(rule.path))).toBe(false);
  });

  it("never grants sudo or anything under sys/ beyond capabilities-self and lease renewal", () => {
    for (const rule of [ORDERS, REPORTING, STOREFRONT].flatMap(appPolicyRules)) {
      expect(rule.capabilities).not.toContain("sudo");
      if (rule.path.startsWith("sys/")) {
        expect(["sys/capabilities-self", "sys/leases/renew"]).toContain(rule.path);
      }
    }
  });

  it("merges duplicate paths and orders capabilities canonically", () => {
    expect(
      normalizeRules([
        { path: "b", capabilities: ["list"] },
        { path: "a", capabilities: ["update", "read"] },
        { path: "b", capabilities: ["read", "list"] },
      ]),
    ).toEqual([
      { path: "a", capabilities: ["read", "update"] },
      { path: "b", capabilities: ["read", "list"] },
    ]);
  });

  it("rejects a rule with no capabilities", () => {
    expect(() => renderPolicyHcl([{ path: "x", capabilities: [] }])).toThrow(
      'policy rule for path "x" has no capabilities',
    );
  });

  it("names app policies app-<name>", () => {
    expect(appPolicyName("orders")).toBe("app-orders");
  });
});
