/**
 * The arguments of an app's certificate role (pkiRoleArgs): its names and nothing wider, golden
 * for a plain app, one with subdomains and one with a wildcard.
 */
import * as fs from "fs";
import * as path from "path";
import { PkiRoleSpec, pkiRoleArgs } from "../../infra/pki";
import type { AppPkiConfig } from "../../stacks/config";

const GOLDEN = path.join(__dirname, "../fixtures/golden/pki-roles.json");
const LEAF_MAX_TTL_SECONDS = 720 * 3600;

const pki = (fields: Partial<AppPkiConfig> & Pick<AppPkiConfig, "names">): AppPkiConfig => ({
  allowSubdomains: false,
  allowIpSans: false,
  ttlSeconds: 72 * 3600,
  keyType: "ec",
  ...fields,
});

const SPECS: readonly PkiRoleSpec[] = [
  { app: "orders", pki: pki({ names: ["orders.example.internal"] }) },
  {
    app: "billing",
    pki: pki({
      names: ["billing.example.internal", "pay.example.internal"],
      allowSubdomains: true,
      ttlSeconds: 24 * 3600,
    }),
  },
  {
    app: "storefront",
    pki: pki({ names: ["*.shop.example.internal"], keyType: "rsa", allowIpSans: true }),
  },
];

describe("pkiRoleArgs", () => {
  const roles = Object.fromEntries(
    SPECS.map((spec) => [spec.app, pkiRoleArgs("pki", spec, LEAF_MAX_TTL_SECONDS)]),
  );

  it("renders the roles of a plain app, one with subdomains and one with a wildcard (golden)", () => {
    const rendered = `${JSON.stringify(roles, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === "1") {
      fs.writeFileSync(GOLDEN, rendered);
    }
    expect(rendered).toBe(fs.readFileSync(GOLDEN, "utf8"));
  });

  it.each(SPECS)(
    "allows $app exactly its names, never any name, localhost or wildcard certificates",
    (spec) => {
      const role = roles[spec.app];
      expect(role.name).toBe(spec.app);
      expect(role.allowedDomains).toEqual(spec.pki.names);
      expect(role).toMatchObject({
        allowAnyName: false,
        allowLocalhost: false,
        allowWildcardCertificates: false,
        allowedUriSans: [],
        allowedOtherSans: [],
        enforceHostnames: true,
        maxTtl: String(LEAF_MAX_TTL_SECONDS),
      });
    },
  );

  it("globs only where a name is a wildcard", () => {
    expect(SPECS.map((spec) => roles[spec.app].allowGlobDomains)).toEqual([false, false, true]);
  });
});
