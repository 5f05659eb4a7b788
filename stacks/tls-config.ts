/**
 * Checks of a certificate and key given in stack config (TLS mode "provided"), before anything is
 * created: each PEM parses, the chain leads to the CA clients will trust, the certificate covers
 * the host the program reaches the server at, it has not expired, and the key belongs to it.
 * Pure functions; messages never contain the private key.
 */
import * as crypto from "crypto";

export interface TlsProblem {
  /** Field under vault-platform:server.tls, or "tlsPrivateKey". */
  readonly field: "certificate" | "caCertificate" | "tlsPrivateKey";
  readonly message: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM bundle, in order; undefined when one does not parse. */
export function parseCertificates(pem: string): crypto.X509Certificate[] | undefined {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    return undefined;
  }
  try {
    return blocks.map((block) => new crypto.X509Certificate(block));
  } catch {
    return undefined;
  }
}

function covers(certificate: crypto.X509Certificate, host: string): boolean {
  return /^[0-9.]+$/.test(host)
    ? certificate.checkIP(host) !== undefined
    : certificate.checkHost(host) !== undefined;
}

export interface ProvidedTls {
  /** The server certificate, optionally followed by intermediates. */
  readonly certificate: string;
  /** The CA clients trust; unset: the certificate is self-signed and trusted as it is. */
  readonly caCertificate?: string;
  /** Undefined when the source cannot decrypt it (the key is then not checked). */
  readonly privateKey?: string;
  /** Host in the address the program and `npm run verify` use, e.g. 127.0.0.1. */
  readonly host: string;
}

export function checkProvidedTls(tls: ProvidedTls, now: Date = new Date()): TlsProblem[] {
  const chain = parseCertificates(tls.certificate);
  if (chain === undefined) {
    return [
      {
        field: "certificate",
        message: "expected the PEM of the server certificate (-----BEGIN CERTIFICATE-----)",
      },
    ];
  }
  const problems: TlsProblem[] = [];
  const leaf = chain[0];
  if (!covers(leaf, tls.host)) {
    problems.push({
      field: "certificate",
      message: `does not cover ${tls.host}, the host the program reaches the server at; expected it in the subject alternative names`,
    });
  }
  if (Date.parse(leaf.validTo) <= now.getTime()) {
    problems.push({ field: "certificate", message: `expired on ${leaf.validTo}` });
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].verify(chain[i + 1].publicKey)) {
      problems.push({
        field: "certificate",
        message: `certificate ${i + 1} of the bundle is not signed by certificate ${i + 2}; expected the server certificate first, then its intermediates`,
      });
    }
  }
  const last = chain[chain.length - 1];
  if (tls.caCertificate === undefined) {
    if (!last.verify(last.publicKey)) {
      problems.push({
        field: "caCertificate",
        message: `the certificate is issued by "${last.issuer.replace(/\n/g, ", ")}"; expected the PEM of that CA here`,
      });
    }
  } else {
    const ca = parseCertificates(tls.caCertificate);
    if (ca === undefined) {
      problems.push({
        field: "caCertificate",
        message: "expected the PEM of the CA certificate (-----BEGIN CERTIFICATE-----)",
      });
    } else if (
      !ca.some((root) => root.fingerprint256 === last.fingerprint256 || last.verify(root.publicKey))
    ) {
      problems.push({
        field: "caCertificate",
        message:
          "did not sign the certificate (nor its last intermediate); expected the issuing CA",
      });
    }
  }
  if (tls.privateKey !== undefined) {
    let key: crypto.KeyObject | undefined;
    try {
      key = crypto.createPrivateKey(tls.privateKey);
    } catch {
      problems.push({ field: "tlsPrivateKey", message: "expected an unencrypted PEM private key" });
    }
    if (key !== undefined && !leaf.checkPrivateKey(key)) {
      problems.push({
        field: "tlsPrivateKey",
        message: "does not belong to vault-platform:server.tls.certificate",
      });
    }
  }
  return problems;
}
