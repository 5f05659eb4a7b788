import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { renderPolicyHcl } from "./policies";
import { VaultRequest } from "./vault-request";

/** The one admin policy: the provisioner's (policy-pack rules exempt exactly this name). */
export const PROVISIONER_POLICY = "vault-platform-admin";

/**
 * What the program itself needs to configure Vault, and no more: mounts, auth methods, ACL
 * policies, audit devices, the engines it manages and lease revocation at teardown.
 */
export const PROVISIONER_RULES = renderPolicyHcl(
  [
    { path: "sys/mounts", capabilities: ["read", "list"] },
    { path: "sys/mounts/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "sys/auth", capabilities: ["read", "list"] },
    { path: "sys/auth/*", capabilities: ["create", "read", "update", "delete", "list", "sudo"] },
    { path: "sys/policies/acl/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "sys/policy/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "sys/audit", capabilities: ["read", "list", "sudo"] },
    { path: "sys/audit/*", capabilities: ["create", "read", "update", "delete", "sudo"] },
    { path: "sys/leases/revoke-prefix/*", capabilities: ["update", "sudo"] },
    { path: "auth/approle/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "auth/token/create", capabilities: ["create", "update"] },
    { path: "auth/token/lookup-self", capabilities: ["read"] },
    { path: "auth/token/renew-self", capabilities: ["update"] },
    { path: "+/config/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "+/roles/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "+/rotate-root/*", capabilities: ["update"] },
    { path: "+/keys/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "+/data/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "+/metadata/*", capabilities: ["create", "read", "update", "delete", "list"] },
    { path: "+/config", capabilities: ["create", "read", "update"] },
  ],
  "Managed by vault-platform: the token the program configures Vault with.",
);

export interface BootstrapArgs {
  readonly address: pulumi.Input<string>;
  /** The initial root token: used only to create the provisioner policy and token. */
  readonly rootToken: pulumi.Input<string>;
  /** Revoke the initial root token once the provisioner token exists. */
  readonly revokeRootToken: boolean;
}

/**
 * Root-token hygiene: with the initial root token, create a scoped provisioner policy and a
 * periodic, renewable orphan token; everything else is configured with that token. Where asked,
 * the root token is then revoked (a new one comes only from `operator generate-root`).
 */
export class Bootstrap extends pulumi.ComponentResource {
  public readonly token: pulumi.Output<string>;

  constructor(name: string, args: BootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Bootstrap", name, {}, opts);
    const rootProvider = new vault.Provider(
      `${name}-root`,
      {
        address: args.address,
        token: args.rootToken,
        // Nothing may ask Vault for anything with this token once it may have been revoked.
        skipChildToken: true,
        skipGetVaultVersion: true,
      },
      { parent: this },
    );
    const policy = new vault.Policy(
      `${name}-provisioner-policy`,
      { name: PROVISIONER_POLICY, policy: PROVISIONER_RULES },
      { parent: this, provider: rootProvider },
    );
    const token = new vault.Token(
      `${name}-provisioner-token`,
      {
        policies: [policy.name],
        noParent: true,
        noDefaultPolicy: true,
        renewable: true,
        period: "768h",
        displayName: "vault-platform-provisioner",
      },
      { parent: this, provider: rootProvider, additionalSecretOutputs: ["clientToken"] },
    );
    if (args.revokeRootToken) {
      new VaultRequest(
        `${name}-revoke-root`,
        {
          address: args.address,
          token: args.rootToken,
          onCreate: { method: "POST", path: "auth/token/revoke-self" },
        },
        { parent: this, dependsOn: [token] },
      );
    }
    this.token = pulumi.secret(token.clientToken);
    this.registerOutputs({});
  }
}
