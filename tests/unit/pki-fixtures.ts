/**
 * Certificates for the PKI tests, made at test time (no key is committed): a root CA, an
 * intermediate CA it signed (what an organization's CA returns for the stack's CSR) and a leaf
 * the intermediate signed. Keys are made by Node's crypto; node-forge builds the X.509.
 */
import { generateKeyPairSync, KeyObject, randomBytes, sign as signBytes } from "crypto";
import * as forge from "node-forge";

export interface TestCa {
  /** PEM of the root CA (self-signed). */
  readonly rootPem: string;
  /** PEM of an intermediate CA the root signed. */
  readonly intermediatePem: string;
  /** PEM of a server certificate (CA:FALSE) the intermediate signed. */
  readonly leafPem: string;
  /** PKCS#8 PEM of the leaf's key: only to show config refusing a key. */
  readonly leafKeyPem: string;
  /** A self-signed CA with the root's name but another key: it did not sign the intermediate. */
  readonly lookAlikeRootPem: string;
}

interface Issued {
  readonly cert: forge.pki.Certificate;
  readonly key: KeyObject;
}

function signWith(cert: forge.pki.Certificate, key: KeyObject): void {
  const algorithm = forge.pki.oids.sha256WithRSAEncryption;
  const signed = cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 };
  signed.signatureOid = algorithm;
  signed.siginfo.algorithmOid = algorithm;
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
  };
  signed.tbsCertificate = pki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(signed.tbsCertificate).getBytes(), "binary");
  signed.signature = signBytes("sha256", tbs, key).toString("binary");
}

function issue(commonName: string, isCa: boolean, issuer?: Issued): Issued {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: "spki", format: "pem" }).toString(),
  );
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600 * 1000);
  const subject = [{ name: "commonName", value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: isCa, critical: true },
    isCa
      ? { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }
      : { name: "keyUsage", digitalSignature: true, critical: true },
  ]);
  signWith(cert, issuer?.key ?? privateKey);
  return { cert, key: privateKey };
}

let cached: TestCa | undefined;

/** One CA hierarchy per test run: RSA key generation takes a moment. */
export function testCa(): TestCa {
  if (!cached) {
    const root = issue("Example Root CA", true);
    const intermediate = issue("vault-platform prod CA intermediate", true, root);
    const leaf = issue("orders.example.internal", false, intermediate);
    cached = {
      rootPem: forge.pki.certificateToPem(root.cert),
      intermediatePem: forge.pki.certificateToPem(intermediate.cert),
      leafPem: forge.pki.certificateToPem(leaf.cert),
      leafKeyPem: leaf.key.export({ type: "pkcs8", format: "pem" }).toString(),
      lookAlikeRootPem: forge.pki.certificateToPem(issue("Example Root CA", true).cert),
    };
  }
  return cached;
}
