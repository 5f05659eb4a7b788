/**
 * TLS: the certificate generator (checked with Node's own X.509 parser and a real TLS handshake),
 * the renewal rule, the certificate resource's provider, and the checks of a certificate given in
 * stack config.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import {
  certificateProvider,
  generateCertificates,
  renewalDue,
  writeTrustFile,
} from "../../infra/tls";
import { vaultHttp } from "../../infra/vault-http";
import { ConfigError, loadConfig } from "../../stacks/config";
import { checkProvidedTls } from "../../stacks/tls-config";
import { stackConfigSource } from "./harness";

const REQUEST = {
  commonName: "vp-staging-vault",
  dnsNames: ["localhost", "vp-staging-vault", "vault.staging.internal"],
  ipAddresses: ["127.0.0.1", "10.20.0.5"],
  validityHours: 2160,
};
const generated = generateCertificates(REQUEST, new Date("2026-11-23T12:00:00Z"));

describe("generateCertificates", () => {
  const ca = new crypto.X509Certificate(generated.caCertPem);
  const leaf = new crypto.X509Certificate(generated.certPem);

  it("makes a CA and a server certificate it signed", () => {
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.issuer).toBe(ca.subject);
    expect(leaf.subject).toBe("CN=vp-staging-vault\nO=vault-platform");
  });

  it("covers exactly the names and addresses asked for", () => {
    expect(leaf.subjectAltName).toBe(
      "DNS:localhost, DNS:vp-staging-vault, DNS:vault.staging.internal, IP Address:127.0.0.1, IP Address:10.20.0.5",
    );
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkHost("vault.staging.internal")).toBe("vault.staging.internal");
    expect(leaf.checkHost("other.internal")).toBeUndefined();
    expect(leaf.checkIP("10.20.0.6")).toBeUndefined();
  });

  it("is valid from just before now for the validity asked, and says until when", () => {
    expect(new Date(leaf.validFrom).toISOString()).toBe("2026-11-23T11:55:00.000Z");
    expect(new Date(leaf.validTo).toISOString()).toBe("2027-02-21T12:00:00.000Z");
    expect(generated.notAfter).toBe("2027-02-21T12:00:00.000Z");
  });

  it("returns the server key (PKCS#8) and never the CA's", () => {
    expect(generated.keyPem.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    expect(leaf.checkPrivateKey(crypto.createPrivateKey(generated.keyPem))).toBe(true);
    expect(Object.keys(generated).sort()).toEqual(["caCertPem", "certPem", "keyPem", "notAfter"]);
  });

  it("serves TLS that a client trusting the CA accepts and any other client refuses", async () => {
    const now = generateCertificates({ ...REQUEST, validityHours: 1 });
    const server = https.createServer({ cert: now.certPem, key: now.keyPem }, (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"initialized":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const trusted = await vaultHttp({
        address,
        method: "GET",
        path: "sys/init",
        caCert: now.caCertPem,
      });
      expect(trusted).toEqual({ status: 200, body: { initialized: true } });
      await expect(vaultHttp({ address, method: "GET", path: "sys/init" })).rejects.toThrow(
        "unable to verify the first certificate",
      );
      await expect(
        vaultHttp({ address, method: "GET", path: "sys/init", caCert: generated.caCertPem }),
      ).rejects.toThrow("unable to verify the first certificate");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("renewal", () => {
  const validity = 2160; // 90 days
  const notAfter = "2027-02-21T12:00:00.000Z";
  it.each([
    ["just issued", "2026-11-23T12:00:00Z", false],
    ["with 31 days left", "2027-01-21T12:00:00Z", false],
    ["with 29 days left", "2027-01-23T12:00:00Z", true],
    ["expired", "2027-03-01T00:00:00Z", true],
  ])("%s: due %s", (_case, now, due) => {
    expect(renewalDue(notAfter, validity, new Date(now))).toBe(due);
  });
});

async function created(inputs: Parameters<typeof certificateProvider.create>[0]) {
  const { id, outs } = await certificateProvider.create(inputs);
  if (outs === undefined) {
    throw new Error("create returned no outputs");
  }
  return { id, outs };
}

describe("GeneratedCertificate provider", () => {
  const inputs = {
    commonName: "c",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    validityHours: 24,
  };

  it("creates a certificate for its inputs, key included in its outputs", async () => {
    const { id, outs } = await created(inputs);
    expect(id).toMatch(/^tls-[0-9a-f-]{36}$/);
    expect(outs).toMatchObject(inputs);
    const leaf = new crypto.X509Certificate(outs.certPem as string);
    expect(leaf.checkPrivateKey(crypto.createPrivateKey(outs.keyPem as string))).toBe(true);
    expect(leaf.verify(new crypto.X509Certificate(outs.caCertPem as string).publicKey)).toBe(true);
  });

  it("changes nothing while names and validity stay and renewal is not due", async () => {
    const { outs } = await created(inputs);
    expect(await certificateProvider.diff!("x", outs, inputs)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it.each([
    ["a new name", { dnsNames: ["localhost", "vault.internal"] }, ["dnsNames"]],
    ["a new address", { ipAddresses: ["127.0.0.1", "10.0.0.1"] }, ["ipAddresses"]],
    ["a new validity", { validityHours: 48 }, ["validityHours"]],
  ])("is replaced for %s", async (_case, change, replaces) => {
    const { outs } = await created(inputs);
    const diff = await certificateProvider.diff!("x", outs, { ...inputs, ...change });
    expect(diff).toMatchObject({ changes: true, replaces });
  });

  it("is replaced when renewal is due", async () => {
    const { outs } = await created(inputs);
    const aging = { ...outs, notAfter: new Date(Date.now() + 7 * 3600 * 1000).toISOString() };
    expect(await certificateProvider.diff!("x", aging, inputs)).toMatchObject({
      changes: true,
      replaces: ["notAfter"],
    });
  });
});

describe("writeTrustFile", () => {
  it("writes the CA where asked, and leaves an identical file untouched", () => {
    const file = path.join(os.tmpdir(), `vp-trust-${process.pid}`, "staging", "ca.pem");
    expect(writeTrustFile(file, generated.caCertPem)).toBe(file);
    expect(fs.readFileSync(file, "utf8")).toBe(generated.caCertPem);
    const written = fs.statSync(file).mtimeMs;
    writeTrustFile(file, generated.caCertPem);
    expect(fs.statSync(file).mtimeMs).toBe(written);
    fs.rmSync(path.dirname(path.dirname(file)), { recursive: true });
  });
});

describe("certificates provided in stack config", () => {
  const issued = generateCertificates({
    commonName: "vault.prod.internal",
    dnsNames: ["vault.prod.internal"],
    ipAddresses: ["127.0.0.1"],
    validityHours: 24 * 365,
  });
  const other = generateCertificates({ ...REQUEST, validityHours: 24 });
  const provided = {
    certificate: issued.certPem,
    caCertificate: issued.caCertPem,
    privateKey: issued.keyPem,
    host: "127.0.0.1",
  };

  it("accepts a certificate for the host, signed by the CA, with its key", () => {
    expect(checkProvidedTls(provided)).toEqual([]);
  });

  it("accepts the certificate followed by its issuer, and the issuer as the CA", () => {
    const bundle = `${issued.certPem}${issued.caCertPem}`;
    expect(checkProvidedTls({ ...provided, certificate: bundle })).toEqual([]);
  });

  it.each([
    [
      "not a PEM certificate",
      { certificate: "MIIB..." },
      [
        {
          field: "certificate",
          message: "expected the PEM of the server certificate (-----BEGIN CERTIFICATE-----)",
        },
      ],
    ],
    [
      "a host it does not cover",
      { host: "10.1.2.3" },
      [
        {
          field: "certificate",
          message:
            "does not cover 10.1.2.3, the host the program reaches the server at; expected it in the subject alternative names",
        },
      ],
    ],
    [
      "another CA",
      { caCertificate: other.caCertPem },
      [
        {
          field: "caCertificate",
          message:
            "did not sign the certificate (nor its last intermediate); expected the issuing CA",
        },
      ],
    ],
    [
      "no CA for a CA-signed certificate",
      { caCertificate: undefined },
      [
        {
          field: "caCertificate",
          message:
            'the certificate is issued by "CN=vault.prod.internal CA, O=vault-platform"; expected the PEM of that CA here',
        },
      ],
    ],
    [
      "a bundle in the wrong order",
      { certificate: `${issued.certPem}${other.certPem}`, caCertificate: other.caCertPem },
      [
        {
          field: "certificate",
          message:
            "certificate 1 of the bundle is not signed by certificate 2; expected the server certificate first, then its intermediates",
        },
      ],
    ],
    [
      "the key of another certificate",
      { privateKey: other.keyPem },
      [
        {
          field: "tlsPrivateKey",
          message: "does not belong to vault-platform:server.tls.certificate",
        },
      ],
    ],
    [
      "a key that is not one",
      { privateKey: "not a key" },
      [{ field: "tlsPrivateKey", message: "expected an unencrypted PEM private key" }],
    ],
  ])("rejects %s", (_case, change, problems) => {
    expect(checkProvidedTls({ ...provided, ...change })).toEqual(problems);
  });

  it("rejects an expired certificate", () => {
    const old = generateCertificates(
      { ...REQUEST, validityHours: 24 },
      new Date("2025-01-01T00:00:00Z"),
    );
    expect(
      checkProvidedTls({
        certificate: old.certPem,
        caCertificate: old.caCertPem,
        privateKey: old.keyPem,
        host: "127.0.0.1",
      }),
    ).toEqual([{ field: "certificate", message: "expired on Jan  2 00:00:00 2025 GMT" }]);
  });

  const prodServer = (tls: Record<string, unknown>) => ({
    server: { flavor: "vault", network: "bridge", port: 8220, tls },
  });
  const problemsOf = (overrides: Record<string, unknown>, secrets: Record<string, unknown>) => {
    try {
      loadConfig(stackConfigSource("prod", overrides, secrets), "vault-platform", "prod");
      return [];
    } catch (error) {
      if (error instanceof ConfigError) {
        return [...error.problems];
      }
      throw error;
    }
  };

  it("resolves prod with the certificate, its CA and the key kept secret", () => {
    const config = loadConfig(
      stackConfigSource(
        "prod",
        prodServer({ certificate: issued.certPem, caCertificate: issued.caCertPem }),
        { tlsPrivateKey: issued.keyPem },
      ),
      "vault-platform",
      "prod",
    );
    expect(config.server.tls).toMatchObject({
      mode: "provided",
      certificate: issued.certPem,
      caCertificate: issued.caCertPem,
    });
  });

  it("names both missing keys when prod has no certificate", () => {
    expect(problemsOf({}, {})).toEqual([
      'vault-platform:server.tls.certificate: TLS mode "provided" needs the PEM of the server certificate (or set server.tls.mode to "generated"); got nothing',
      'vault-platform:tlsPrivateKey: TLS mode "provided" needs the certificate\'s private key, set with `pulumi config set --secret`; got nothing',
    ]);
  });

  it("never shows the private key in a message", () => {
    const messages = [
      ...problemsOf(prodServer({ certificate: issued.certPem, caCertificate: issued.caCertPem }), {
        tlsPrivateKey: other.keyPem,
      }),
      ...problemsOf(
        prodServer({ certificate: issued.certPem, caCertificate: issued.caCertPem }),
        {},
      ),
      ...problemsOf(
        {
          ...prodServer({ certificate: issued.certPem, caCertificate: issued.caCertPem }),
          tlsPrivateKey: issued.keyPem,
        },
        {},
      ),
      ...problemsOf({ server: { tls: { mode: "generated" } } }, { tlsPrivateKey: issued.keyPem }),
    ];
    expect(messages).toEqual([
      "vault-platform:tlsPrivateKey: does not belong to vault-platform:server.tls.certificate; got [secret]",
      'vault-platform:tlsPrivateKey: TLS mode "provided" needs the certificate\'s private key, set with `pulumi config set --secret`; got nothing',
      "vault-platform:tlsPrivateKey: must be stored encrypted: set it with `pulumi config set --secret`; got [secret]",
      'vault-platform:tlsPrivateKey: applies to server.tls.mode "provided" only; got [secret]',
    ]);
    const keyBody = issued.keyPem.split("\n")[1];
    expect(messages.join("\n")).not.toContain(keyBody);
    expect(messages.join("\n")).not.toContain(other.keyPem.split("\n")[1]);
  });
});
