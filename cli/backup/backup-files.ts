/**
 * The files of a backup: the raft snapshot (`<stack>-<time>.snap`, mode 0600) and beside it a
 * small JSON record of what it is (stack, time, flavor and version of the server, size, sha256,
 * the fingerprint of the unseal keys it needs). Nothing secret is in the record. The newest
 * `backup.keep` of a stack's backups are kept, the older ones removed.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface BackupRecord {
  readonly stack: string;
  /** ISO time the snapshot was taken. */
  readonly takenAt: string;
  readonly flavor: string;
  /** The server's version as sys/seal-status reported it. */
  readonly serverVersion: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Fingerprint of the unseal keys the snapshot's data is sealed with (infra/server-keys.ts). */
  readonly keyset?: string;
  /** Why it was taken: "npm run backup", or the up that was about to change the server. */
  readonly reason: string;
}

const SNAPSHOT = /^(.+)-(\d{8}T\d{6}(?:\d{3})?Z)\.snap$/;

/** `<stack>-20261203T182600123Z.snap`: sorts by time, one per millisecond. */
export function snapshotName(stack: string, at: Date): string {
  return `${stack}-${at.toISOString().replace(/[-:.]/g, "")}.snap`;
}

/** The record beside a snapshot file. */
export function recordPathOf(snapshotFile: string): string {
  return snapshotFile.replace(/\.snap$/, "") + ".json";
}

export function writeRecord(snapshotFile: string, record: BackupRecord): void {
  fs.writeFileSync(recordPathOf(snapshotFile), JSON.stringify(record, null, 2) + "\n", {
    mode: 0o600,
  });
}

/** The record beside `snapshotFile`, or why there is none usable. */
export function readRecord(snapshotFile: string): BackupRecord | string {
  const file = recordPathOf(snapshotFile);
  if (!fs.existsSync(file)) {
    return `no record beside it (${path.basename(file)}): npm run backup writes one with every snapshot`;
  }
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<BackupRecord>;
    for (const key of ["stack", "takenAt", "flavor", "sha256", "bytes"] as const) {
      if (record[key] === undefined) {
        return `its record ${path.basename(file)} has no ${key}`;
      }
    }
    return record as BackupRecord;
  } catch (error) {
    return `its record ${path.basename(file)} is not JSON (${(error as Error).message})`;
  }
}

export function sha256Of(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Undefined when the file is the one its record describes; else why not. */
export function fileMismatch(snapshotFile: string, record: BackupRecord): string | undefined {
  const size = fs.statSync(snapshotFile).size;
  if (size !== record.bytes) {
    return `it has ${size} bytes where its record says ${record.bytes} (truncated or changed)`;
  }
  const sha = sha256Of(snapshotFile);
  return sha === record.sha256
    ? undefined
    : `its sha256 is ${sha.slice(0, 16)}…, its record says ${record.sha256.slice(0, 16)}… (changed)`;
}

/** A stack's snapshot files in `dir`, oldest first. */
export function snapshotsOf(dir: string, stack: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .filter((name) => SNAPSHOT.exec(name)?.[1] === stack)
    .sort()
    .map((name) => path.join(dir, name));
}

/** Removes all but the newest `keep` snapshots of the stack (and their records); the removed. */
export function pruneSnapshots(dir: string, stack: string, keep: number): string[] {
  const all = snapshotsOf(dir, stack);
  const removed = all.slice(0, Math.max(0, all.length - keep));
  for (const file of removed) {
    fs.rmSync(file, { force: true });
    fs.rmSync(recordPathOf(file), { force: true });
  }
  return removed;
}
