/**
 * TLS for the server's listener: a generated certificate (a private CA made for this one server,
 * whose key is dropped once it has signed, and a server certificate), as a resource whose private
 * key is a secret in state; or the certificate and key the stack config provides. Also the
 * trust file the Vault provider needs (it takes a CA file path, not a PEM).
 */
import { generateKeyPairSync, KeyObject, randomBytes, randomUUID, sign as signBytes } from "crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import * as forge from "node-forge";
import { dirname, join } from "path";
import * as pulumi from "@pulumi/pulumi";

export interface CertificateRequest {
  /** Subject common name of the server certificate; the CA is named after it. */
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly validityHours: number;
}

export interface GeneratedCertificates {
  /** PEM of the CA clients trust. */
  readonly caCertPem: string;
  /** PEM of the server certificate. */
  readonly certPem: string;
  /** PKCS#8 PEM of the server certificate's private key. */
  readonly keyPem: string;
  /** ISO time the server certificate (and CA) stop being valid. */
  readonly notAfter: string;
}

/** Clock skew tolerated between this machine and clients. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: forge.pki.PublicKey;
}

/** RSA keys made (and later used for signing) by Node's native crypto; forge only builds X.509. */
export function rsaKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey,
    publicKey: forge.pki.publicKeyFromPem(
      publicKey.export({ type: "spki", format: "pem" }).toString(),
    ),
  };
}

/** What forge's cert.sign does (SHA-256 with RSA), with the signature made natively. */
export function sign(cert: forge.pki.Certificate, key: KeyObject): void {
  const algorithm = forge.pki.oids.sha256WithRSAEncryption;
  const signed = cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 };
  signed.signatureOid = algorithm;
  signed.siginfo.algorithmOid = algorithm;
  // Part of forge's API (what its own cert.sign uses), missing from its type definitions.
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
  };
  signed.tbsCertificate = pki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(signed.tbsCertificate).getBytes(), "binary");
  signed.signature = signBytes("sha256", tbs, key).toString("binary");
}

/** A positive 128-bit serial number, as forge wants it (hex, high bit clear). */
export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString("hex");
}

/**
 * A CA and a server certificate it signed, valid from now (minus a little clock skew) for
 * `validityHours`. The CA's private key is never returned: nothing else can be signed with it.
 */
export function generateCertificates(
  request: CertificateRequest,
  now: Date = new Date(),
): GeneratedCertificates {
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + request.validityHours * 3600 * 1000);

  const certificate = (publicKey: forge.pki.PublicKey): forge.pki.Certificate => {
    const created = forge.pki.createCertificate();
    created.publicKey = publicKey;
    created.serialNumber = serialNumber();
    created.validity.notBefore = notBefore;
    created.validity.notAfter = notAfter;
    return created;
  };

  const caKeys = rsaKeyPair();
  const ca = certificate(caKeys.publicKey);
  const caSubject = [
    { name: "commonName", value: `${request.commonName} CA` },
    { name: "organizationName", value: "vault-platform" },
  ];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  sign(ca, caKeys.privateKey);

  const serverKeys = rsaKeyPair();
  const cert = certificate(serverKeys.publicKey);
  cert.setSubject([
    { name: "commonName", value: request.commonName },
    { name: "organizationName", value: "vault-platform" },
  ]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    // clientAuth too: raft peers present the same certificate to each other.
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        ...request.dnsNames.map((value) => ({ type: 2, value })),
        ...request.ipAddresses.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  sign(cert, caKeys.privateKey);

  const keyPem = serverKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    caCertPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem,
    notAfter: notAfter.toISOString(),
  };
}

/** A generated certificate is replaced once less than this share of its validity is left. */
export const RENEW_WHEN_REMAINING = 1 / 3;

/** Whether a certificate valid until `notAfter` for `validityHours` is due for renewal. */
export function renewalDue(
  notAfter: string,
  validityHours: number,
  now: Date = new Date(),
): boolean {
  const remainingMs = Date.parse(notAfter) - now.getTime();
  return !(remainingMs > validityHours * 3600 * 1000 * RENEW_WHEN_REMAINING);
}

interface CertificateState extends CertificateRequest, Partial<GeneratedCertificates> {}

/**
 * Creates the certificates once; replaces them when the names or the validity change, or when
 * renewal is due (a preview then shows the replacement, as a renewal should be seen).
 */
export const certificateProvider: pulumi.dynamic.ResourceProvider<
  CertificateState,
  CertificateState
> = {
  async create(inputs) {
    const generated = generateCertificates(inputs);
    return { id: `tls-${randomUUID()}`, outs: { ...inputs, ...generated } };
  },

  async diff(_id, olds, news) {
    const replaces: string[] = (
      ["commonName", "dnsNames", "ipAddresses", "validityHours"] as const
    ).filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    if (olds.notAfter === undefined || renewalDue(olds.notAfter, olds.validityHours)) {
      replaces.push("notAfter");
    }
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
};

export interface GeneratedCertificateArgs {
  readonly commonName: pulumi.Input<string>;
  readonly dnsNames: pulumi.Input<pulumi.Input<string>[]>;
  readonly ipAddresses: pulumi.Input<pulumi.Input<string>[]>;
  readonly validityHours: pulumi.Input<number>;
}

/** A CA and a server certificate for one server; the private key is secret in state. */
export class GeneratedCertificate extends pulumi.dynamic.Resource {
  // "declare": the engine sets these inside super(); a class field would reset them after it.
  declare public readonly caCertPem: pulumi.Output<string>;
  declare public readonly certPem: pulumi.Output<string>;
  declare public readonly keyPem: pulumi.Output<string>;
  declare public readonly notAfter: pulumi.Output<string>;

  constructor(name: string, args: GeneratedCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      certificateProvider,
      name,
      { ...args, caCertPem: undefined, certPem: undefined, keyPem: undefined, notAfter: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["keyPem"] }),
      "vaultplatform",
      "GeneratedCertificate",
    );
  }
}

/** The listener's certificate material, whichever way it came. */
export interface ServerTlsMaterial {
  readonly caCertPem: pulumi.Input<string>;
  readonly certPem: pulumi.Input<string>;
  /** Always secret. */
  readonly keyPem: pulumi.Input<string>;
}

/**
 * Writes a CA certificate where the Vault provider reads it and returns that path. The path is
 * relative to the project directory (where the engine starts providers and runs the program), so
 * it is the same on every machine and the provider's config does not change between runs.
 */
export function writeTrustFile(relativePath: string, caCertPem: string): string {
  mkdirSync(dirname(relativePath), { recursive: true });
  const current = existsSync(relativePath) ? readFileSync(relativePath, "utf8") : undefined;
  if (current !== caCertPem) {
    writeFileSync(relativePath, caCertPem, { mode: 0o644 });
  }
  return relativePath;
}

/** Where the trust file of a stack lives, relative to the project directory. */
export function trustFilePath(stack: string): string {
  return join(".vault-platform", stack, "ca.pem");
}
