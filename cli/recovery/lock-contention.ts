/**
 * Pulumi's file backend takes a stack's lock by writing its own lock file, then looking for
 * others: a run that finds another removes its own and stops ("the stack is currently locked").
 * Two runs that start together can each find the other's and both stop, with nothing running
 * (seen once in the faults test: two `up`s at once, both refused). A run refused so that finds
 * no lock left after a random pause tries once more: one of the two then runs, and the other
 * stops on its lock as it always did. A run refused by a lock that is still held stops at once.
 */
import { fileBackendDirectory } from "./checkpoint-files";
import { lockDirectory, lockFiles } from "./recover";

const LOCKED = /the stack is currently locked/;

/** Whether a file:// backend holds a lock on the stack now; other backends: assumed held. */
export function lockHeld(backendUrl: string, project: string, stack: string): boolean {
  if (fileBackendDirectory(backendUrl) === undefined) {
    return true;
  }
  return lockFiles(lockDirectory(backendUrl, project, stack)).length > 0;
}

/** A pause of 0.1 to 0.9 s: two runs that collided try again at different moments. */
function jitter(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 800));
}

export async function retryLockCollision<T>(
  what: string,
  attempt: () => Promise<T>,
  held: () => boolean,
  log: (line: string) => void = (line) => console.log(line),
  pause: () => Promise<void> = jitter,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!LOCKED.test(error instanceof Error ? error.message : String(error))) {
      throw error;
    }
    await pause();
    if (held()) {
      throw error;
    }
    log(`${what} met another run taking the stack's lock at the same moment; trying once more`);
    return attempt();
  }
}
