/**
 * Opens a stack of this project through the Automation API with a default that needs no account:
 * a local file:// backend inside the project and the passphrase secrets provider, with a random
 * passphrase kept next to the state (both gitignored). PULUMI_BACKEND_URL and
 * PULUMI_CONFIG_PASSPHRASE(_FILE) in the environment take precedence.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  fileBackendDirectory,
  repairCheckpointFiles,
  withoutSidecars,
} from "../recovery/checkpoint-files";
import { engineTuning } from "./engine-tuning";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

import { PROJECT_ROOT } from "./project-root";

export { PROJECT_ROOT };

export interface StackOptions {
  readonly stackName: string;
  /** Defaults to the project's own directory. */
  readonly workDir?: string;
  /** Defaults to $PULUMI_BACKEND_URL, else file://<project>/.pulumi-state. */
  readonly backendUrl?: string;
  /** Directory for the default passphrase file; defaults to <project>/.pulumi-state. */
  readonly stateDir?: string;
}

/** The directories where a Pulumi CLI is usually installed, besides $PATH. */
export function pulumiSearchPath(): string {
  const candidates = [path.join(os.homedir(), ".pulumi", "bin")].filter((dir) =>
    fs.existsSync(path.join(dir, "pulumi")),
  );
  return [...candidates, process.env.PATH ?? ""].join(path.delimiter);
}

function defaultPassphraseFile(stateDir: string): string {
  const file = path.join(stateDir, "passphrase");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return file;
}

/** Environment for every Pulumi command of this project. */
export function pulumiEnv(options: StackOptions): Record<string, string> {
  const stateDir = options.stateDir ?? path.join(PROJECT_ROOT, ".pulumi-state");
  const env: Record<string, string> = {
    PATH: pulumiSearchPath(),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // The policy pack (guardrails/) runs under ts-node: transpile it only, as program.js does
    // the program; `npm test` type-checks both with tsc.
    PULUMI_NODEJS_TRANSPILE_ONLY: process.env.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true",
    PULUMI_BACKEND_URL: withoutSidecars(
      options.backendUrl ?? process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`,
    ),
    ...engineTuning(),
  };
  const directory = fileBackendDirectory(env.PULUMI_BACKEND_URL);
  if (directory !== undefined) {
    fs.mkdirSync(directory, { recursive: true });
  }
  if (
    process.env.PULUMI_CONFIG_PASSPHRASE === undefined &&
    process.env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined
  ) {
    env.PULUMI_CONFIG_PASSPHRASE_FILE = defaultPassphraseFile(stateDir);
  }
  return env;
}

async function workspaceOptions(options: StackOptions) {
  const envVars = pulumiEnv(options);
  // The Automation API looks the CLI up on this process's PATH.
  process.env.PATH = envVars.PATH;
  const pulumiCommand = await PulumiCommand.get({ skipVersionCheck: true }).catch(
    (error: Error) => {
      throw new Error(
        `The Pulumi CLI was not found on PATH or in ~/.pulumi/bin (see README: prerequisites): ${error.message}`,
      );
    },
  );
  return { envVars, pulumiCommand, workDir: options.workDir ?? PROJECT_ROOT };
}

export async function openStack(options: StackOptions): Promise<Stack> {
  const { workDir, ...rest } = await workspaceOptions(options);
  // A checkpoint left unreadable by a killed run would stop even selecting the stack.
  for (const line of repairCheckpointFiles(
    rest.envVars.PULUMI_BACKEND_URL,
    "vault-platform",
    options.stackName,
  )) {
    console.log(`recovered ${options.stackName}: ${line}`);
  }
  return LocalWorkspace.createOrSelectStack({ stackName: options.stackName, workDir }, rest);
}

/** The project's workspace without selecting (or creating) any stack. */
export async function openWorkspace(
  options: Omit<StackOptions, "stackName"> = {},
): Promise<LocalWorkspace> {
  return LocalWorkspace.create(await workspaceOptions({ ...options, stackName: "" }));
}

/** A value of an exported deployment: secrets keep their envelope, JSON in "plaintext". */
export function reveal(value: unknown): unknown {
  return typeof value === "object" && value !== null && "plaintext" in value
    ? JSON.parse((value as { plaintext: string }).plaintext)
    : value;
}

/** The backend a stack's workspace uses. */
export function backendUrlOf(stack: Stack): string {
  return (stack.workspace as LocalWorkspace).envVars.PULUMI_BACKEND_URL ?? "";
}
