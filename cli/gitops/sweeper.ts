/**
 * Destroys ephemeral environments (stacks pr-<n>) past their time to live. Idempotent, and safe
 * to run twice at once: a stack another sweeper is already destroying (locked) or has already
 * removed is skipped, not an error.
 */
import { EPHEMERAL_STACK } from "../../stacks/profiles";

export const EXPIRES_AT_TAG = "vault-platform:expires-at";
export const CREATED_AT_TAG = "vault-platform:created-at";
export const PR_TAG = "vault-platform:pr";

export interface EphemeralStack {
  readonly name: string;
  /** ISO time from the stack's expires-at tag. */
  readonly expiresAt?: string;
  /** ISO time of the stack's last update, for stacks without a tag (forgotten ones). */
  readonly lastUpdate?: string;
}

/** Names of the pr-<n> stacks whose time is up; other stacks are never selected. */
export function selectExpired(
  stacks: readonly EphemeralStack[],
  now: Date,
  defaultTtlSeconds: number,
): string[] {
  return stacks
    .filter((stack) => EPHEMERAL_STACK.test(stack.name))
    .filter((stack) => {
      const tagged = stack.expiresAt ? Date.parse(stack.expiresAt) : NaN;
      const expiry = Number.isNaN(tagged)
        ? Date.parse(stack.lastUpdate ?? "") + defaultTtlSeconds * 1000
        : tagged;
      // No usable time at all: keep it rather than guess.
      return !Number.isNaN(expiry) && expiry <= now.getTime();
    })
    .map((stack) => stack.name)
    .sort();
}

export interface SweepOperations {
  list(): Promise<EphemeralStack[]>;
  destroyAndRemove(name: string): Promise<void>;
}

export interface SweepResult {
  readonly destroyed: readonly string[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

const ALREADY_HANDLED = /currently locked|locked by|no stack named|not found|does not exist/i;

export async function sweep(
  operations: SweepOperations,
  now: Date,
  defaultTtlSeconds: number,
): Promise<SweepResult> {
  const destroyed: string[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of selectExpired(await operations.list(), now, defaultTtlSeconds)) {
    try {
      await operations.destroyAndRemove(name);
      destroyed.push(name);
    } catch (error) {
      const message = (error as Error).message;
      if (!ALREADY_HANDLED.test(message)) {
        throw error;
      }
      skipped.push({ name, reason: "another sweeper has it or it is gone" });
    }
  }
  return { destroyed, skipped };
}
