/**
 * npm run restore: puts a snapshot back into the stack's own server. First it checks the file
 * (its record, size and sha256, the flavor, and that the stack holds the unseal keys the
 * snapshot's data is sealed with) and says what it will do; with --yes it installs it
 * (snapshot-force), then runs up (which unseals the server with those keys and takes them back as
 * the current ones, see infra/server-init.ts), connects its database mount to Postgres again
 * (database-credential.ts), an up that reads the Vault objects back, and verify. A file that fails a check changes nothing.
 */
import * as fs from "fs";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks } from "../checks/run-checks";
import { environmentOf } from "../checks/stack-environment";
import { upAndReport } from "../engine/stack-run";
import { reconnectDatabase } from "../recovery/database-credential";
import { BackupRecord, fileMismatch, readRecord } from "./backup-files";
import { sealStatusOf, serverTarget, ServerTarget } from "./server-target";
import { installSnapshot } from "./snapshot-http";

/** Why the snapshot cannot go into this stack's server, or undefined when it can. Pure. */
export function restoreRefusal(
  target: Pick<ServerTarget, "stack" | "mode" | "flavor" | "keySets" | "revokesRootToken">,
  record: BackupRecord,
  mismatch: string | undefined,
): string | undefined {
  if (target.mode !== "server") {
    return target.mode === "dev"
      ? `stack ${target.stack} runs a dev server: it keeps nothing to restore into (server.mode server does)`
      : `stack ${target.stack} configures a cluster it does not run: its operators restore it (operator raft snapshot restore)`;
  }
  if (mismatch) {
    return `the file is not the snapshot its record describes: ${mismatch}`;
  }
  if (record.flavor !== target.flavor) {
    return `the snapshot is of a ${record.flavor} server and stack ${target.stack} runs ${target.flavor}`;
  }
  if (target.revokesRootToken) {
    return `stack ${target.stack} revokes its root token (server.revokeRootToken): restore with operator raft snapshot restore -force, then unseal with the keys of the snapshot`;
  }
  if (record.keyset === undefined) {
    return "its record names no unseal keys (a snapshot of a server this program did not initialize)";
  }
  if (!target.keySets.some((set) => set.keyset === record.keyset)) {
    const held = target.keySets.map((set) => set.keyset).join(", ") || "none";
    return `its data is sealed with unseal keys ${record.keyset}, and stack ${target.stack} holds ${held}: a snapshot of another server, or of keys this stack no longer keeps`;
  }
  return undefined;
}

/** Waits until the server answers sys/seal-status again (it may restart its storage). */
async function waitForServer(target: ServerTarget): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    if ((await sealStatusOf(target)) !== undefined) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`the server at ${target.address} did not answer within 60s of the restore`);
}

/** Checks, says what it will do, and with `yes` restores; the exit code. */
export async function restoreBackup(
  stack: Stack,
  file: string,
  yes: boolean,
  log: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  if (!fs.existsSync(file)) {
    throw new Error(`--from: no file at ${file}`);
  }
  const record = readRecord(file);
  if (typeof record === "string") {
    throw new Error(`${file}: ${record}; nothing was restored`);
  }
  const target = await serverTarget(stack);
  const refusal = restoreRefusal(target, record, fileMismatch(file, record));
  if (refusal) {
    throw new Error(`${file}: ${refusal}; nothing was restored`);
  }
  log(
    `restore ${file} (stack ${record.stack}, taken ${record.takenAt}, ${record.flavor} ${record.serverVersion}, unseal keys ${record.keyset}) into stack ${stack.name} at ${target.address}:`,
  );
  log("  1. replace everything the server holds now with the snapshot's data (snapshot-force)");
  log(`  2. npm run up: unseal it with the keys ${record.keyset} and take them as current`);
  log("  3. connect its database mount to Postgres again with the password in the state");
  log("  4. npm run up -- --refresh: read the Vault objects back, then npm run verify");
  if (!yes) {
    log("nothing was changed: run again with --yes to restore");
    return 0;
  }
  await installSnapshot({ ...target, token: target.keySets[0].rootToken }, file);
  log("snapshot installed");
  await waitForServer(target);
  await upAndReport(stack.name);
  // The restored connection holds the Postgres password of the snapshot's time.
  const reconnected = await reconnectDatabase(await stack.exportStack(), {
    ...target,
    token: (await serverTarget(stack)).token,
  });
  if (reconnected) {
    log(
      `${reconnected}: connected to Postgres again with the password in the state (and rotated, where the stack rotates it)`,
    );
  }
  await upAndReport(stack.name, { refresh: true });
  const results = await runChecks(await environmentOf(stack));
  log(formatResults(results));
  return results.some((result) => !result.ok) ? 1 : 0;
}
