/**
 * npm run recover -- --stack <name> [--yes]
 *
 * Prints what recovering an interrupted run of the stack would do; with --yes, does it, including
 * releasing a lock whose holder cannot be proven gone (a human's call).
 */
import { applyRecovery, describePlan, planRecovery } from "../recovery/recover";
import { openStack, pulumiEnv } from "../engine/workspace";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const RECOVER: CommandSpec = {
  name: "npm run recover --",
  summary:
    "Prints what recovering an interrupted run of the stack would do (a stale lock, pending operations, objects of a run that was killed); with --yes, does it.",
  flags: {
    stack: { ...STACK_FLAG, description: "the stack (required)" },
    yes: { type: "boolean", description: "carry the plan out, releasing a lock too" },
  },
  takesStack: true,
};

async function main(): Promise<void> {
  const flags = parseCommand(RECOVER, process.argv.slice(2));
  if (!flags) {
    return;
  }
  const stackName = flags.stack as string | undefined;
  if (!stackName) {
    throw new Error("npm run recover: --stack <name> is required (see --help)");
  }
  const yes = flags.yes === true;
  const stack = await openStack({ stackName });
  const plan = await planRecovery(stack, pulumiEnv({ stackName }).PULUMI_BACKEND_URL);
  const lines = describePlan(stackName, plan);
  if (lines.length === 0) {
    console.log(`${stackName}: nothing to recover (no lock, no pending operation)`);
    return;
  }
  console.log(`${stackName}: recovery plan`);
  lines.forEach((line) => console.log(`  - ${line}`));
  if (!yes) {
    console.log("Run again with --yes to carry it out.");
    return;
  }
  for (const line of await applyRecovery(stack, plan, { force: true })) {
    console.log(`done: ${line}`);
  }
}

if (require.main === module) {
  runMain(main);
}
