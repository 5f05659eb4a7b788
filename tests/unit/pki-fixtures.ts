/**
 * Certificates for the PKI tests, made at test time (no key is committed): a root CA, an
 * intermediate CA it signed (what an organization's CA returns for the stack's CSR) and a leaf
 * the intermediate signed, with the key and signing helpers of infra/tls.ts.
 */
import type { KeyObject } from "crypto";
import * as forge from "node-forge";
import { rsaKeyPair, serialNumber, sign } from "../../infra/tls";

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

function issue(commonName: string, isCa: boolean, issuer?: Issued): Issued {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
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
  sign(cert, issuer?.key ?? keys.privateKey);
  return { cert, key: keys.privateKey };
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
