/** Small helpers the end-to-end tests share. */

/** Step durations in whole seconds, reported in the closing note of a run. */
export function stepTimer(): {
  timings: Record<string, number>;
  timed: <T>(label: string, body: () => Promise<T>) => Promise<T>;
} {
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, body: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await body();
    } finally {
      timings[label] = Math.round((Date.now() - start) / 1000);
      console.log(`[e2e] ${label}: ${timings[label]}s`);
    }
  };
  return { timings, timed };
}

/** A value of `pulumi stack export --show-secrets`: secrets keep their envelope, JSON in "plaintext". */
export function reveal(value: unknown): unknown {
  return typeof value === "object" && value !== null && "plaintext" in value
    ? JSON.parse((value as { plaintext: string }).plaintext)
    : value;
}
