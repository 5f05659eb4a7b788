import * as pulumi from "@pulumi/pulumi";
import { buildProfile } from "./contract";
import { ofType, valueOf } from "./harness";
import { PKI_APPS, PKI_TYPES, pkiMounts, pkiRoles } from "./pki-scenario";

describe("pki external (dev), before the organization's CA signed", () => {
  it("makes the intermediate's key and CSR, sets no certificate and says what to do", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const { platform } = await buildProfile("dev", {
      apps: PKI_APPS,
      pki: { mode: "external", commonName: "Shop dev CA" },
    });

    expect(pkiMounts().map((mount) => mount.inputs.path)).toEqual(["pki"]);
    expect(ofType(PKI_TYPES.rootCert)).toEqual([]);
    expect(ofType(PKI_TYPES.sign)).toEqual([]);
    expect(ofType(PKI_TYPES.setSigned)).toEqual([]);
    expect(ofType(PKI_TYPES.request).map((request) => request.inputs)).toEqual([
      {
        backend: "pki",
        type: "internal",
        commonName: "Shop dev CA intermediate",
        keyType: "ec",
        keyBits: 256,
      },
    ]);
    expect(await valueOf(platform.pki!.csr)).toBe("mock-csr-platform-pki-request");
    expect(platform.pki!.caCertificate).toBeUndefined();
    expect(platform.pki!.chain).toBeUndefined();
    expect(warn.mock.calls.map(([message]) => message)).toContainEqual(
      expect.stringContaining("pki.csr"),
    );
    expect(warn.mock.calls.map(([message]) => message)).toContainEqual(
      expect.stringContaining("vault-platform:pki.intermediateCertificate"),
    );
    // The roles exist already; they issue once the intermediate has its certificate.
    expect(Object.keys(pkiRoles()).sort()).toEqual(["platform-pki-billing", "platform-pki-orders"]);
    warn.mockRestore();
  });
});
