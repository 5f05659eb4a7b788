/**
 * How a check is recorded: its body throws to fail it, and `record` keeps its outcome (passed,
 * failed with the error's message, or not run here and why).
 */
import type { CheckResult } from "./environment";

export type RecordCheck = (
  check: string,
  body: () => Promise<string | { skipped: string }>,
) => Promise<void>;

/** A check's body throws to fail it; `record` keeps its outcome in `results`. */
export function recorder(results: CheckResult[]): RecordCheck {
  return async (check, body) => {
    try {
      const outcome = await body();
      results.push(
        typeof outcome === "string"
          ? { check, ok: true, detail: outcome }
          : { check, ok: false, skipped: true, detail: outcome.skipped },
      );
    } catch (error) {
      results.push({ check, ok: false, detail: (error as Error).message });
    }
  };
}

export function expect(condition: boolean, message: string): void {
  if (!condition) {
    throw new Error(message);
  }
}
