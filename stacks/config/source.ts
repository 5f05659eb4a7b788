/**
 * Where raw stack config comes from: the decrypted string of a key and whether it is stored
 * encrypted. The program reads Pulumi's runtime config; tests and the access diff feed their own.
 */
import * as pulumi from "@pulumi/pulumi";

export const NAMESPACE = "vault-platform";

/**
 * What a source that cannot decrypt (the stack files read at another git revision) returns for
 * an encrypted value: present and secret, content unknown.
 */
export const ENCRYPTED_PLACEHOLDER = "[encrypted]";

/** Raw access to stack config: the decrypted string of a key, and whether it is stored encrypted. */
export interface ConfigSource {
  get(key: string): string | undefined;
  isSecret(key: string): boolean;
  /** Every key set (to find the ones the program does not read); optional for partial sources. */
  keys?(): string[];
}

/** Keys that hold secrets: their values never appear in an error message. */
export const SECRET_KEYS = new Set([
  "seeds",
  "postgresAdminPassword",
  "vaultToken",
  "vaultSecretId",
  "tlsPrivateKey",
  "peopleClientSecret",
]);

export const CONFIG_KEYS = [
  "profile",
  "allowWeakerProfile",
  "protect",
  "server",
  "sharedCluster",
  "namespace",
  "postgres",
  "postgresAdminPassword",
  "vaultToken",
  "vaultSecretId",
  "tlsPrivateKey",
  "kv",
  "database",
  "transit",
  "approle",
  "audit",
  "apps",
  "kubernetes",
  "jwt",
  "seeds",
  "teams",
  "people",
  "peopleClientSecret",
  "pki",
  "backup",
] as const;

/**
 * The ConfigSource of a running Pulumi program. Whether a key is stored encrypted is only exposed
 * by the SDK's runtime module (not in its typings); the SDK version is pinned exactly.
 */
export function pulumiConfigSource(): ConfigSource {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret(key: string): boolean;
  };
  return {
    get: (key) => pulumi.runtime.getConfig(key),
    isSecret: (key) => runtimeConfig.isConfigSecret(key),
    keys: () => Object.keys(pulumi.runtime.allConfig()),
  };
}
