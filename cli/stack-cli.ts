/**
 * The Pulumi CLI run directly on a stack, for what the Automation API does not offer: the state
 * as the backend keeps it (secrets encrypted) and a removal that takes the stack's backups too.
 */
import { execFile } from "child_process";
import { promisify } from "util";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

/** `pulumi <args> --stack <stack>` in the stack's workspace; its output. */
export function stackCli(stack: Stack, ...args: string[]): Promise<{ stdout: string }> {
  const workspace = stack.workspace as LocalWorkspace;
  return promisify(execFile)(workspace.pulumiCommand.command, [...args, "--stack", stack.name], {
    cwd: workspace.workDir,
    env: { ...process.env, ...workspace.envVars },
    maxBuffer: 1024 * 1024 * 1024,
  });
}

/**
 * Removes the stack with its history and its backups: the file backend keeps a copy of every
 * state an `up` replaced (`.pulumi/backups/`, `<stack>.json.bak`) unless asked to remove them,
 * and the Automation API's removeStack does not ask.
 */
export async function removeStackAndBackups(stack: Stack): Promise<void> {
  await stackCli(stack, "stack", "rm", "--yes", "--remove-backups");
}
