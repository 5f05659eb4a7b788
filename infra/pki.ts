/**
 * Certificates: the stack's CA and one issuing role per app. Internal mode makes a root in one
 * mount and an intermediate in another, signed in-program; external mode makes the intermediate's
 * key and CSR, and sets the certificate the organization's CA signed once config carries it. Keys
 * are generated inside Vault ("internal" type) and never leave it; only certificates and the CSR
 * reach the state.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { AppPkiConfig, PkiConfig, PkiKeyType, PlatformConfig } from "../stacks/config";
import { VaultAccess, VaultRequest } from "./vault-request";

/** Key sizes of each key type: EC P-256, RSA 2048. */
export const KEY_BITS: Readonly<Record<PkiKeyType, number>> = { ec: 256, rsa: 2048 };

export interface PkiRoleSpec {
  /** App name: the role's name and its stable identity. */
  readonly app: string;
  readonly pki: AppPkiConfig;
}

export interface PkiArgs {
  readonly config: PkiConfig;
  readonly roles: readonly PkiRoleSpec[];
  /** Where clients fetch the CA, the CRL and OCSP: the API address, with /v1/ and a namespace. */
  readonly urlBase: pulumi.Input<string>;
  /** For the one call no provider resource makes here (automatic tidy). */
  readonly vaultAccess: VaultAccess;
  readonly protect: boolean;
}

/** The arguments of an app's role: its names, nothing wider, at most the CA's leaf lifetime. */
export function pkiRoleArgs(
  backend: pulumi.Input<string>,
  spec: PkiRoleSpec,
  leafMaxTtlSeconds: number,
): vault.pkisecret.SecretBackendRoleArgs {
  return {
    backend,
    name: spec.app,
    allowedDomains: [...spec.pki.names],
    allowBareDomains: true,
    allowSubdomains: spec.pki.allowSubdomains,
    allowGlobDomains: spec.pki.names.some((name) => name.startsWith("*.")),
    allowWildcardCertificates: false,
    allowAnyName: false,
    allowLocalhost: false,
    allowIpSans: spec.pki.allowIpSans,
    allowedUriSans: [],
    allowedOtherSans: [],
    enforceHostnames: true,
    serverFlag: true,
    clientFlag: true,
    keyType: spec.pki.keyType,
    keyBits: KEY_BITS[spec.pki.keyType],
    ttl: String(spec.pki.ttlSeconds),
    maxTtl: String(leafMaxTtlSeconds),
    // Stored, so that a serial can be revoked and shows in the CRL.
    noStore: false,
  };
}

function caUrls(
  resourceName: string,
  backend: pulumi.Output<string>,
  urlBase: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): vault.pkisecret.SecretBackendConfigUrls {
  const url = (leaf: string) => pulumi.interpolate`${urlBase}${backend}/${leaf}`;
  return new vault.pkisecret.SecretBackendConfigUrls(
    resourceName,
    {
      backend,
      issuingCertificates: [url("ca")],
      crlDistributionPoints: [url("crl")],
      ocspServers: [url("ocsp")],
    },
    opts,
  );
}

export class Pki extends pulumi.ComponentResource {
  /** The issuing (intermediate) mount apps issue from. */
  public readonly mount: vault.Mount;
  public readonly rootMount?: vault.Mount;
  /** The intermediate's CSR (external mode: what the organization's CA signs). */
  public readonly csr: pulumi.Output<string>;
  /** What clients trust: the internal root, or the last certificate of the external chain. */
  public readonly caCertificate?: pulumi.Output<string>;
  /** The intermediate followed by its issuers (PEM); undefined until an external CA signed. */
  public readonly chain?: pulumi.Output<string>;
  public readonly roles: Readonly<Record<string, vault.pkisecret.SecretBackendRole>>;

  constructor(name: string, args: PkiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Pki", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    const keyFields = { keyType: config.keyType, keyBits: KEY_BITS[config.keyType] };
    this.mount = new vault.Mount(
      `${name}-mount`,
      {
        path: config.path,
        type: "pki",
        description: "Issuing CA of the apps' certificates, managed by vault-platform",
        maxLeaseTtlSeconds: config.intermediateTtlSeconds,
      },
      { ...child, protect: args.protect },
    );
    const request = new vault.pkisecret.SecretBackendIntermediateCertRequest(
      `${name}-request`,
      {
        backend: this.mount.path,
        type: "internal",
        commonName: `${config.commonName} intermediate`,
        ...keyFields,
      },
      child,
    );
    this.csr = request.csr;
    let signed: pulumi.Output<string> | undefined;
    if (config.mode === "internal") {
      const { mount: rootMount, root } = this.internalRoot(name, config, args, keyFields);
      this.rootMount = rootMount;
      const signature = new vault.pkisecret.SecretBackendRootSignIntermediate(
        `${name}-signature`,
        {
          backend: root.backend,
          csr: request.csr,
          commonName: `${config.commonName} intermediate`,
          ttl: String(config.intermediateTtlSeconds),
        },
        child,
      );
      signed = pulumi.interpolate`${signature.certificate}\n${root.certificate}\n`;
      this.caCertificate = root.certificate;
    } else if (config.intermediateCertificate !== undefined) {
      signed = pulumi.output(config.intermediateCertificate);
      const blocks = config.intermediateCertificate.match(
        /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
      );
      this.caCertificate = pulumi.output(`${blocks?.[blocks.length - 1] ?? ""}\n`);
    } else {
      void pulumi.log.warn(
        "pki: the intermediate waits for its certificate. Have your CA sign the CSR in the stack output pki.csr, set vault-platform:pki.intermediateCertificate to the signed certificate followed by its chain, and run up again; until then apps cannot issue certificates.",
        this,
      );
    }
    const issuer = signed
      ? new vault.pkisecret.SecretBackendIntermediateSetSigned(
          `${name}-issuer`,
          { backend: this.mount.path, certificate: signed },
          child,
        )
      : undefined;
    this.chain = signed;
    const afterIssuer = { ...child, dependsOn: issuer ? [issuer] : [] };
    caUrls(`${name}-urls`, this.mount.path, args.urlBase, afterIssuer);
    // Expired certificates and revocations leave storage and the CRL. Through the API: the
    // provider's resource needs the server's version, which it is not asked for here.
    new VaultRequest(
      `${name}-tidy`,
      {
        ...args.vaultAccess,
        onCreate: pulumi.interpolate`${this.mount.path}`.apply((mount) => ({
          method: "POST" as const,
          path: `${mount}/config/auto-tidy`,
          body: {
            enabled: true,
            tidy_cert_store: true,
            tidy_revoked_certs: true,
            interval_duration: "12h",
            safety_buffer: "72h",
          },
        })),
      },
      afterIssuer,
    );
    this.roles = Object.fromEntries(
      args.roles.map((spec) => [
        spec.app,
        new vault.pkisecret.SecretBackendRole(
          `${name}-${spec.app}`,
          pkiRoleArgs(this.mount.path, spec, config.leafMaxTtlSeconds),
          afterIssuer,
        ),
      ]),
    );
    this.registerOutputs({ mount: this.mount, csr: this.csr, roles: Object.keys(this.roles) });
  }

  private internalRoot(
    name: string,
    config: PkiConfig,
    args: PkiArgs,
    keyFields: { keyType: string; keyBits: number },
  ): { mount: vault.Mount; root: vault.pkisecret.SecretBackendRootCert } {
    const mount = new vault.Mount(
      `${name}-root-mount`,
      {
        path: config.rootPath ?? "pki-root",
        type: "pki",
        description: "Root CA of the apps' certificates, managed by vault-platform",
        maxLeaseTtlSeconds: config.rootTtlSeconds,
      },
      { parent: this, protect: args.protect },
    );
    const root = new vault.pkisecret.SecretBackendRootCert(
      `${name}-root`,
      {
        backend: mount.path,
        type: "internal",
        commonName: config.commonName,
        ttl: String(config.rootTtlSeconds),
        ...keyFields,
      },
      // Unmounting removes the root with its key; deleting it alone needs sudo (DELETE
      // <mount>/root), which a login limited to the stack's paths does not have.
      { parent: this, deletedWith: mount },
    );
    caUrls(`${name}-root-urls`, mount.path, args.urlBase, { parent: this, dependsOn: [root] });
    return { mount, root };
  }
}

/** The stack's Pki where config sets one: every app with names gets its role. */
export function issueCertificates(
  name: string,
  config: PlatformConfig,
  connection: { readonly address: pulumi.Output<string>; readonly access: VaultAccess },
  namespace: pulumi.Output<string> | undefined,
  opts: pulumi.ComponentResourceOptions,
): Pki | undefined {
  if (!config.pki) {
    return undefined;
  }
  const inNamespace = namespace ?? pulumi.output("");
  return new Pki(
    name,
    {
      config: config.pki,
      roles: config.apps.flatMap((app) => (app.pki ? [{ app: app.name, pki: app.pki }] : [])),
      vaultAccess: connection.access,
      urlBase: pulumi
        .all([connection.address, inNamespace])
        .apply(([base, ns]) => `${base.replace(/\/+$/, "")}/v1/${ns ? `${ns}/` : ""}`),
      protect: config.protect,
    },
    opts,
  );
}
