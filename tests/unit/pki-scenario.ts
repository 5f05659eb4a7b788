/** What the PKI mock scenarios (profile-pki-*.test.ts) configure and read back. */
import { ofType } from "./harness";

export const PKI_TYPES = {
  role: "vault:pkiSecret/secretBackendRole:SecretBackendRole",
  rootCert: "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert",
  request:
    "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest",
  sign: "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate",
  setSigned:
    "vault:pkiSecret/secretBackendIntermediateSetSigned:SecretBackendIntermediateSetSigned",
  urls: "vault:pkiSecret/secretBackendConfigUrls:SecretBackendConfigUrls",
  vaultRequest: "pulumi-nodejs:dynamic/vaultplatform:VaultRequest",
} as const;

/** Three apps: one with a name, one with names and their subdomains, one without certificates. */
export const PKI_APPS = [
  { name: "orders", kv: { read: ["orders/*"] }, pki: { names: ["orders.example.internal"] } },
  {
    name: "billing",
    kv: { read: ["billing/*"] },
    pki: {
      names: ["billing.example.internal", "pay.example.internal"],
      allowSubdomains: true,
      ttl: "24h",
    },
  },
  { name: "reporting", kv: { read: ["reporting/*"] } },
];

/** The mounts of type pki, by resource name. */
export function pkiMounts() {
  return ofType("vault:index/mount:Mount").filter((mount) => mount.inputs.type === "pki");
}

/** The certificate roles, as the engine sees them: name -> allowed names and the bounds. */
export function pkiRoles() {
  return Object.fromEntries(
    ofType(PKI_TYPES.role).map((role) => [
      role.name,
      {
        name: role.inputs.name,
        allowedDomains: role.inputs.allowedDomains,
        allowSubdomains: role.inputs.allowSubdomains,
        allowAnyName: role.inputs.allowAnyName,
        allowIpSans: role.inputs.allowIpSans,
        ttl: role.inputs.ttl,
        maxTtl: role.inputs.maxTtl,
      },
    ]),
  );
}
