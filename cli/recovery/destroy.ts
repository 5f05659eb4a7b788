/**
 * The whole path of `destroy`: the trust file back, recovery of an interrupted run, the stack's
 * own containers torn down, the engine's destroy, and with `remove` the stack and its files.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { prepareProgramLogin } from "../engine/program-login";
import { PROJECT_ROOT } from "../engine/project-root";
import { removeStackAndBackups } from "../engine/stack-cli";
import { removeTrustFile, restoreTrustFile } from "../engine/trust-file";
import { backendUrlOf } from "../engine/workspace";
import { encryptedState } from "./encrypted-state";
import { recoverIfInterrupted } from "./recover";
import { containedTeardown } from "./teardown";
import { retryTransient } from "./transient";

/**
 * Destroys an environment as the CLI commands do: the trust file back first, recovery of an
 * interrupted run, the stack's own containers removed with what lived only inside them (see
 * teardown.ts), a refresh (a dev server that restarted has lost what the state says it holds),
 * then the destroy of the rest; with `remove`
 * the stack, its stack file and its trust file go too.
 */
export async function destroyStack(
  stack: Stack,
  options: { readonly remove: boolean; readonly onOutput?: (text: string) => void },
): Promise<void> {
  await restoreTrustFile(stack);
  const say = (line: string) => options.onOutput?.(`${line}\n`);
  const deployment = await recoverIfInterrupted(stack, backendUrlOf(stack), say);
  await containedTeardown(encryptedState(stack), say, deployment);
  // An external cluster's login (the JWT into the environment); a config that no longer loads
  // must not keep an environment from going away: the provider in state still knows the rest.
  await prepareProgramLogin(stack).catch((error: Error) =>
    options.onOutput?.(`note: ${error.message.split("\n")[0]}\n`),
  );
  await retryTransient(
    "destroy",
    () => stack.destroy({ onOutput: options.onOutput, refresh: true }),
    say,
  );
  if (options.remove) {
    await removeStackAndBackups(stack);
    removeTrustFile(stack.name);
    if (removeGeneratedStackFile(PROJECT_ROOT, stack.name) === "kept") {
      say(`kept Pulumi.${stack.name}.yaml: git tracks it`);
    }
  }
}

/**
 * Removes the stack's file from the checkout where the program generated it (a `pr-<n>` stack's),
 * and keeps one that git tracks (dev, staging, prod in this repository).
 */
export function removeGeneratedStackFile(
  root: string,
  stackName: string,
): "removed" | "kept" | "absent" {
  const name = `Pulumi.${stackName}.yaml`;
  if (!fs.existsSync(path.join(root, name))) {
    return "absent";
  }
  const tracked = spawnSync("git", ["ls-files", "--error-unmatch", "--", name], {
    cwd: root,
    stdio: "ignore",
  });
  if (tracked.status === 0) {
    return "kept";
  }
  fs.rmSync(path.join(root, name), { force: true });
  return "removed";
}
