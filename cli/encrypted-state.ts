/**
 * A stack's state exported and imported as its backend keeps it, secrets encrypted. The
 * Automation API's exportStack shows secrets, and its importStack writes the state to a
 * temporary file readable by others (and leaves it behind when the import fails).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import type { Deployment, StackState } from "./teardown";

export function encryptedState(stack: Stack): StackState {
  const workspace = stack.workspace as LocalWorkspace;
  const pulumi = (...args: string[]) =>
    promisify(execFile)(workspace.pulumiCommand.command, [...args, "--stack", stack.name], {
      cwd: workspace.workDir,
      env: { ...process.env, ...workspace.envVars },
      maxBuffer: 1024 * 1024 * 1024,
    });
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
