/**
 * What `npm run up` and `npm run preview` do around the engine: recovery of an interrupted run
 * and the checks made before it (the config is read meanwhile), then the engine itself.
 */
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { snapshotBeforeRisk } from "../backup/before-risk";
import { repairLostState } from "../recovery/before-up";
import { lockHeld, retryLockCollision } from "../recovery/lock-contention";
import { recoverIfInterrupted } from "../recovery/recover";
import { retryTransient } from "../recovery/transient";
import { prepareRun } from "./preflight";
import { stackConfigSource } from "./program-login";
import { PROJECT_ROOT } from "./project-root";
import { refreshVaultObjects, upStack } from "./stack-cli";
import { openStack, pulumiEnv } from "./workspace";

const onOutput = (text: string) => process.stdout.write(text);

/** Opens the stack, says which backend it lives in, and recovers an interrupted run. */
async function openAndRecover(stackName: string, command: "up" | "preview") {
  const stack = await openStack({ stackName });
  const backend = pulumiEnv({ stackName }).PULUMI_BACKEND_URL;
  console.log(`stack ${stackName} (backend ${backend.replace(PROJECT_ROOT + path.sep, "")})`);
  // The config is read while the state is checked (recovery leaves the config as it is).
  const config = stackConfigSource(stack);
  config.catch(() => undefined);
  const deployment = await recoverIfInterrupted(stack, backend);
  await prepareRun(stack, command === "up" ? "update" : "preview", config);
  return { stack, backend, deployment };
}

export async function previewStack(stackName: string): Promise<void> {
  const { stack } = await openAndRecover(stackName, "preview");
  const result = await stack.preview({ onOutput, diff: true });
  console.log(JSON.stringify(result.changeSummary));
}

/** `refresh`: read what the stack wrote into Vault back first, so the up puts back hand-made changes. */
export async function upAndReport(
  stackName: string,
  options: { readonly refresh?: boolean; readonly allowDowngrade?: boolean } = {},
): Promise<void> {
  const { stack, backend, deployment } = await openAndRecover(stackName, "up");
  await repairLostState(stack, undefined, deployment);
  await snapshotBeforeRisk(stack, deployment, undefined, options.allowDowngrade);
  if (options.refresh) {
    const read = await refreshVaultObjects(stack, onOutput);
    console.log(`read ${read} Vault objects back from the server`);
  }
  const outputs = await retryTransient("up", () =>
    retryLockCollision(
      "up",
      () => upStack(stack, onOutput),
      () => lockHeld(backend, "vault-platform", stackName),
    ),
  );
  printSummary(stack, backend, outputs);
}

function printSummary(stack: Stack, backend: string, outputs: Record<string, unknown>): void {
  console.log("");
  console.log(`Vault: ${String(outputs.vaultAddress ?? "(unknown)")}`);
  console.log(`Profile: ${String(outputs.profile)}, flavor ${String(outputs.flavor)}`);
  for (const [app, value] of Object.entries(
    (outputs.apps ?? {}) as Record<string, { roleId: string; policy: string }>,
  )) {
    console.log(`  app ${app}: role_id ${value.roleId}, policy ${value.policy}`);
  }
  if (outputs.rootToken) {
    console.log(
      `Root token (dev mode): PULUMI_BACKEND_URL='${backend}' pulumi stack output rootToken --show-secrets --stack ${stack.name}`,
    );
  }
  console.log(`Check it from the outside: npm run verify -- --stack ${stack.name}`);
}
