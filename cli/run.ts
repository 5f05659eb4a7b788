/**
 * npm run up | preview | destroy -- --stack <name> [--yes]
 *
 * Runs the program through the Automation API, streaming the engine's output. Config errors are
 * reported before anything is created (the program validates config before registering).
 */
import * as path from "path";
import { prepareRun } from "./preflight";
import { stackConfigSource } from "./program-login";
import { repairLostState } from "./lost-state";
import { lockHeld, retryLockCollision } from "./lock-contention";
import { recoverIfInterrupted } from "./recover";
import { upStack } from "./stack-cli";
import { retryTransient } from "./transient";
import { destroyStack, openStack, pulumiEnv, PROJECT_ROOT } from "./workspace";

type Command = "up" | "preview" | "destroy";

function parseArgs(argv: readonly string[]): {
  command: Command;
  stackName: string;
  remove: boolean;
} {
  const [command, ...rest] = argv;
  if (command !== "up" && command !== "preview" && command !== "destroy") {
    throw new Error(
      `usage: npm run up|preview|destroy -- --stack <name>  (got command "${command}")`,
    );
  }
  let stackName = "dev";
  let remove = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--stack" || rest[i] === "-s") {
      stackName = rest[++i] ?? "";
    } else if (rest[i] === "--remove") {
      remove = true;
    } else {
      throw new Error(`unknown argument "${rest[i]}"`);
    }
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(stackName)) {
    throw new Error(`--stack: expected a stack name like dev or pr-7, got "${stackName}"`);
  }
  return { command, stackName, remove };
}

async function main(): Promise<void> {
  const { command, stackName, remove } = parseArgs(process.argv.slice(2));
  const stack = await openStack({ stackName });
  const onOutput = (text: string) => process.stdout.write(text);
  const backend = pulumiEnv({ stackName }).PULUMI_BACKEND_URL;
  console.log(`stack ${stackName} (backend ${backend.replace(PROJECT_ROOT + path.sep, "")})`);
  // The config is read while the state is checked (recovery leaves the config as it is).
  const config = stackConfigSource(stack);
  config.catch(() => undefined);
  const deployment = await recoverIfInterrupted(stack, backend);
  if (command !== "destroy") {
    await prepareRun(stack, command === "up" ? "update" : "preview", config);
  }

  switch (command) {
    case "preview": {
      const result = await stack.preview({ onOutput, diff: true });
      console.log(JSON.stringify(result.changeSummary));
      break;
    }
    case "up": {
      await repairLostState(stack, undefined, deployment);
      const outputs = await retryTransient("up", () =>
        retryLockCollision(
          "up",
          () => upStack(stack, onOutput),
          () => lockHeld(backend, "vault-platform", stackName),
        ),
      );
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
          `Root token (dev mode): PULUMI_BACKEND_URL='${backend}' pulumi stack output rootToken --show-secrets --stack ${stackName}`,
        );
      }
      console.log(`Check it from the outside: npm run verify -- --stack ${stackName}`);
      break;
    }
    case "destroy": {
      await destroyStack(stack, { onOutput, remove });
      if (remove) {
        console.log(`stack ${stackName} removed`);
      }
      break;
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
