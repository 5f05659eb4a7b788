/**
 * Recovery from an interrupted run (a CI cancel, a closed laptop, kill -9), without editing
 * state by hand:
 *  - a stack lock whose holder is provably gone (same host, dead pid; or older than
 *    VAULT_PLATFORM_LOCK_MAX_AGE, e.g. "2h", where runs happen on throwaway CI machines) is
 *    released;
 *  - pending creates are resolved (pending-creates.ts): Docker objects the interrupted run
 *    created (labelled with this stack, named as the state says) are removed, objects whose
 *    create fails when they exist (a Postgres role, a Vault mount) are adopted where they exist,
 *    the rest are forgotten and created again. Nothing unlabelled is ever touched.
 * The CLI commands recover on their own when this is safe; `npm run recover -- --stack <s>`
 * prints the plan for the rest and carries it out after a yes (--yes).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { parseDuration } from "../../infra/duration";
import { refreshTargets } from "../engine/stack-cli";
import { fileBackendDirectory } from "./checkpoint-files";
import {
  DockerObject,
  inRemovalOrder,
  removeOwnDockerObject,
  unrecordedDockerObjects,
} from "./docker-objects";
import { encryptedState } from "./encrypted-state";
import {
  describeAdoption,
  describePendingCreate,
  PendingCreate,
  pendingCreates,
  withPendingResolved,
} from "./pending-creates";

export interface LockHolder {
  readonly file: string;
  readonly pid: number;
  readonly hostname: string;
  readonly timestamp: string;
}

export interface RecoveryPlan {
  readonly lock?: LockHolder & { readonly releasable: boolean; readonly why: string };
  readonly pending: readonly PendingCreate[];
  /** Docker objects labelled with the stack that its state does not list (none while locked). */
  readonly unrecorded: readonly DockerObject[];
  /** The state as exported for this plan (none while locked), for the next step to reuse. */
  readonly deployment?: unknown;
}

/** Where a file:// backend keeps a stack's lock files (project-scoped layout). */
export function lockDirectory(backendUrl: string, project: string, stack: string): string {
  return path.join(
    fileBackendDirectory(backendUrl) ?? backendUrl,
    ".pulumi",
    "locks",
    "organization",
    project,
    stack,
  );
}

/**
 * Whether a process still runs. A killed process whose parent died too stays a zombie until
 * init reaps it: it answers signal 0 but is gone (state Z or X in /proc/<pid>/stat).
 */
export function pidAlive(
  pid: number,
  readStat: (pid: number) => string | undefined = (target) => {
    try {
      return fs.readFileSync(`/proc/${target}/stat`, "utf8");
    } catch {
      return undefined;
    }
  },
): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  const stat = readStat(pid);
  const state = stat?.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/**
 * Whether a lock can be released without asking: its holder is provably gone. `now` and the
 * probe are parameters so the rule is tested as a table.
 */
export function judgeLock(
  holder: LockHolder,
  context: {
    readonly hostname: string;
    readonly now: Date;
    readonly maxAgeSeconds?: number;
    readonly alive: (pid: number) => boolean;
  },
): { releasable: boolean; why: string } {
  const ageSeconds = (context.now.getTime() - new Date(holder.timestamp).getTime()) / 1000;
  if (holder.hostname === context.hostname) {
    return context.alive(holder.pid)
      ? { releasable: false, why: `held by process ${holder.pid} on this host, still running` }
      : { releasable: true, why: `held by process ${holder.pid} on this host, which is gone` };
  }
  if (context.maxAgeSeconds !== undefined && ageSeconds > context.maxAgeSeconds) {
    return {
      releasable: true,
      why: `held by ${holder.hostname} for ${Math.round(ageSeconds)}s, over VAULT_PLATFORM_LOCK_MAX_AGE`,
    };
  }
  return {
    releasable: false,
    why: `held by process ${holder.pid} on ${holder.hostname} since ${holder.timestamp}`,
  };
}

/** The lock files in a stack's lock directory (none when it does not exist). */
export function lockFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) {
    return [];
  }
  return fs
    .readdirSync(directory)
    .filter((file) => file.endsWith(".json"))
    .map((name) => path.join(directory, name));
}

function readLock(directory: string): LockHolder | undefined {
  const [file] = lockFiles(directory);
  if (file === undefined) {
    return undefined;
  }
  const content = JSON.parse(fs.readFileSync(file, "utf8")) as Omit<LockHolder, "file">;
  return { file, ...content };
}

export async function planRecovery(stack: Stack, backendUrl: string): Promise<RecoveryPlan> {
  let lock: RecoveryPlan["lock"];
  if (backendUrl.startsWith("file://")) {
    const holder = readLock(lockDirectory(backendUrl, "vault-platform", stack.name));
    if (holder) {
      const maxAge = process.env.VAULT_PLATFORM_LOCK_MAX_AGE;
      lock = {
        ...holder,
        ...judgeLock(holder, {
          hostname: os.hostname(),
          now: new Date(),
          maxAgeSeconds: maxAge ? parseDuration(maxAge) : undefined,
          alive: pidAlive,
        }),
      };
    }
  }
  // A locked stack cannot be exported consistently; its pending operations are read after.
  if (lock) {
    return { lock, pending: [], unrecorded: [] };
  }
  return readState(stack);
}

/** What the stack's state says needs reconciling: its pending creates and unrecorded objects. */
async function readState(stack: Stack): Promise<Omit<RecoveryPlan, "lock">> {
  const deployment = await stack.exportStack().catch(() => undefined);
  const pending = pendingCreates(deployment ?? {});
  // A pending create's object is named by its own plan line; listed once.
  const byPending = new Set(pending.map((create) => create.object));
  return {
    pending,
    // An unreadable state says nothing of what is recorded: nothing counts as unrecorded then.
    unrecorded: deployment
      ? unrecordedDockerObjects(stack.name, deployment).filter(
          (object) => !byPending.has(`${object.kind} ${object.name}`),
        )
      : [],
    deployment,
  };
}

export function describePlan(stackName: string, plan: RecoveryPlan): string[] {
  const lines: string[] = [];
  if (plan.lock) {
    lines.push(
      `${plan.lock.releasable ? "release" : "would release (needs --yes)"} the lock of ${stackName}: ${plan.lock.why}`,
    );
  }
  for (const object of plan.unrecorded) {
    lines.push(
      `remove the ${object.kind} ${object.name} (labelled with this stack, not in its state: left by an interrupted run)`,
    );
  }
  return [...lines, ...plan.pending.map(describePendingCreate)];
}

/** Carries out a plan; the lock only when releasable or forced. Returns what was done. */
export async function applyRecovery(
  stack: Stack,
  plan: RecoveryPlan,
  options: { readonly force: boolean },
): Promise<string[]> {
  const done: string[] = [];
  if (plan.lock && (plan.lock.releasable || options.force)) {
    await stack.cancel().catch(() => fs.rmSync(plan.lock?.file as string, { force: true }));
    done.push(`released the lock (${plan.lock.why})`);
  }
  // Released now: what the state says is read after the release, as planRecovery does unlocked.
  const released = plan.lock !== undefined && done.length > 0;
  const { pending, unrecorded } = released ? await readState(stack) : plan;
  // What the interrupted run left in Docker: objects the state lacks, pending creates' objects.
  const leftovers = inRemovalOrder([
    ...unrecorded,
    ...pending.flatMap((create) =>
      create.resolution.action === "remove" ? [create.resolution.object] : [],
    ),
  ]);
  const removed = leftovers.filter((object) => removeOwnDockerObject(object, stack.name));
  if (removed.length > 0) {
    done.push(
      `removed ${removed.map((object) => `${object.kind} ${object.name}`).join(", ")} (labelled with this stack, left by the interrupted run)`,
    );
  }
  if (pending.length > 0) {
    done.push(...(await resolvePendingCreates(stack, pending)));
  }
  return done;
}

/**
 * Every pending create resolved in one state write (pending-creates.ts), then a refresh of the
 * adopted ones alone: each is read back where the interrupted run created it, dropped where not.
 * One line per object.
 */
async function resolvePendingCreates(
  stack: Stack,
  pending: readonly PendingCreate[],
): Promise<string[]> {
  const state = encryptedState(stack);
  await state.write(withPendingResolved(await state.read()));
  const adopted = pending.filter((create) => create.resolution.action === "adopt");
  await refreshTargets(
    stack,
    adopted.map((create) => create.urn),
    () => undefined,
  );
  return [
    ...(adopted.length > 0 ? describeAdoption(adopted, await state.read()) : []),
    ...pending
      .filter((create) => create.resolution.action === "clear")
      .map((create) => `forgot the pending create of ${create.object}; this up creates it`),
  ];
}

/**
 * What the commands do before they run: recover what is provably safe, and say what was done.
 * A lock whose holder may still be running is left alone (the run then fails with Pulumi's
 * own lock error, and `npm run recover` explains). Returns the exported state when nothing had
 * to be done (it is then still current), so the next step need not export it again.
 */
export async function recoverIfInterrupted(
  stack: Stack,
  backendUrl: string,
  log: (line: string) => void = (line) => console.log(line),
): Promise<unknown> {
  const plan = await planRecovery(stack, backendUrl);
  if (!plan.lock && plan.pending.length === 0 && plan.unrecorded.length === 0) {
    return plan.deployment;
  }
  for (const line of await applyRecovery(stack, plan, { force: false })) {
    log(`recovered ${stack.name}: ${line}`);
  }
  return undefined;
}
