/**
 * npm run recover -- --stack <name> [--yes]
 *
 * Prints what recovering an interrupted run of the stack would do; with --yes, does it, including
 * releasing a lock whose holder cannot be proven gone (a human's call).
 */
import { applyRecovery, describePlan, planRecovery } from "./recover";
import { openStack, pulumiEnv } from "./workspace";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === "--stack" || arg === "-s");
  const stackName = index >= 0 ? args[index + 1] : undefined;
  if (!stackName) {
    throw new Error("usage: npm run recover -- --stack <name> [--yes]");
  }
  const yes = args.includes("--yes");
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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
