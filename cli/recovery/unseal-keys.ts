/**
 * The PGP-encrypted unseal keys of a server the program initialized (server.unsealPgpKeys), read
 * from the stack's state: what each key holder needs to unseal a restarted server.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { reveal } from "../engine/workspace";

interface InitResource {
  readonly type: string;
  readonly outputs?: Record<string, unknown>;
}

/** The encrypted unseal keys in a deployment, or why there are none to list. */
export function encryptedUnsealKeys(deployment: Deployment): string[] {
  const resources = (deployment.deployment?.resources ?? []) as InitResource[];
  const init = resources.find((resource) => resource.type.endsWith("vaultplatform:ServerInit"));
  if (!init?.outputs) {
    throw new Error("this stack has no server the program initialized");
  }
  const pgpKeys = (reveal(init.outputs.pgpKeys) ?? []) as string[];
  if (pgpKeys.length === 0) {
    throw new Error(
      "the unseal keys of this stack are not PGP-encrypted (no server.unsealPgpKeys at init): they stay in state, as secrets",
    );
  }
  return reveal(init.outputs.unsealKeys) as string[];
}
