/**
 * Every npm command answers --help with its flags (and the stacks it accepts), and refuses an
 * unknown flag by its name before it opens a stack.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { CommandSpec, parseCommand } from "../../cli/commands/args";
import { DESTROY } from "../../cli/commands/destroy";
import { parseEnvArgs } from "../../cli/commands/env";
import { PREVIEW } from "../../cli/commands/preview";
import { RECOVER } from "../../cli/commands/recover";
import { UNSEAL_KEYS } from "../../cli/commands/unseal-keys";
import { BACKUP } from "../../cli/commands/backup";
import { RESTORE } from "../../cli/commands/restore";
import { UP } from "../../cli/commands/up";
import { VERIFY } from "../../cli/commands/verify";

const ROOT = path.resolve(__dirname, "../..");
const STACKS = "Stacks: dev, prod, staging, pr-<n> (an environment per pull request, n from 1)";

/** What a command prints for argv, or the error it stops with. */
function parse(command: CommandSpec | string, argv: readonly string[]): string {
  let printed = "";
  const print = (text: string) => (printed += text);
  try {
    if (typeof command === "string") {
      parseEnvArgs([command, ...argv], print);
    } else {
      parseCommand(command, argv, print);
    }
    return printed;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const COMMANDS: readonly [string, CommandSpec | string, string[]][] = [
  ["up", UP, ["-s, --stack <name>", "--refresh", "--allow-downgrade"]],
  ["preview", PREVIEW, ["-s, --stack <name>"]],
  ["destroy", DESTROY, ["-s, --stack <name>", "--remove"]],
  ["recover", RECOVER, ["-s, --stack <name>", "--yes"]],
  ["verify", VERIFY, ["-s, --stack <name>"]],
  ["unseal-keys", UNSEAL_KEYS, ["-s, --stack <name>"]],
  ["backup", BACKUP, ["-s, --stack <name>", "--to <dir>"]],
  ["restore", RESTORE, ["-s, --stack <name>", "--from <file>", "--yes"]],
  ["env preview", "preview", ["--stack <name>", "--base <git-ref>", "--comment-file <file>"]],
  ["env up", "up", ["-s, --stack <name>", "--ttl <duration>", "--policy"]],
  ["env destroy", "destroy", ["-s, --stack <name>"]],
  ["env sweep", "sweep", ["--default-ttl <duration>"]],
  ["env drift", "drift", ["-s, --stack <name>"]],
];

describe("npm commands' flags", () => {
  it.each(COMMANDS)("%s --help lists its flags and the stacks", (name, command, flags) => {
    const help = parse(command, ["--help"]);
    const usage = name.startsWith("env ") ? `env -- ${name.slice(4)}` : `${name} --`;
    expect(help.split("\n")[0]).toBe(`usage: npm run ${usage} [flags]`);
    for (const flag of [...flags, "-h, --help"]) {
      expect(help).toContain(flag);
    }
    expect(help.includes(STACKS)).toBe(name !== "env sweep");
  });

  it.each(COMMANDS)("%s refuses an unknown flag by its name", (_name, command) => {
    expect(parse(command, ["--stak", "dev"])).toMatch(
      /^error: npm run .*: Unknown option '--stak' \(see npm run .* --help\)$/,
    );
  });

  it.each(COMMANDS.filter(([, command]) => command !== "sweep"))(
    "%s refuses a stack name that cannot be one",
    (_name, command) => {
      expect(parse(command, ["--stack", "pr 7"])).toBe(
        'error: --stack: expected a stack name like dev or pr-7, got "pr 7"',
      );
    },
  );

  it("npm run env --help lists the subcommands", () => {
    let printed = "";
    parseEnvArgs(["--help"], (text) => (printed += text));
    expect(printed).toBe(
      "usage: npm run env -- <preview|up|destroy|sweep|drift> [flags] (each with --help)",
    );
  });

  it("the commands are wired to the parser: npm run up's own process answers --help and refuses --stak", () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["-r", "./cli/boot.js", "cli/commands/up.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30000,
      });
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("-s, --stack <name>");
    const refused = run(["--stak", "dev"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      "npm run up --: Unknown option '--stak' (see npm run up -- --help)",
    );
  });
});
