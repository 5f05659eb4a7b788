import { buildProfile } from "./contract";
import { named, ofType, valueOf } from "./harness";
import { PKI_APPS, PKI_TYPES, pkiMounts, pkiRoles } from "./pki-scenario";

describe("pki internal (dev): a root and an intermediate made inside Vault", () => {
  it("mounts both, signs the intermediate in-program and gives each app a role of its names", async () => {
    const { platform } = await buildProfile("dev", { apps: PKI_APPS, pki: { mode: "internal" } });

    expect(
      pkiMounts().map((mount) => [mount.name, mount.inputs.path, mount.inputs.maxLeaseTtlSeconds]),
    ).toEqual([
      ["platform-pki-mount", "pki", 43800 * 3600],
      ["platform-pki-root-mount", "pki-root", 87600 * 3600],
    ]);
    // Keys are made inside Vault ("internal"): none is ever an input or an output here.
    expect(ofType(PKI_TYPES.rootCert).map((root) => root.inputs)).toEqual([
      {
        backend: "pki-root",
        type: "internal",
        commonName: "vault-platform dev CA",
        ttl: String(87600 * 3600),
        keyType: "ec",
        keyBits: 256,
      },
    ]);
    expect(ofType(PKI_TYPES.request).map((request) => request.inputs)).toEqual([
      {
        backend: "pki",
        type: "internal",
        commonName: "vault-platform dev CA intermediate",
        keyType: "ec",
        keyBits: 256,
      },
    ]);
    expect(ofType(PKI_TYPES.sign).map((sign) => sign.inputs)).toEqual([
      {
        backend: "pki-root",
        csr: "mock-csr-platform-pki-request",
        commonName: "vault-platform dev CA intermediate",
        ttl: String(43800 * 3600),
      },
    ]);
    expect(ofType(PKI_TYPES.setSigned).map((issuer) => issuer.inputs)).toEqual([
      {
        backend: "pki",
        certificate:
          "mock-signed-certificate-platform-pki-signature\nmock-root-certificate-platform-pki-root\n",
      },
    ]);
    expect(named("platform-pki-urls").inputs).toEqual({
      backend: "pki",
      issuingCertificates: ["http://127.0.0.1:8200/v1/pki/ca"],
      crlDistributionPoints: ["http://127.0.0.1:8200/v1/pki/crl"],
      ocspServers: ["http://127.0.0.1:8200/v1/pki/ocsp"],
    });
    expect(named("platform-pki-root-urls").inputs.issuingCertificates).toEqual([
      "http://127.0.0.1:8200/v1/pki-root/ca",
    ]);
    expect(named("platform-pki-tidy").inputs.onCreate).toEqual({
      method: "POST",
      path: "pki/config/auto-tidy",
      body: {
        enabled: true,
        tidy_cert_store: true,
        tidy_revoked_certs: true,
        interval_duration: "12h",
        safety_buffer: "72h",
      },
    });

    // One role per app with names (reporting has none), exactly its names, never any name.
    expect(pkiRoles()).toEqual({
      "platform-pki-orders": {
        name: "orders",
        allowedDomains: ["orders.example.internal"],
        allowSubdomains: false,
        allowAnyName: false,
        allowIpSans: false,
        ttl: String(72 * 3600),
        maxTtl: String(2160 * 3600),
      },
      "platform-pki-billing": {
        name: "billing",
        allowedDomains: ["billing.example.internal", "pay.example.internal"],
        allowSubdomains: true,
        allowAnyName: false,
        allowIpSans: false,
        ttl: String(24 * 3600),
        maxTtl: String(2160 * 3600),
      },
    });
    // The apps' policies: issue on their own role only.
    expect(named("platform-policies-app-orders").inputs.policy).toContain(
      'path "pki/issue/orders" {\n  capabilities = ["update"]\n}',
    );
    expect(named("platform-policies-app-orders").inputs.policy).not.toContain("pki/issue/billing");
    expect(named("platform-policies-app-reporting").inputs.policy).not.toContain("pki/");

    // What clients trust is the root; the chain the intermediate carries ends in it.
    const pki = platform.pki;
    expect(pki).toBeDefined();
    expect(await valueOf(pki!.caCertificate!)).toBe("mock-root-certificate-platform-pki-root");
    expect(await valueOf(pki!.chain!)).toBe(
      "mock-signed-certificate-platform-pki-signature\nmock-root-certificate-platform-pki-root\n",
    );
    expect(Object.keys(pki!.roles).sort()).toEqual(["billing", "orders"]);
    // No resource of the CA carries a private key.
    for (const resource of Object.values(PKI_TYPES).flatMap((type) => ofType(type))) {
      expect(JSON.stringify(resource.inputs)).not.toMatch(/PRIVATE KEY|privateKey/);
    }
  });
});
