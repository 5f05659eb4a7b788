/**
 * npm run unseal-keys -- --stack <name>
 *
 * Lists the PGP-encrypted unseal keys of a server the program initialized with
 * server.unsealPgpKeys, one per key holder in the order of that list. Each holder decrypts theirs
 * (`base64 -d | gpg -dq`) and runs `operator unseal`. Keys that are not PGP-encrypted are never
 * printed: they stay in state, as secrets.
 */
import { openStack } from "../engine/workspace";
import { encryptedUnsealKeys } from "../recovery/unseal-keys";
import { CommandSpec, parseCommand, runMain, STACK_FLAG } from "./args";

export const UNSEAL_KEYS: CommandSpec = {
  name: "npm run unseal-keys --",
  summary:
    "Lists the PGP-encrypted unseal keys of a server the program initialized with server.unsealPgpKeys, one per key holder.",
  flags: { stack: STACK_FLAG },
  takesStack: true,
};

if (require.main === module) {
  runMain(async () => {
    const flags = parseCommand(UNSEAL_KEYS, process.argv.slice(2));
    if (!flags) {
      return;
    }
    const stack = await openStack({ stackName: (flags.stack as string | undefined) ?? "dev" });
    const keys = encryptedUnsealKeys(await stack.exportStack());
    keys.forEach((key, i) => {
      console.log(`key holder ${i + 1} (server.unsealPgpKeys[${i}]): ${key}`);
    });
  });
}
