/**
 * Every command's arguments through Node's own parser (util.parseArgs, strict): an unknown flag
 * is an error that names it, and `--help` lists the command's flags and the stacks it accepts.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { PROJECT_ROOT } from "../engine/project-root";

export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** What the flag's value is called in the help (e.g. <name>). */
  readonly value?: string;
  readonly description: string;
}

export interface CommandSpec {
  /** As typed: "npm run up", "npm run env -- preview". */
  readonly name: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** The command takes --stack: its help lists the stacks this checkout has. */
  readonly takesStack?: boolean;
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** Stack names a command accepts: the stack files in the checkout, and pr-<n>. */
export function stacksHelp(root = PROJECT_ROOT): string {
  const tracked = fs
    .readdirSync(root)
    .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined && !name.startsWith("pr-"))
    .sort();
  return `Stacks: ${[...tracked, "pr-<n> (an environment per pull request, n from 1)"].join(", ")}`;
}

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({
    ...spec.flags,
    help: { type: "boolean", short: "h", description: "show this help" } as FlagSpec,
  }).map(([flag, { short, value, description, multiple }]) => {
    const names = `${short ? `-${short}, ` : "    "}--${flag}${value ? ` ${value}` : ""}`;
    return `  ${names.padEnd(28)} ${description}${multiple ? " (repeatable)" : ""}`;
  });
  return [
    `usage: ${spec.name} [flags]`,
    "",
    spec.summary,
    "",
    "Flags:",
    ...rows,
    ...(spec.takesStack ? ["", stacksHelp()] : []),
  ].join("\n");
}

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The flags of `argv`, or undefined after printing the help (--help). Throws on an unknown flag,
 * a missing value or a stack name that cannot be one, naming the flag.
 */
export function parseCommand(
  spec: CommandSpec,
  argv: readonly string[],
  print: (text: string) => void = console.log,
): ParsedFlags | undefined {
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([flag, { type, short, multiple }]) => [
      flag,
      { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
    ]),
  );
  let values: ParsedFlags;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }) as { values: ParsedFlags });
  } catch (error) {
    const message = (error as Error).message.split("\n")[0].replace(/\. To specify.*$/, "");
    throw new Error(`${spec.name}: ${message} (see ${spec.name} --help)`);
  }
  if (values.help) {
    print(helpText(spec));
    return undefined;
  }
  const stacks = values.stack === undefined ? [] : [values.stack].flat();
  for (const stack of stacks) {
    if (typeof stack === "string" && !STACK_NAME.test(stack)) {
      throw new Error(`--stack: expected a stack name like dev or pr-7, got "${stack}"`);
    }
  }
  return values;
}

/**
 * Runs a command's main, printing its error in one line and exiting 1 when it throws; a main that
 * returns an exit code exits with it at once, one that returns nothing lets Node end by itself.
 */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (code !== undefined) {
        process.exit(code);
      }
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}

/** The stack flag every command has. */
export const STACK_FLAG: FlagSpec = {
  type: "string",
  short: "s",
  value: "<name>",
  description: "the stack (default dev)",
};
