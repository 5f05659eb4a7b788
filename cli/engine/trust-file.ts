/**
 * The trust file: the server CA's PEM that the Vault provider in state reads. The program writes
 * it when it runs; commands that do not run the program put it back from the stack's outputs.
 */
import * as fs from "fs";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { trustFilePath, writeTrustFile } from "../../infra/tls";
import { PROJECT_ROOT } from "./project-root";

/**
 * The Vault provider in state reads the server's CA from a trust file the program writes when it
 * runs. A refresh or destroy does not run the program (and may run on a fresh machine): put the
 * file back from the stack's outputs first.
 */
export async function restoreTrustFile(stack: Stack): Promise<void> {
  const outputs = await stack.outputs().catch(() => ({}) as Record<string, { value: unknown }>);
  const pem = outputs.vaultCaCertificate?.value;
  if (typeof pem === "string" && pem !== "") {
    writeTrustFile(trustFileOf(stack.name), pem);
  }
}

function trustFileOf(stackName: string): string {
  return path.join(PROJECT_ROOT, trustFilePath(stackName));
}

/** With the stack gone, its trust file goes too (and the directory, once no stack has one). */
export function removeTrustFile(stackName: string): void {
  const file = trustFileOf(stackName);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const root = path.dirname(path.dirname(file));
  if (fs.existsSync(root) && fs.readdirSync(root).length === 0) {
    fs.rmdirSync(root);
  }
}
