/** A mount path as the program accepts it: lower case segments, no leading or trailing "/". */
import { z } from "zod";

const MOUNT_PATH = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
export const mountPath = z.string().regex(MOUNT_PATH, {
  error:
    'expected a mount path like "secret" or "team/kv" (lower case, no leading or trailing "/")',
});
