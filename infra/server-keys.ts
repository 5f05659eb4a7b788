/**
 * The key sets of a server the program initialized: the unseal keys and root token of one
 * initialization. A server whose data volume was lost is initialized again (a new key set); the
 * earlier ones stay in state, because a snapshot taken before the loss is only unsealed by the
 * keys it was taken with (npm run restore). A key set is named by a fingerprint: a hash of its
 * unseal keys, which says which keys a backup needs without saying anything of them.
 * Only built-in modules: the dynamic provider that uses this is serialized by Pulumi.
 */
import { createHash } from "crypto";

export interface KeySet {
  /** Fingerprint of the unseal keys (hex, 16 characters): safe to print and to record. */
  readonly keyset: string;
  readonly unsealKeys: string[];
  readonly rootToken: string;
}

/** How many earlier key sets the state keeps: enough for the backups `backup.keep` holds. */
export const EARLIER_KEY_SETS_KEPT = 5;

export function keysetFingerprint(unsealKeys: readonly string[]): string {
  return createHash("sha256")
    .update(`vault-platform unseal keys\n${unsealKeys.join("\n")}`)
    .digest("hex")
    .slice(0, 16);
}

/** The current key set first, then the earlier ones, newest first; a key set appears once. */
export function keySetsInOrder(
  current: KeySet | undefined,
  earlier: readonly KeySet[] = [],
): KeySet[] {
  const seen = new Set<string>();
  return [...(current ? [current] : []), ...earlier].filter((set) => {
    if (seen.has(set.keyset)) {
      return false;
    }
    seen.add(set.keyset);
    return true;
  });
}

/**
 * The key sets after `chosen` became the current one: the others follow, newest first, at most
 * EARLIER_KEY_SETS_KEPT of them.
 */
export function withCurrent(
  chosen: KeySet,
  current: KeySet | undefined,
  earlier: readonly KeySet[] = [],
): { current: KeySet; earlier: KeySet[] } {
  return {
    current: chosen,
    earlier: keySetsInOrder(current, earlier)
      .filter((set) => set.keyset !== chosen.keyset)
      .slice(0, EARLIER_KEY_SETS_KEPT),
  };
}
