/**
 * Backups of the server's data (`backup`): how many snapshots `npm run backup` keeps, and where
 * it writes them. cli/backup/ takes and restores them.
 */
import { z } from "zod";
import type { BackupConfig } from "./types";

export const DEFAULT_BACKUPS_KEPT = 7;

export const backupSchema = z.strictObject({
  keep: z
    .number({ error: "expected a whole number of snapshots, 1 to 100" })
    .int({ error: "expected a whole number of snapshots, 1 to 100" })
    .min(1, { error: "expected at least 1 snapshot kept" })
    .max(100, { error: "expected at most 100 snapshots kept" })
    .optional(),
  dir: z.string().min(1, { error: "expected a directory" }).optional(),
});

export function resolveBackup(input: z.infer<typeof backupSchema> | undefined): BackupConfig {
  return {
    keep: input?.keep ?? DEFAULT_BACKUPS_KEPT,
    ...(input?.dir !== undefined ? { dir: input.dir } : {}),
  };
}
