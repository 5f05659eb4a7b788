/** npm run up -- --stack <name>: brings the environment up (or up to date). */
import { upAndReport } from "../engine/stack-run";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const UP: CommandSpec = {
  name: "npm run up --",
  summary:
    "Brings the stack's environment up, or up to date: recovers an interrupted run first, checks what the run needs, then runs the engine and prints the addresses.",
  flags: {
    stack: STACK_FLAG,
    refresh: {
      type: "boolean",
      description:
        "read what the stack wrote into Vault back first: changes made there by hand are put back",
    },
    "allow-downgrade": {
      type: "boolean",
      description: "let server.image go to an older version (a snapshot is taken first)",
    },
  },
  takesStack: true,
};

if (require.main === module) {
  runMain(async () => {
    const flags = parseCommand(UP, process.argv.slice(2));
    if (flags) {
      await upAndReport((flags.stack as string | undefined) ?? "dev", {
        refresh: flags.refresh === true,
        allowDowngrade: flags["allow-downgrade"] === true,
      });
    }
  });
}
