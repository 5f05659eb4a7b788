/** npm run destroy -- --stack <name> [--remove]: tears the environment down. */
import { destroyStack } from "../recovery/destroy";
import { openStack } from "../engine/workspace";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const DESTROY: CommandSpec = {
  name: "npm run destroy --",
  summary:
    "Tears the stack's environment down and leaves nothing of it: containers, volumes, Postgres roles, Vault objects. With --remove the stack goes too (its state, and its stack file unless git tracks it).",
  flags: {
    stack: STACK_FLAG,
    remove: { type: "boolean", description: "remove the stack and its generated files too" },
  },
  takesStack: true,
};

if (require.main === module) {
  runMain(async () => {
    const flags = parseCommand(DESTROY, process.argv.slice(2));
    if (!flags) {
      return;
    }
    const stackName = (flags.stack as string | undefined) ?? "dev";
    const remove = flags.remove === true;
    const stack = await openStack({ stackName });
    await destroyStack(stack, { onOutput: (text) => process.stdout.write(text), remove });
    if (remove) {
      console.log(`stack ${stackName} removed`);
    }
  });
}
