import type * as pulumi from "@pulumi/pulumi";
import type * as vault from "@pulumi/vault";
import type { VaultAccess } from "./vault-request";

/**
 * What everything configured inside Vault needs of the server, whoever runs it: the provider to
 * configure through, and how lifecycle calls reach the same place.
 */
export interface Connection {
  /** The address the program configures through. */
  readonly address: pulumi.Output<string>;
  /** With TLS: the CA certificate clients trust (PEM, not secret). */
  readonly caCert?: pulumi.Output<string>;
  /** The Vault provider every resource inside Vault uses (in the stack's namespace, if any). */
  readonly provider: vault.Provider;
  readonly access: VaultAccess;
}
