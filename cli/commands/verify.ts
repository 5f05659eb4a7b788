/**
 * npm run verify -- --stack <name>
 *
 * Checks a deployed environment from the outside (HTTP(S) to Vault, `pg` to Postgres) and
 * prints a pass/fail table; exits non-zero when anything fails.
 */
import { formatResults, runChecks } from "../checks/run-checks";
import { environmentOf } from "../checks/stack-environment";
import { openStack } from "../engine/workspace";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const VERIFY: CommandSpec = {
  name: "npm run verify --",
  summary:
    "Proves the stack's environment from the outside, as its apps and people would use it: health, every app's logins, allowed paths and denials, database credentials, transit, the audit log. Exits 1 when a check fails.",
  flags: { stack: STACK_FLAG },
  takesStack: true,
};

if (require.main === module) {
  runMain(async () => {
    const flags = parseCommand(VERIFY, process.argv.slice(2));
    if (!flags) {
      return;
    }
    const stack = await openStack({ stackName: (flags.stack as string | undefined) ?? "dev" });
    const results = await runChecks(await environmentOf(stack));
    console.log(formatResults(results));
    return results.some((result) => !result.ok) ? 1 : undefined;
  });
}
