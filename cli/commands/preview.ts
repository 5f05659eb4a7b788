/** npm run preview -- --stack <name>: what an up would change, with the diff. */
import { previewStack } from "../engine/stack-run";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const PREVIEW: CommandSpec = {
  name: "npm run preview --",
  summary:
    "Shows what `npm run up` would change in the stack, resource by resource, with the diff.",
  flags: { stack: STACK_FLAG },
  takesStack: true,
};

if (require.main === module) {
  runMain(async () => {
    const flags = parseCommand(PREVIEW, process.argv.slice(2));
    if (flags) {
      await previewStack((flags.stack as string | undefined) ?? "dev");
    }
  });
}
