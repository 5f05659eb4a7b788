/**
 * Certificates: the stack's CA (pki) and the apps' names (apps[].pki), every bad value refused at
 * load with the key, the value and what was expected; then the accepted shapes and the defaults.
 */
import { loadConfig } from "../../stacks/config";
import { configProblems, stackConfigSource } from "./harness";
import { testCa } from "./pki-fixtures";

const ca = testCa();
const INTERNAL = { mode: "internal" };
const WILDCARDS = { mode: "internal", allowWildcards: true };
const external = (intermediateCertificate: string) => ({
  mode: "external",
  intermediateCertificate,
});

/** An app reading its own KV path, with these certificate settings. */
const app = (name: string, pki?: Record<string, unknown>) => ({
  name,
  kv: { read: [`${name}/*`] },
  ...(pki ? { pki } : {}),
});

/** [case, stack, pki (undefined: not set), apps (undefined: the stack's), exact messages] */
type PkiCase = [string, string, unknown, Record<string, unknown>[] | undefined, string[]];

const NAME_CASES: PkiCase[] = [
  [
    "names that are not DNS names",
    "dev",
    INTERNAL,
    [app("orders", { names: ["Orders.example.com", "bad_name.example.com", "-a.example.com"] })],
    [
      'vault-platform:apps[0].pki.names[0]: expected a DNS name like "vault.example.internal"; got "Orders.example.com"',
      'vault-platform:apps[0].pki.names[1]: expected a DNS name like "vault.example.internal"; got "bad_name.example.com"',
      'vault-platform:apps[0].pki.names[2]: expected a DNS name like "vault.example.internal"; got "-a.example.com"',
    ],
  ],
  [
    "an empty label and a trailing dot",
    "dev",
    INTERNAL,
    [app("orders", { names: ["orders..example.com", "orders.example.com."] })],
    [
      'vault-platform:apps[0].pki.names[0]: expected a DNS name like "vault.example.internal"; got "orders..example.com"',
      'vault-platform:apps[0].pki.names[1]: expected a DNS name like "vault.example.internal"; got "orders.example.com."',
    ],
  ],
  [
    "a wildcard inside a name",
    "dev",
    WILDCARDS,
    [app("orders", { names: ["orders.*.example.com"] })],
    [
      'vault-platform:apps[0].pki.names[0]: expected a DNS name like "vault.example.internal"; got "orders.*.example.com"',
    ],
  ],
  [
    "no names",
    "dev",
    INTERNAL,
    [app("orders", { names: [] })],
    ["vault-platform:apps[0].pki.names: expected at least one DNS name; got []"],
  ],
  [
    "an unknown key in an app's pki",
    "dev",
    INTERNAL,
    [app("orders", { names: ["orders.example.com"], allowAnyName: true })],
    ['vault-platform:apps[0].pki: unknown key "allowAnyName"; got ["names","allowAnyName"]'],
  ],
  [
    "a wildcard without pki.allowWildcards",
    "dev",
    INTERNAL,
    [app("orders", { names: ["orders.example.com", "*.orders.example.com"] })],
    [
      'vault-platform:apps[0].pki.names[1]: a wildcard name needs vault-platform:pki.allowWildcards: true; got "*.orders.example.com"',
    ],
  ],
  [
    "two apps with the same name",
    "dev",
    INTERNAL,
    [
      app("orders", { names: ["shop.example.com"] }),
      app("billing", { names: ["shop.example.com"] }),
    ],
    [
      'vault-platform:apps[1].pki.names: "shop.example.com" overlaps "shop.example.com" of app "orders"; expected names that no other app\'s role allows; got "shop.example.com"',
    ],
  ],
  [
    "a name under another app's name with subdomains",
    "dev",
    INTERNAL,
    [
      app("orders", { names: ["example.com"], allowSubdomains: true }),
      app("billing", { names: ["pay.example.com"] }),
    ],
    [
      'vault-platform:apps[1].pki.names: "pay.example.com" overlaps "example.com" of app "orders"; expected names that no other app\'s role allows; got "pay.example.com"',
    ],
  ],
  [
    "subdomains reaching an earlier app's name",
    "dev",
    INTERNAL,
    [
      app("orders", { names: ["pay.example.com"] }),
      app("billing", { names: ["example.com"], allowSubdomains: true }),
    ],
    [
      'vault-platform:apps[1].pki.names: "example.com" overlaps "pay.example.com" of app "orders"; expected names that no other app\'s role allows; got "example.com"',
    ],
  ],
  [
    "a name under another app's wildcard",
    "dev",
    WILDCARDS,
    [app("orders", { names: ["*.example.com"] }), app("billing", { names: ["pay.example.com"] })],
    [
      'vault-platform:apps[1].pki.names: "pay.example.com" overlaps "*.example.com" of app "orders"; expected names that no other app\'s role allows; got "pay.example.com"',
    ],
  ],
  [
    "a wildcard reaching two levels down",
    "dev",
    WILDCARDS,
    [
      app("orders", { names: ["*.example.com"] }),
      app("billing", { names: ["api.pay.example.com"] }),
    ],
    [
      'vault-platform:apps[1].pki.names: "api.pay.example.com" overlaps "*.example.com" of app "orders"; expected names that no other app\'s role allows; got "api.pay.example.com"',
    ],
  ],
];

const LIFETIME_CASES: PkiCase[] = [
  [
    "leafMaxTtl over the prod bound",
    "prod",
    { mode: "internal", leafMaxTtl: "1000h" },
    undefined,
    [
      'vault-platform:pki.leafMaxTtl: the prod profile issues certificates for at most 720h; got "1000h"',
    ],
  ],
  [
    "leafMaxTtl over the staging bound",
    "staging",
    { mode: "internal", leafMaxTtl: "721h" },
    undefined,
    [
      'vault-platform:pki.leafMaxTtl: the staging profile issues certificates for at most 720h; got "721h"',
    ],
  ],
  [
    "leafMaxTtl over the dev bound",
    "dev",
    { mode: "internal", leafMaxTtl: "2161h" },
    undefined,
    [
      'vault-platform:pki.leafMaxTtl: the dev profile issues certificates for at most 2160h; got "2161h"',
    ],
  ],
  [
    "an intermediate living shorter than its leaves",
    "dev",
    { mode: "internal", intermediateTtl: "100h", leafMaxTtl: "200h" },
    undefined,
    [
      'vault-platform:pki.intermediateTtl: expected at least leafMaxTtl (200h): a certificate cannot outlive its issuer; got "100h"',
    ],
  ],
  [
    "an intermediate living shorter than the profile's leaf bound",
    "dev",
    { mode: "internal", intermediateTtl: "2000h" },
    undefined,
    [
      'vault-platform:pki.intermediateTtl: expected at least leafMaxTtl (2160h): a certificate cannot outlive its issuer; got "2000h"',
    ],
  ],
  [
    "a root living shorter than its intermediate",
    "dev",
    { mode: "internal", rootTtl: "3000h", intermediateTtl: "4000h" },
    undefined,
    ['vault-platform:pki.rootTtl: expected at least intermediateTtl (4000h); got "3000h"'],
  ],
  [
    "a root shorter than the default intermediate",
    "dev",
    { mode: "internal", rootTtl: "8760h" },
    undefined,
    ['vault-platform:pki.rootTtl: expected at least intermediateTtl (43800h); got "8760h"'],
  ],
  [
    "an app's ttl over pki.leafMaxTtl",
    "dev",
    { mode: "internal", leafMaxTtl: "24h" },
    [app("orders", { names: ["orders.example.com"], ttl: "48h" })],
    ['vault-platform:apps[0].pki.ttl: expected at most pki.leafMaxTtl (24h); got "48h"'],
  ],
  [
    "an app's ttl over a leafMaxTtl of hours and minutes",
    "dev",
    { mode: "internal", leafMaxTtl: "90m" },
    [app("orders", { names: ["orders.example.com"], ttl: "2d" })],
    ['vault-platform:apps[0].pki.ttl: expected at most pki.leafMaxTtl (1h30m); got "48h"'],
  ],
  [
    "an app's ttl over the profile's bound",
    "staging",
    INTERNAL,
    [app("orders", { names: ["orders.example.com"], ttl: "721h" })],
    ['vault-platform:apps[0].pki.ttl: expected at most pki.leafMaxTtl (720h); got "721h"'],
  ],
  [
    "a ttl that is not a duration",
    "dev",
    INTERNAL,
    [app("orders", { names: ["orders.example.com"], ttl: "a week" })],
    [
      'vault-platform:apps[0].pki.ttl: expected a duration like "30s", "15m", "1h30m" or "7d"; got "a week"',
    ],
  ],
];

const MODE_CASES: PkiCase[] = [
  [
    "an app's names without the CA",
    "dev",
    undefined,
    [app("orders", { names: ["orders.example.com"] })],
    [
      'vault-platform:apps[0].pki: needs the stack\'s CA: set vault-platform:pki (mode internal or external); got ["orders.example.com"]',
    ],
  ],
  [
    "no mode",
    "dev",
    { path: "pki" },
    undefined,
    ['vault-platform:pki.mode: expected one of "internal", "external"; got nothing'],
  ],
  [
    "an unknown mode",
    "dev",
    { mode: "vault" },
    undefined,
    ['vault-platform:pki.mode: expected one of "internal", "external"; got "vault"'],
  ],
  [
    "an unknown key type",
    "dev",
    { mode: "internal", keyType: "dsa" },
    undefined,
    ['vault-platform:pki.keyType: expected one of "ec", "rsa"; got "dsa"'],
  ],
  [
    "rootPath and rootTtl in external mode",
    "dev",
    { mode: "external", rootPath: "pki-root", rootTtl: "87600h" },
    undefined,
    [
      'vault-platform:pki.rootPath: applies to mode "internal" only; an external CA keeps its root; got "pki-root"',
      'vault-platform:pki.rootTtl: applies to mode "internal" only; an external CA keeps its root; got "87600h"',
    ],
  ],
  [
    "intermediateCertificate in internal mode",
    "dev",
    { mode: "internal", intermediateCertificate: ca.intermediatePem },
    undefined,
    [
      'vault-platform:pki.intermediateCertificate: applies to mode "external" only; the internal root signs the intermediate; got "(PEM)"',
    ],
  ],
  [
    "an intermediateCertificate that is not PEM",
    "dev",
    external("MIIB...not PEM"),
    undefined,
    [
      'vault-platform:pki.intermediateCertificate: expected PEM certificates (-----BEGIN CERTIFICATE-----); got "(PEM)"',
    ],
  ],
  [
    "a private key beside the certificate",
    "dev",
    external(`${ca.intermediatePem}${ca.leafKeyPem}`),
    undefined,
    [
      'vault-platform:pki.intermediateCertificate: expected certificates only; a private key never goes into config; got "(PEM)"',
    ],
  ],
  [
    "a leaf where the intermediate goes",
    "dev",
    external(`${ca.leafPem}${ca.intermediatePem}${ca.rootPem}`),
    undefined,
    [
      'vault-platform:pki.intermediateCertificate: expected the signed intermediate first: a CA certificate (basicConstraints CA:TRUE); got "CN=orders.example.internal"',
    ],
  ],
  [
    "the chain root first",
    "dev",
    external(`${ca.rootPem}${ca.intermediatePem}`),
    undefined,
    [
      'vault-platform:pki.intermediateCertificate: expected each certificate followed by its issuer; "CN=vault-platform prod CA intermediate" did not issue "CN=Example Root CA"; got "(PEM)"',
      'vault-platform:pki.intermediateCertificate: expected the chain to end at its root (self-signed), which clients trust; it ends at "CN=vault-platform prod CA intermediate"; got "(PEM)"',
    ],
  ],
  [
    "the intermediate without its chain",
    "dev",
    external(ca.intermediatePem),
    undefined,
    [
      'vault-platform:pki.intermediateCertificate: expected the signed intermediate followed by its chain up to the root, which clients trust; got "(PEM)"',
    ],
  ],
  [
    "a look-alike root (same name, another key)",
    "dev",
    external(`${ca.intermediatePem}${ca.lookAlikeRootPem}`),
    undefined,
    [
      'vault-platform:pki.intermediateCertificate: expected each certificate followed by its issuer; "CN=Example Root CA" did not issue "CN=vault-platform prod CA intermediate"; got "(PEM)"',
    ],
  ],
];

const MOUNT_CASES: PkiCase[] = [
  [
    "the issuing mount at the KV path",
    "dev",
    { mode: "internal", path: "secret" },
    undefined,
    ['vault-platform:pki.path: mount path is already used by vault-platform:kv.path; got "secret"'],
  ],
  [
    "the root mount at the transit path",
    "dev",
    { mode: "internal", rootPath: "transit" },
    undefined,
    [
      'vault-platform:pki.rootPath: mount path is already used by vault-platform:transit.path; got "transit"',
    ],
  ],
  [
    "root and issuing CA in one mount",
    "dev",
    { mode: "internal", path: "pki", rootPath: "pki" },
    undefined,
    [
      'vault-platform:pki.rootPath: mount path is already used by vault-platform:pki.path; got "pki"',
    ],
  ],
  [
    "the issuing mount nested in the KV mount",
    "dev",
    { mode: "internal", path: "secret/pki" },
    undefined,
    [
      'vault-platform:pki.path: mount path overlaps vault-platform:kv.path ("secret"); expected mounts that do not nest; got "secret/pki"',
    ],
  ],
  [
    "a path Vault reserves",
    "dev",
    { mode: "internal", path: "sys" },
    undefined,
    ['vault-platform:pki.path: "sys" is reserved by Vault; expected another mount path; got "sys"'],
  ],
];

function overrides(
  stack: string,
  pki: unknown,
  apps: Record<string, unknown>[] | undefined,
): Record<string, unknown> {
  const bound = (entry: Record<string, unknown>) =>
    stack === "dev" ? entry : { ...entry, boundCidrs: ["10.0.0.0/8"] };
  return {
    ...(pki !== undefined ? { pki } : {}),
    ...(apps !== undefined ? { apps: apps.map(bound) } : {}),
  };
}

/** Problems of the stack with these values; prod's own missing TLS files are not this test's. */
function problemsOf(stack: string, pki: unknown, apps?: Record<string, unknown>[]): string[] {
  return configProblems(
    stack,
    overrides(stack, pki, apps),
    stack === "dev" ? {} : { vaultToken: "t" },
  ).filter(
    (problem) =>
      !problem.startsWith("vault-platform:server.tls.certificate") &&
      !problem.startsWith("vault-platform:tlsPrivateKey"),
  );
}

describe.each([
  ["names", NAME_CASES],
  ["lifetimes", LIFETIME_CASES],
  ["modes and the external certificate", MODE_CASES],
  ["mounts", MOUNT_CASES],
])("pki %s: bad config refused with exact messages", (_group, cases) => {
  it.each(cases)("%s", (_case, stack, pki, apps, messages) => {
    expect(problemsOf(stack, pki, apps)).toEqual(messages);
  });
});

describe("pki: what is accepted", () => {
  it("refuses a PEM block that does not parse, saying why (the reason is OpenSSL's)", () => {
    const problems = problemsOf(
      "dev",
      external("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^vault-platform:pki\.intermediateCertificate: expected PEM certificates that parse \(.+\); got "\(PEM\)"$/,
    );
  });

  it.each<[string, string, unknown, Record<string, unknown>[] | undefined]>([
    ["an internal CA alone", "prod", INTERNAL, undefined],
    ["an external CA waiting for its certificate", "staging", { mode: "external" }, undefined],
    [
      "the signed intermediate with its root",
      "dev",
      external(`${ca.intermediatePem}${ca.rootPem}`),
      undefined,
    ],
    [
      "sibling names with subdomains",
      "dev",
      INTERNAL,
      [
        app("orders", { names: ["orders.example.com"], allowSubdomains: true }),
        app("billing", { names: ["billing.example.com"], allowSubdomains: true }),
      ],
    ],
    [
      "a name that only ends like another (no label boundary)",
      "dev",
      INTERNAL,
      [
        app("orders", { names: ["example.com"], allowSubdomains: true }),
        app("billing", { names: ["myexample.com"] }),
      ],
    ],
    [
      "a wildcard where the CA allows them",
      "staging",
      WILDCARDS,
      [app("orders", { names: ["*.orders.example.com"], ttl: "720h" })],
    ],
    [
      "lifetimes at their bounds",
      "prod",
      { mode: "internal", leafMaxTtl: "720h", intermediateTtl: "720h", rootTtl: "720h" },
      undefined,
    ],
  ])("%s", (_case, stack, pki, apps) => {
    expect(problemsOf(stack, pki, apps)).toEqual([]);
  });
});

describe("pki: defaults", () => {
  const load = (stack: string, pki: unknown, apps: Record<string, unknown>[]) =>
    loadConfig(
      stackConfigSource(
        stack,
        overrides(stack, pki, apps),
        stack === "dev" ? {} : { vaultToken: "t" },
      ),
      "vault-platform",
      stack,
    );

  it("internal: pki and pki-root, EC keys, ten years, five years, the profile's leaf bound", () => {
    const config = load("dev", INTERNAL, [
      app("orders", { names: ["orders.example.com"] }),
      app("billing"),
    ]);
    expect(config.pki).toEqual({
      mode: "internal",
      path: "pki",
      rootPath: "pki-root",
      commonName: "vault-platform dev CA",
      keyType: "ec",
      rootTtlSeconds: 87600 * 3600,
      intermediateTtlSeconds: 43800 * 3600,
      leafMaxTtlSeconds: 2160 * 3600,
      allowWildcards: false,
      intermediateCertificate: undefined,
    });
    expect(config.apps.map((entry) => entry.pki)).toEqual([
      {
        names: ["orders.example.com"],
        allowSubdomains: false,
        allowIpSans: false,
        ttlSeconds: 72 * 3600,
        keyType: "ec",
      },
      undefined,
    ]);
  });

  it("external: no root mount, the certificate kept as given, staging's 720h bound", () => {
    const chain = `${ca.intermediatePem}${ca.rootPem}`;
    const config = load("staging", { ...external(chain), keyType: "rsa", commonName: "Shop CA" }, [
      app("orders", { names: ["orders.example.com"], keyType: "rsa", allowIpSans: true }),
    ]);
    expect(config.pki).toMatchObject({
      mode: "external",
      path: "pki",
      rootPath: undefined,
      commonName: "Shop CA",
      keyType: "rsa",
      leafMaxTtlSeconds: 720 * 3600,
      intermediateCertificate: chain,
    });
    expect(config.apps[0].pki).toMatchObject({ keyType: "rsa", allowIpSans: true });
  });

  it("leaves pki unset where config does not set it", () => {
    expect(load("dev", undefined, [app("orders")]).pki).toBeUndefined();
  });
});
