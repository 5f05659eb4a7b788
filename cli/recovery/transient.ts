/**
 * Errors that say nothing is wrong but the timing: the same run again succeeds. Postgres refuses
 * a GRANT or REVOKE that touches the catalog row another one is changing at the same moment
 * ("tuple concurrently updated"; the Postgres provider's known issue, cyrilgdn/terraform-
 * provider-postgresql#178). The program orders its own privileges one after another, but a run
 * interrupted half-way leaves the rest without the links between them.
 */
const TRANSIENT = [/tuple concurrently updated/];

export function isTransient(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return TRANSIENT.some((pattern) => pattern.test(text));
}

/** Runs `attempt`; once more if it failed transiently, saying so. Idempotent engine runs only. */
export async function retryTransient<T>(
  what: string,
  attempt: () => Promise<T>,
  log: (line: string) => void = (line) => console.log(line),
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isTransient(error)) {
      throw error;
    }
    log(
      `${what} stopped on a transient Postgres error (tuple concurrently updated); running it again`,
    );
    return attempt();
  }
}
