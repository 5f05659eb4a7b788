/**
 * npm run unseal-keys -- --stack <name>
 *
 * Lists the PGP-encrypted unseal keys of a server the program initialized with
 * server.unsealPgpKeys, one per key holder in the order of that list. Each holder decrypts theirs
 * (`base64 -d | gpg -dq`) and runs `operator unseal`. Keys that are not PGP-encrypted are never
 * printed: they stay in state, as secrets.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { openStack, reveal } from "./workspace";

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === "--stack" || arg === "-s");
  const stack = await openStack({ stackName: index >= 0 ? args[index + 1] : "dev" });
  const keys = encryptedUnsealKeys(await stack.exportStack());
  keys.forEach((key, i) => {
    console.log(`key holder ${i + 1} (server.unsealPgpKeys[${i}]): ${key}`);
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
