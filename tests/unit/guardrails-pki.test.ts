import type { ReportViolation } from "@pulumi/policy";
import { pkiRoleArgs } from "../../infra/pki";
import {
  checkPkiRole,
  DEFAULT_PKI_ROLE_LIMITS,
  PKI_RESOURCE_TYPES,
  PkiRoleLimits,
} from "../../guardrails/pki-rules";
import type { CheckedResource } from "../../guardrails/rules";
import { buildProfile } from "./contract";
import { recorded } from "./harness";
import { fromRecorded, packViolations } from "./guardrails-harness";

function violationsOf(resource: CheckedResource, limits?: PkiRoleLimits): string[] {
  const messages: string[] = [];
  const report: ReportViolation = (message) => messages.push(message);
  checkPkiRole(resource, report, limits);
  return messages;
}

/** A role as the program makes it for "orders", with these fields changed. */
const role = (props: Record<string, unknown> = {}) => ({
  type: PKI_RESOURCE_TYPES.role,
  name: "platform-pki-orders",
  props: {
    backend: "pki",
    name: "orders",
    allowedDomains: ["orders.example.internal"],
    allowBareDomains: true,
    allowSubdomains: false,
    allowGlobDomains: false,
    allowWildcardCertificates: false,
    allowAnyName: false,
    allowIpSans: false,
    maxTtl: "2592000",
    ...props,
  },
});

const NAMES_ONLY = "expected the names its app declares";

describe("pki-role-bound", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["the program's role: exact names, 30 days", {}, []],
    ["subdomains of named domains", { allowSubdomains: true }, []],
    ["maxTtl as a Vault duration", { maxTtl: "720h" }, []],
    [
      "any name",
      { allowAnyName: true },
      [`PKI role "orders" allows any name (allowAnyName); ${NAMES_ONLY}`],
    ],
    [
      "no allowed domains",
      { allowedDomains: [] },
      [`PKI role "orders" names no allowedDomains; ${NAMES_ONLY}`],
    ],
    [
      "allowed domains unset",
      { allowedDomains: undefined },
      [`PKI role "orders" names no allowedDomains; ${NAMES_ONLY}`],
    ],
    [
      'the domain "*"',
      { allowedDomains: ["orders.example.internal", "*"] },
      [`PKI role "orders" allows the domain "*" (every name); ${NAMES_ONLY}`],
    ],
    [
      "a glob domain",
      { allowedDomains: ["*.example.internal"], allowGlobDomains: true },
      [
        'PKI role "orders" matches names by pattern (allowGlobDomains ["*.example.internal"]); expected exact names, or the role in this policy\'s wildcardRoles',
      ],
    ],
    [
      "glob matching switched on",
      { allowGlobDomains: true },
      [
        'PKI role "orders" matches names by pattern (allowGlobDomains); expected exact names, or the role in this policy\'s wildcardRoles',
      ],
    ],
    [
      "wildcard certificates",
      { allowWildcardCertificates: true },
      [
        'PKI role "orders" may issue wildcard certificates (allowWildcardCertificates is not false); expected a certificate per name',
      ],
    ],
    [
      "wildcard certificates left to Vault's default",
      { allowWildcardCertificates: undefined },
      [
        'PKI role "orders" may issue wildcard certificates (allowWildcardCertificates is not false); expected a certificate per name',
      ],
    ],
    [
      "IP SANs",
      { allowIpSans: true },
      [
        'PKI role "orders" allows IP SANs (any IP address); expected allowIpSans false, or the role in this policy\'s ipSanRoles',
      ],
    ],
    [
      "IP SANs left to Vault's default",
      { allowIpSans: undefined },
      [
        'PKI role "orders" allows IP SANs (any IP address); expected allowIpSans false, or the role in this policy\'s ipSanRoles',
      ],
    ],
    [
      "a maxTtl over 30 days",
      { maxTtl: "7776000" },
      [
        'PKI role "orders" issues certificates for up to 7776000 seconds (maxTtl); expected at most 2592000',
      ],
    ],
    [
      "a maxTtl over 30 days, as a duration",
      { maxTtl: "2160h" },
      [
        'PKI role "orders" issues certificates for up to 7776000 seconds (maxTtl); expected at most 2592000',
      ],
    ],
    [
      "no maxTtl",
      { maxTtl: undefined },
      [
        'PKI role "orders" has no maxTtl (Vault then allows the mount\'s maximum); expected at most 2592000 seconds',
      ],
    ],
    [
      "a maxTtl that is not a duration",
      { maxTtl: "a month" },
      [
        'PKI role "orders" has a maxTtl that is not a duration ("a month"); expected at most 2592000 seconds',
      ],
    ],
  ])("%s", (_case, props, expected) => {
    expect(violationsOf(role(props))).toEqual(expected);
  });

  it("takes the roles the config lists, by their Vault name, and its own bound", () => {
    const wide = role({
      allowedDomains: ["*.example.internal"],
      allowGlobDomains: true,
      allowIpSans: true,
      maxTtl: "7776000",
    });
    expect(
      violationsOf(wide, {
        maxLeafTtlSeconds: 7776000,
        ipSanRoles: ["orders"],
        wildcardRoles: ["orders"],
      }),
    ).toEqual([]);
    // The resource name is not the role's name.
    expect(
      violationsOf(wide, {
        ...DEFAULT_PKI_ROLE_LIMITS,
        maxLeafTtlSeconds: 7776000,
        ipSanRoles: ["platform-pki-orders"],
      }),
    ).toHaveLength(2);
  });

  it("ignores other resources", () => {
    expect(
      violationsOf({ type: "vault:index/mount:Mount", name: "platform-pki-mount", props: {} }),
    ).toEqual([]);
  });

  it("passes the roles the program makes, flags a wildcard app's unless listed", () => {
    const leaf = { allowIpSans: false, ttlSeconds: 72 * 3600, keyType: "ec" as const };
    const resource = (app: string, names: string[], allowSubdomains = false) => ({
      type: PKI_RESOURCE_TYPES.role,
      name: `platform-pki-${app}`,
      props: pkiRoleArgs("pki", { app, pki: { names, allowSubdomains, ...leaf } }, 720 * 3600),
    });
    expect(violationsOf(resource("orders", ["orders.example.internal"]))).toEqual([]);
    expect(violationsOf(resource("billing", ["billing.example.internal"], true))).toEqual([]);
    const wildcard = resource("storefront", ["*.shop.example.internal"]);
    expect(violationsOf(wildcard)).toEqual([
      'PKI role "storefront" matches names by pattern (allowGlobDomains ["*.shop.example.internal"]); expected exact names, or the role in this policy\'s wildcardRoles',
    ]);
    expect(
      violationsOf(wildcard, { ...DEFAULT_PKI_ROLE_LIMITS, wildcardRoles: ["storefront"] }),
    ).toEqual([]);
  });
});

describe("the prod profile with certificates under the pack", () => {
  it("passes pki-role-bound and every other rule", async () => {
    await buildProfile("prod", {
      apps: [
        {
          name: "orders",
          kv: { read: ["orders/*"] },
          boundCidrs: ["10.30.0.0/16"],
          pki: { names: ["orders.example.internal"] },
        },
        {
          name: "billing",
          kv: { read: ["billing/*"] },
          boundCidrs: ["10.30.0.0/16"],
          pki: { names: ["billing.example.internal"], allowSubdomains: true },
        },
      ],
      pki: { mode: "internal" },
    });
    const violations = await packViolations(fromRecorded(recorded), {
      skip: ["data-resources-protected"],
    });
    expect(violations).toEqual([]);
  });
});
