/**
 * A stack's state exported and imported as its backend keeps it, secrets encrypted. The
 * Automation API's exportStack shows secrets, and its importStack writes the state to a
 * temporary file readable by others (and leaves it behind when the import fails).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { stackCli } from "../engine/stack-cli";
import type { Deployment } from "./state-graph";
import type { StackState } from "./teardown";

export function encryptedState(stack: Stack): StackState {
  const pulumi = (...args: string[]) => stackCli(stack, ...args);
  return {
    name: stack.name,
    read: async () => JSON.parse((await pulumi("stack", "export")).stdout) as Deployment,
    write: async (state) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-state-"));
      const file = path.join(dir, "state.json");
      try {
        fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
        await pulumi("stack", "import", "--file", file);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
