/**
 * Unsealing the nodes of a server the program initialized, and trying the key sets it holds
 * (server-keys.ts) until one unseals it. Only built-in and local modules: the dynamic provider
 * that uses this is serialized by Pulumi.
 */
import type { KeySet } from "./server-keys";
import { vaultHttp } from "./vault-http";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the node at `address` is sealed; undefined when it cannot be asked. */
export async function isSealed(address: string, caCert?: string): Promise<boolean | undefined> {
  try {
    const response = await vaultHttp({ address, caCert, method: "GET", path: "sys/seal-status" });
    return response.status === 200 ? response.body?.sealed === true : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Unseals a raft follower. It first joins the leader (retry_join) and only then takes keys, so
 * this keeps offering the threshold of keys until the node reports unsealed.
 */
async function unsealPeer(
  address: string,
  caCert: string | undefined,
  keys: readonly string[],
  patienceSeconds: number,
): Promise<void> {
  for (let waited = 0; ; waited++) {
    const sealed = await isSealed(address, caCert);
    if (sealed === false) {
      return;
    }
    if (sealed === true && (await offerKeys(address, caCert, keys).catch(() => false))) {
      return;
    }
    if (waited >= patienceSeconds) {
      throw new Error(`the node at ${address} had not joined and unsealed after ${waited}s`);
    }
    await sleep(1000);
  }
}

/** Waits until the cluster has elected an active node (requests to any node then work). */
export async function waitForLeader(address: string, caCert?: string): Promise<void> {
  for (let waited = 0; waited < 60; waited++) {
    const response = await vaultHttp({ address, caCert, method: "GET", path: "sys/leader" }).catch(
      () => undefined,
    );
    if (response?.status === 200 && response.body?.leader_address) {
      return;
    }
    await sleep(1000);
  }
  throw new Error(`the cluster behind ${address} elected no active node within 60s`);
}

/** Unseals every sealed follower, then waits for an active node. */
export async function unsealPeers(
  state: { readonly peers?: readonly string[]; readonly address: string; readonly caCert?: string },
  keys: readonly string[],
): Promise<void> {
  const peers = state.peers ?? [];
  for (const peer of peers) {
    await unsealPeer(peer, state.caCert, keys, 90);
  }
  if (peers.length > 0) {
    await waitForLeader(state.address, state.caCert);
  }
}

/** PUTs the keys to sys/unseal in turn; whether the node then reports unsealed. */
async function offerKeys(
  address: string,
  caCert: string | undefined,
  keys: readonly string[],
): Promise<boolean> {
  // A half-finished attempt (another key set's, or an operator's) would mix with these keys.
  await vaultHttp({ address, caCert, method: "PUT", path: "sys/unseal", body: { reset: true } });
  for (const key of keys) {
    const response = await vaultHttp({
      address,
      caCert,
      method: "PUT",
      path: "sys/unseal",
      body: { key },
    });
    if (response.status !== 200) {
      // A key of another server: Vault answers 400 and forgets the attempt.
      return false;
    }
    if (response.body?.sealed === false) {
      return true;
    }
  }
  return (await isSealed(address, caCert)) === false;
}

/**
 * Unseals the node at `address` with the first of `sets` whose keys open it (the current key set
 * first); the key set that did, or undefined when none did.
 */
export async function unsealWithAny(
  address: string,
  caCert: string | undefined,
  sets: readonly KeySet[],
  threshold: number,
): Promise<KeySet | undefined> {
  for (const set of sets) {
    if (await offerKeys(address, caCert, set.unsealKeys.slice(0, threshold))) {
      return set;
    }
  }
  return undefined;
}

/** Whether `token` is a valid token on the server (auth/token/lookup-self answers 200). */
export async function tokenValid(
  address: string,
  caCert: string | undefined,
  token: string | undefined,
): Promise<boolean | undefined> {
  if (!token) {
    return false;
  }
  try {
    const response = await vaultHttp({
      address,
      caCert,
      method: "GET",
      path: "auth/token/lookup-self",
      token,
    });
    return response.status === 200 ? true : response.status === 403 ? false : undefined;
  } catch {
    return undefined;
  }
}
