import { buildProfile } from "./contract";
import { ofType, valueOf } from "./harness";
import { testCa } from "./pki-fixtures";
import { PKI_APPS, PKI_TYPES, pkiMounts, pkiRoles } from "./pki-scenario";

describe("pki external (dev), the signed intermediate and its chain in config", () => {
  it("sets the certificate as given and trusts the last one of the chain", async () => {
    const ca = testCa();
    const chain = `${ca.intermediatePem}${ca.rootPem}`;
    const { platform } = await buildProfile("dev", {
      apps: PKI_APPS,
      pki: { mode: "external", intermediateCertificate: chain },
    });

    expect(pkiMounts().map((mount) => mount.inputs.path)).toEqual(["pki"]);
    expect(ofType(PKI_TYPES.rootCert)).toEqual([]);
    expect(ofType(PKI_TYPES.sign)).toEqual([]);
    expect(ofType(PKI_TYPES.request)).toHaveLength(1);
    expect(ofType(PKI_TYPES.setSigned).map((issuer) => issuer.inputs)).toEqual([
      { backend: "pki", certificate: chain },
    ]);
    expect(ofType(PKI_TYPES.urls).map((urls) => urls.name)).toEqual(["platform-pki-urls"]);
    // The last block of the chain, the root: what clients trust.
    expect(await valueOf(platform.pki!.caCertificate!)).toBe(`${ca.rootPem.trimEnd()}\n`);
    expect(await valueOf(platform.pki!.chain!)).toBe(chain);
    expect(Object.values(pkiRoles()).map((role) => role.allowedDomains)).toEqual([
      ["orders.example.internal"],
      ["billing.example.internal", "pay.example.internal"],
    ]);
  });
});
