/**
 * npm run restore -- --stack <name> --from <file> [--yes]
 *
 * Checks a snapshot against its record and the stack, says what it will do, and with --yes puts
 * it back into the stack's server, unseals it, brings the stack up to date and verifies it.
 */
import * as path from "path";
import { restoreBackup } from "../backup/restore-backup";
import { openStack } from "../engine/workspace";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const RESTORE: CommandSpec = {
  name: "npm run restore --",
  summary:
    "Puts a snapshot taken by npm run backup back into the stack's own server: checks it (record, sha256, flavor, the unseal keys), says what it will do, and with --yes restores, unseals, runs up and verify.",
  flags: {
    stack: STACK_FLAG,
    from: { type: "string", value: "<file>", description: "the snapshot (.snap) to restore" },
    yes: { type: "boolean", description: "restore; without it nothing is changed" },
  },
  takesStack: true,
};

if (require.main === module) {
  runMain(async () => {
    const flags = parseCommand(RESTORE, process.argv.slice(2));
    if (!flags) {
      return;
    }
    if (typeof flags.from !== "string") {
      throw new Error(`${RESTORE.name}: --from <file> is required (see ${RESTORE.name} --help)`);
    }
    const stack = await openStack({ stackName: (flags.stack as string | undefined) ?? "dev" });
    // npm runs commands in the project; a relative path is the caller's.
    const from = path.resolve(process.env.INIT_CWD ?? process.cwd(), flags.from);
    return restoreBackup(stack, from, flags.yes === true);
  });
}
