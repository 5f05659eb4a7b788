/**
 * The Pulumi CLI run directly on a stack, for what the Automation API does not offer: the state
 * as the backend keeps it (secrets encrypted), a removal that takes the stack's backups too, and
 * an `up` without the calls the Automation API makes after it.
 */
import { execFile, spawn } from "child_process";
import { promisify } from "util";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { removeCheckpointBackups } from "../recovery/checkpoint-files";

function invocation(stack: Stack, args: readonly string[]) {
  const workspace = stack.workspace as LocalWorkspace;
  return {
    command: workspace.pulumiCommand.command,
    args: [...args, "--stack", stack.name],
    options: { cwd: workspace.workDir, env: { ...process.env, ...workspace.envVars } },
  };
}

/** `pulumi <args> --stack <stack>` in the stack's workspace; its output. */
export function stackCli(stack: Stack, ...args: string[]): Promise<{ stdout: string }> {
  const { command, args: argv, options } = invocation(stack, args);
  return promisify(execFile)(command, argv, { ...options, maxBuffer: 1024 * 1024 * 1024 });
}

/** A CLI run that failed, worded as the Automation API's CommandError (transient.ts reads it). */
export class StackCliError extends Error {
  constructor(
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`code: ${code}\n stdout: ${stdout}\n stderr: ${stderr}\n`);
    this.name = "StackCliError";
  }
}

/**
 * As stackCli, non-interactive as the Automation API runs it, with its output streamed to
 * `onOutput` as it comes; throws StackCliError when the CLI fails.
 */
export function streamStackCli(
  stack: Stack,
  args: readonly string[],
  onOutput: (text: string) => void,
): Promise<{ stdout: string }> {
  const { command, args: argv, options } = invocation(stack, [...args, "--non-interactive"]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      ...options,
      env: { ...options.env, PULUMI_AUTOMATION_API: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      onOutput(text);
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve({ stdout }) : reject(new StackCliError(code, stdout, stderr)),
    );
  });
}

/**
 * `pulumi up` on the stack, then its outputs as `stack output --json` shows them (a secret reads
 * "[secret]"). Stack.up runs `stack output` twice and `stack history` after every update: about
 * 1 s more per `up` at 100 apps, for figures the commands do not print.
 */
export async function upStack(
  stack: Stack,
  onOutput: (text: string) => void,
): Promise<Record<string, unknown>> {
  await streamStackCli(
    stack,
    ["up", "--yes", "--skip-preview", "--exec-kind", "auto.local"],
    onOutput,
  );
  return JSON.parse((await stackCli(stack, "stack", "output", "--json")).stdout) as Record<
    string,
    unknown
  >;
}

/**
 * Removes the stack with its history and its backups: the file backend keeps a copy of every
 * state an `up` replaced (`.pulumi/backups/`, `<stack>.json.bak`) unless asked to remove them,
 * and the Automation API's removeStack does not ask.
 */
export async function removeStackAndBackups(stack: Stack): Promise<void> {
  // The stack file stays: destroy.ts removes it only where the program generated it.
  await stackCli(stack, "stack", "rm", "--yes", "--remove-backups", "--preserve-config");
  const backend = (stack.workspace as LocalWorkspace).envVars.PULUMI_BACKEND_URL ?? "";
  removeCheckpointBackups(backend, "vault-platform", stack.name);
}

/**
 * `pulumi refresh` of what the stack wrote into Vault (every `vault:` resource in its state), so
 * the `up` after it puts back what was changed there by hand. Not a whole refresh: the Docker
 * provider reads a container's capabilities back as Docker normalized them (CAP_IPC_LOCK for
 * IPC_LOCK) and would replace the server container, and with it a dev server's data.
 */
export async function refreshVaultObjects(
  stack: Stack,
  onOutput: (text: string) => void,
): Promise<number> {
  const state = JSON.parse((await stackCli(stack, "stack", "export")).stdout) as {
    deployment?: { resources?: { urn: string; type: string; custom?: boolean }[] };
  };
  const urns = (state.deployment?.resources ?? [])
    .filter((resource) => resource.custom && resource.type.startsWith("vault:"))
    .map((resource) => resource.urn);
  await refreshTargets(stack, urns, onOutput);
  return urns.length;
}

/**
 * `pulumi refresh` of exactly these resources (none: nothing runs): what is gone leaves the
 * state, what is there is read back. Recovery and the checks before `up` refresh only what they
 * found changed; a whole refresh would replace a dev server's container (see above).
 */
export async function refreshTargets(
  stack: Stack,
  urns: readonly string[],
  onOutput: (text: string) => void,
): Promise<void> {
  if (urns.length > 0) {
    await streamStackCli(
      stack,
      ["refresh", "--yes", "--skip-preview", ...urns.flatMap((urn) => ["--target", urn])],
      onOutput,
    );
  }
}
