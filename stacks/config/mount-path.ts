/** A mount path as the program accepts it: lower case segments, no leading or trailing "/". */
import { z } from "zod";

const MOUNT_PATH = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
export const mountPath = z.string().regex(MOUNT_PATH, {
  error:
    'expected a mount path like "secret" or "team/kv" (lower case, no leading or trailing "/")',
});

/** Tops of a path that Vault keeps for itself: no mount may start with one. */
export const RESERVED_MOUNTS: ReadonlySet<string> = new Set([
  "sys",
  "auth",
  "cubbyhole",
  "identity",
  "token",
  "audit",
]);

/** One segment of a mount path, free for a mount to start with. */
export function isFreeMountSegment(text: string): boolean {
  return MOUNT_PATH.test(text) && !text.includes("/") && !RESERVED_MOUNTS.has(text);
}

/** Vault's built-in token backend lives at auth/token and cannot be mounted over. */
export const BUILTIN_AUTH_PATH = "token";

/** An auth method's path: a mount path other than the built-in token backend's. */
export const authPath = mountPath.refine((path) => path !== BUILTIN_AUTH_PATH, {
  error: `"${BUILTIN_AUTH_PATH}" is Vault's built-in token backend (auth/token); expected another path`,
});
