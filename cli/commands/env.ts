/**
 * npm run env -- <preview|up|destroy|sweep|drift> [flags]
 *
 * Every GitOps step as one local command; the GitHub workflows only call these.
 *   preview --stack staging --stack prod [--base <git-ref>] [--policy] [--comment-file F] [--pr N]
 *   up      --stack pr-7 [--ttl 72h] [--policy]
 *   destroy --stack pr-7
 *   sweep   [--default-ttl 72h]
 *   drift   --stack prod
 */
import * as fs from "fs";
import { parseDuration } from "../../infra/duration";
import { openStack } from "../engine/workspace";
import { renderComment, StackPreview } from "../gitops/comment";
import { driftOf } from "../gitops/drift";
import { githubCommentApi, upsertComment } from "../gitops/github";
import { upEnvironments } from "../gitops/pr-environment";
import { previewOne } from "../gitops/stack-preview";
import { sweepStacks } from "../gitops/sweep-stacks";
import { destroyStack } from "../recovery/destroy";
import { CommandSpec, FlagSpec, parseCommand, runMain } from "./args";

export { policyOptions } from "../gitops/stack-preview";

export interface EnvArgs {
  readonly command: string;
  readonly stacks: string[];
  readonly base?: string;
  readonly policy: boolean;
  readonly commentFile?: string;
  readonly pr?: number;
  readonly ttl: string;
}

const STACKS: FlagSpec = {
  type: "string",
  short: "s",
  multiple: true,
  value: "<name>",
  description: "a stack to act on",
};
const POLICY: FlagSpec = { type: "boolean", description: "run the CrossGuard policy pack too" };
const TTL: FlagSpec = {
  type: "string",
  value: "<duration>",
  description: "how long the environment lives before the sweeper removes it (default 72h)",
};

/** Each subcommand's flags (also read by the docs test, tests/unit/docs-commands.test.ts). */
export const SUBCOMMANDS: Readonly<Record<string, Omit<CommandSpec, "name">>> = {
  preview: {
    summary:
      "Previews each stack and writes the PR comment: resource changes, the access diff against --base, policy findings. Exit 1 when a stack cannot be previewed.",
    flags: {
      stack: STACKS,
      base: { type: "string", value: "<git-ref>", description: "the access diff's base (HEAD)" },
      policy: POLICY,
      "comment-file": { type: "string", value: "<file>", description: "write the comment here" },
      pr: { type: "string", value: "<n>", description: "post the comment on this pull request" },
    },
    takesStack: true,
  },
  up: {
    summary: "Brings each stack up; a pr-<n> stack is labelled with its expiry for the sweeper.",
    flags: { stack: STACKS, ttl: TTL, policy: POLICY },
    takesStack: true,
  },
  destroy: {
    summary: "Destroys each stack and removes it (its stack file too, unless git tracks it).",
    flags: { stack: STACKS },
    takesStack: true,
  },
  sweep: {
    summary: "Destroys and removes every pr-<n> stack whose time is up.",
    flags: { "default-ttl": { ...TTL, description: "the lifetime of a stack with no expiry tag" } },
  },
  drift: {
    summary: "Refreshes each stack and lists what changed outside the program. Exit 2 on drift.",
    flags: { stack: STACKS },
    takesStack: true,
  },
};

const USAGE = `usage: npm run env -- <${Object.keys(SUBCOMMANDS).join("|")}> [flags] (each with --help)`;

/** The subcommand and its flags, or undefined after printing a help. */
export function parseEnvArgs(
  argv: readonly string[],
  print: (text: string) => void = console.log,
): EnvArgs | undefined {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h") {
    print(USAGE);
    return undefined;
  }
  const spec = SUBCOMMANDS[command ?? ""];
  if (!spec) {
    throw new Error(`${USAGE}; got "${command}"`);
  }
  const flags = parseCommand({ name: `npm run env -- ${command}`, ...spec }, rest, print);
  if (!flags) {
    return undefined;
  }
  const stacks = (flags.stack as string[] | undefined) ?? [];
  if (spec.takesStack && stacks.length === 0) {
    throw new Error(`${command} needs --stack <name>`);
  }
  const ttl = ((flags.ttl ?? flags["default-ttl"]) as string | undefined) ?? "72h";
  parseDuration(ttl);
  const pr = flags.pr === undefined ? undefined : Number(flags.pr);
  if (pr !== undefined && !Number.isInteger(pr)) {
    throw new Error(`--pr: expected a pull request number, got "${String(flags.pr)}"`);
  }
  return {
    command,
    stacks,
    policy: flags.policy === true,
    ttl,
    ...(flags.base !== undefined ? { base: flags.base as string } : {}),
    ...(flags["comment-file"] !== undefined
      ? { commentFile: flags["comment-file"] as string }
      : {}),
    ...(pr !== undefined ? { pr } : {}),
  };
}

async function preview(args: EnvArgs): Promise<number> {
  const previews: StackPreview[] = [];
  for (const stackName of args.stacks) {
    previews.push(await previewOne(await openStack({ stackName }), args));
  }
  const body = renderComment(previews, process.env.GITHUB_SHA ?? "working tree");
  if (args.commentFile) {
    fs.writeFileSync(args.commentFile, body);
  }
  console.log(body);
  if (args.pr !== undefined && process.env.GITHUB_TOKEN && process.env.GITHUB_REPOSITORY) {
    const api = githubCommentApi(process.env.GITHUB_REPOSITORY, process.env.GITHUB_TOKEN);
    console.log(`comment ${await upsertComment(api, args.pr, body)} on #${args.pr}`);
  }
  return previews.some((stackPreview) => stackPreview.error) ? 1 : 0;
}

async function main(): Promise<number> {
  const args = parseEnvArgs(process.argv.slice(2));
  switch (args?.command) {
    case undefined:
      return 0;
    case "preview":
      return preview(args);
    case "up":
      await upEnvironments(args);
      return 0;
    case "destroy":
      for (const stackName of args.stacks) {
        const onOutput = (text: string) => process.stdout.write(text);
        await destroyStack(await openStack({ stackName }), { onOutput, remove: true });
        console.log(`${stackName}: destroyed and removed`);
      }
      return 0;
    case "sweep":
      await sweepStacks(args);
      return 0;
    case "drift":
      return driftOf(args.stacks);
  }
  return 1;
}

if (require.main === module) {
  runMain(main);
}
