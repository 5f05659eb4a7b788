/**
 * npm run backup: a raft snapshot of the stack's server through the API, written 0600 beside its
 * record (backup-files.ts); the newest `backup.keep` are kept. Also taken by `up` before it
 * changes a server's image (before-risk.ts).
 */
import * as fs from "fs";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { resolvedConfig } from "../engine/program-login";
import { PROJECT_ROOT } from "../engine/project-root";
import { pruneSnapshots, snapshotName, writeRecord } from "./backup-files";
import { sealStatusOf, serverTarget, ServerTarget } from "./server-target";
import { saveSnapshot } from "./snapshot-http";

/** Where a stack's backups go: --to, else backup.dir, else backups/<stack> in the project. */
export function backupDir(stackName: string, configured?: string, to?: string): string {
  return path.resolve(PROJECT_ROOT, to ?? configured ?? path.join("backups", stackName));
}

export interface TakenBackup {
  readonly file: string;
  readonly bytes: number;
  readonly seconds: number;
  readonly pruned: readonly string[];
}

/** The server's version, as sys/seal-status reports it. */
async function serverVersion(target: ServerTarget): Promise<string> {
  const version = (await sealStatusOf(target))?.version;
  return typeof version === "string" ? version : "unknown";
}

export async function takeBackup(
  stack: Stack,
  options: { readonly to?: string; readonly reason: string },
): Promise<TakenBackup> {
  const target = await serverTarget(stack);
  if (target.mode === "dev") {
    throw new Error(
      `stack ${stack.name} runs a dev server, which keeps its data in memory: there is nothing to snapshot (server.mode server keeps it in raft storage)`,
    );
  }
  const config = await resolvedConfig(stack);
  const dir = backupDir(stack.name, config.backup.dir, options.to);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const started = Date.now();
  const at = new Date();
  const file = path.join(dir, snapshotName(stack.name, at));
  const partial = `${file}.partial`;
  try {
    const saved = await saveSnapshot(target, partial);
    fs.renameSync(partial, file);
    writeRecord(file, {
      stack: stack.name,
      takenAt: at.toISOString(),
      flavor: target.flavor,
      serverVersion: await serverVersion(target),
      bytes: saved.bytes,
      sha256: saved.sha256,
      ...(target.keySets[0] ? { keyset: target.keySets[0].keyset } : {}),
      reason: options.reason,
    });
    return {
      file,
      bytes: saved.bytes,
      seconds: (Date.now() - started) / 1000,
      pruned: pruneSnapshots(dir, stack.name, config.backup.keep),
    };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    const why = (error as Error).message;
    throw new Error(
      /HTTP 403/.test(why) && target.mode === "external"
        ? `${why}: the program's login may not take snapshots of this cluster (sys/storage/raft/snapshot needs read in the root namespace)`
        : why,
    );
  }
}
