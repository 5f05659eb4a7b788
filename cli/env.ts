/**
 * npm run env -- <preview|up|destroy|sweep|drift> [options]
 *
 * Every GitOps step as one local command; the GitHub workflows only call these.
 *   preview --stack staging --stack prod [--base <git-ref>] [--policy] [--comment-file F] [--pr N]
 *   up      --stack pr-7 [--ttl 72h] [--policy]
 *   destroy --stack pr-7
 *   sweep   [--default-ttl 72h]
 *   drift   --stack prod
 */
import * as fs from "fs";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { parseDuration } from "../infra/duration";
import { POLICY_PACK_DIR, policyConfigFor } from "../guardrails/enforcement";
import { EPHEMERAL_STACK, inferProfile } from "../stacks/profiles";
import { accessModelOf, diffAccess } from "./access-diff";
import { StackPreview, renderComment } from "./comment";
import { githubCommentApi, upsertComment } from "./github";
import { prepareRun } from "./preflight";
import { repairLostState } from "./lost-state";
import { lockHeld, retryLockCollision } from "./lock-contention";
import { retryTransient } from "./transient";
import { recoverIfInterrupted } from "./recover";
import { CREATED_AT_TAG, EXPIRES_AT_TAG, PR_TAG, sweep } from "./sweeper";
import {
  backendUrlOf,
  destroyStack,
  openStack,
  openWorkspace,
  PROJECT_ROOT,
  restoreTrustFile,
} from "./workspace";

const PROJECT = "vault-platform";

export interface EnvArgs {
  readonly command: string;
  readonly stacks: string[];
  readonly base?: string;
  readonly policy: boolean;
  readonly commentFile?: string;
  readonly pr?: number;
  readonly ttl: string;
}

export function parseEnvArgs(argv: readonly string[]): EnvArgs {
  const [command, ...rest] = argv;
  const args: { -readonly [K in keyof EnvArgs]: EnvArgs[K] } = {
    command,
    stacks: [],
    policy: false,
    ttl: "72h",
  };
  for (let i = 0; i < rest.length; i++) {
    const value = () => {
      const next = rest[++i];
      if (next === undefined) {
        throw new Error(`${rest[i - 1]} needs a value`);
      }
      return next;
    };
    switch (rest[i]) {
      case "--stack":
        args.stacks.push(value());
        break;
      case "--base":
        args.base = value();
        break;
      case "--policy":
        args.policy = true;
        break;
      case "--comment-file":
        args.commentFile = value();
        break;
      case "--pr":
        args.pr = Number(value());
        break;
      case "--ttl":
      case "--default-ttl":
        args.ttl = value();
        parseDuration(args.ttl);
        break;
      default:
        throw new Error(`unknown argument "${rest[i]}"`);
    }
  }
  if (!["preview", "up", "destroy", "sweep", "drift"].includes(command)) {
    throw new Error(`usage: npm run env -- <preview|up|destroy|sweep|drift> ...; got "${command}"`);
  }
  if (command !== "sweep" && args.stacks.length === 0) {
    throw new Error(`${command} needs --stack <name>`);
  }
  return args;
}

/** Policy pack options: mandatory rules for staging/prod, advisory for dev/ephemeral. */
export function policyOptions(stackName: string): {
  policyPacks: string[];
  policyPackConfigs: string[];
} {
  // A stack whose profile the name does not tell is held to the strictest level.
  const profile = inferProfile(stackName) ?? "prod";
  return { policyPacks: [POLICY_PACK_DIR], policyPackConfigs: [policyConfigFor(profile)] };
}

function collectPolicy(events: EngineEvent[]): StackPreview["policy"] {
  return events
    .flatMap((event) => (event.policyEvent ? [event.policyEvent] : []))
    .map((policy) => ({
      rule: policy.policyName,
      level: policy.enforcementLevel,
      message: policy.message.trim(),
    }));
}

async function previewOne(stack: Stack, args: EnvArgs): Promise<StackPreview> {
  const events: EngineEvent[] = [];
  let access: StackPreview["access"];
  try {
    access = diffAccess(
      accessModelOf(PROJECT_ROOT, PROJECT, stack.name, args.base ?? "HEAD"),
      accessModelOf(PROJECT_ROOT, PROJECT, stack.name),
    );
  } catch (error) {
    return {
      stack: stack.name,
      changes: {},
      policy: [],
      access: [],
      error: (error as Error).message,
    };
  }
  try {
    await prepareRun(stack, "preview");
    const result = await stack.preview({
      onEvent: (event) => events.push(event),
      ...(args.policy ? policyOptions(stack.name) : {}),
    });
    return {
      stack: stack.name,
      changes: result.changeSummary,
      policy: collectPolicy(events),
      access,
    };
  } catch (error) {
    const policy = collectPolicy(events);
    const message =
      policy.length > 0 ? "blocked by mandatory policies" : (error as Error).message.split("\n")[0];
    return { stack: stack.name, changes: {}, policy, access, error: message };
  }
}

async function main(): Promise<number> {
  const args = parseEnvArgs(process.argv.slice(2));
  const onOutput = (text: string) => process.stdout.write(text);

  switch (args.command) {
    case "preview": {
      const previews: StackPreview[] = [];
      for (const stackName of args.stacks) {
        previews.push(await previewOne(await openStack({ stackName }), args));
      }
      const commit = process.env.GITHUB_SHA ?? "working tree";
      const body = renderComment(previews, commit);
      if (args.commentFile) {
        fs.writeFileSync(args.commentFile, body);
      }
      console.log(body);
      if (args.pr !== undefined && process.env.GITHUB_TOKEN && process.env.GITHUB_REPOSITORY) {
        const api = githubCommentApi(process.env.GITHUB_REPOSITORY, process.env.GITHUB_TOKEN);
        console.log(`comment ${await upsertComment(api, args.pr, body)} on #${args.pr}`);
      }
      return previews.some((preview) => preview.error) ? 1 : 0;
    }
    case "up": {
      for (const stackName of args.stacks) {
        const stack = await openStack({ stackName });
        const pr = EPHEMERAL_STACK.exec(stackName);
        if (pr) {
          // Tags label the environment for the sweeper: its PR, when it was made, when it expires.
          const now = new Date();
          const createdAt =
            (await stack.workspace.listTags(stackName))[CREATED_AT_TAG] ?? now.toISOString();
          const expiresAt = new Date(now.getTime() + parseDuration(args.ttl) * 1000).toISOString();
          await stack.workspace.setTag(stackName, PR_TAG, pr[1]);
          await stack.workspace.setTag(stackName, CREATED_AT_TAG, createdAt);
          await stack.workspace.setTag(stackName, EXPIRES_AT_TAG, expiresAt);
        }
        const deployment = await recoverIfInterrupted(stack, backendUrlOf(stack));
        await prepareRun(stack);
        await repairLostState(stack, undefined, deployment);
        await retryTransient("up", () =>
          retryLockCollision(
            "up",
            () => stack.up({ onOutput, ...(args.policy ? policyOptions(stackName) : {}) }),
            () => lockHeld(backendUrlOf(stack), "vault-platform", stackName),
          ),
        );
      }
      return 0;
    }
    case "destroy": {
      for (const stackName of args.stacks) {
        await destroyStack(await openStack({ stackName }), { onOutput, remove: true });
        console.log(`${stackName}: destroyed and removed`);
      }
      return 0;
    }
    case "sweep": {
      const workspace = await openWorkspace();
      const result = await sweep(
        {
          async list() {
            const summaries = await workspace.listStacks();
            return Promise.all(
              summaries.map(async (summary) => ({
                name: summary.name,
                lastUpdate: summary.lastUpdate,
                expiresAt: (
                  (await workspace.listTags(summary.name).catch(() => ({}))) as Record<
                    string,
                    string
                  >
                )[EXPIRES_AT_TAG],
              })),
            );
          },
          async destroyAndRemove(stackName) {
            await destroyStack(await openStack({ stackName }), { remove: true });
          },
        },
        new Date(),
        parseDuration(args.ttl),
      );
      console.log(JSON.stringify(result));
      return 0;
    }
    case "drift": {
      let drifted = false;
      for (const stackName of args.stacks) {
        const events: EngineEvent[] = [];
        const stack = await openStack({ stackName });
        await restoreTrustFile(stack);
        await prepareRun(stack, "preview");
        const result = await stack.preview({
          refresh: true,
          onEvent: (event) => events.push(event),
        });
        const changed = events
          .flatMap((event) => (event.resourcePreEvent ? [event.resourcePreEvent.metadata] : []))
          .filter((step) => step.op !== "same" && step.type !== "pulumi:pulumi:Stack")
          .map((step) => `  ${step.op} ${step.type} ${step.urn.split("::").pop()}`);
        drifted = drifted || changed.length > 0;
        console.log(
          changed.length === 0
            ? `${stackName}: no drift (${JSON.stringify(result.changeSummary)})`
            : `${stackName}: drift, ${changed.length} resources would change:\n${changed.join("\n")}`,
        );
      }
      return drifted ? 2 : 0;
    }
  }
  return 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
