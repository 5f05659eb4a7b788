/**
 * npm run backup -- --stack <name> [--to DIR]
 *
 * A raft snapshot of the stack's server through the API, with the provisioner token (or, on a
 * cluster the program does not run, its own login), written 0600 beside a record of what it is.
 */
import * as path from "path";
import { takeBackup } from "../backup/take-backup";
import { openStack } from "../engine/workspace";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const BACKUP: CommandSpec = {
  name: "npm run backup --",
  summary:
    "Takes a raft snapshot of the stack's server (mode 0600) beside a record of it (stack, time, flavor, version, sha256, the unseal keys it needs); keeps the newest backup.keep.",
  flags: {
    stack: STACK_FLAG,
    to: {
      type: "string",
      value: "<dir>",
      description: "where to write it (default backup.dir, else backups/<stack>)",
    },
  },
  takesStack: true,
};

if (require.main === module) {
  runMain(async () => {
    const flags = parseCommand(BACKUP, process.argv.slice(2));
    if (!flags) {
      return;
    }
    const stack = await openStack({ stackName: (flags.stack as string | undefined) ?? "dev" });
    const taken = await takeBackup(stack, {
      // npm runs commands in the project; a relative path is the caller's.
      to:
        typeof flags.to === "string"
          ? path.resolve(process.env.INIT_CWD ?? process.cwd(), flags.to)
          : undefined,
      reason: "npm run backup",
    });
    console.log(
      `${stack.name}: snapshot ${taken.file} (${taken.bytes} bytes, ${taken.seconds.toFixed(1)}s)`,
    );
    for (const file of taken.pruned) {
      console.log(`${stack.name}: removed the older snapshot ${file} (backup.keep)`);
    }
  });
}
