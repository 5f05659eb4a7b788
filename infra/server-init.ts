import * as pulumi from "@pulumi/pulumi";
import { KeySet, keysetFingerprint, keySetsInOrder, withCurrent } from "./server-keys";
import { isSealed, tokenValid, unsealPeers, unsealWithAny, waitForLeader } from "./server-unseal";
import { vaultHttp } from "./vault-http";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ServerInitArgs {
  /** API address of the server to initialize. */
  readonly address: pulumi.Input<string>;
  /** Unseal key shares and how many of them unseal. */
  readonly secretShares: number;
  readonly secretThreshold: number;
  /** CA certificate of a TLS listener. */
  readonly caCert?: pulumi.Input<string>;
  /**
   * One base64 PGP public key per key share: each unseal key is returned encrypted to its key
   * holder, and the program can then never unseal the server itself.
   */
  readonly pgpKeys?: readonly string[];
  /** A raft cluster: the API addresses of the other nodes, which join the first and are unsealed. */
  readonly peers?: pulumi.Input<pulumi.Input<string>[]>;
}

interface InitState {
  readonly address: string;
  readonly caCert?: string;
  readonly secretShares: number;
  readonly secretThreshold: number;
  readonly pgpKeys?: string[];
  readonly peers?: string[];
  readonly unsealKeys?: string[];
  readonly rootToken?: string;
  /** Fingerprint of unsealKeys (server-keys.ts): what a backup records. */
  readonly keyset?: string;
  /** Key sets of earlier initializations of this server, newest first (restore needs them). */
  readonly earlierKeys?: KeySet[];
}

/** Why an up stops at a sealed server whose unseal keys only their holders can read. */
export const SEALED_WITH_PGP_KEYS =
  "the server is sealed and its unseal keys are PGP-encrypted, so the program cannot unseal it: key holders decrypt their key (npm run unseal-keys -- --stack <stack> lists them) and run `operator unseal` until the threshold is reached; then run up again";

/** The key set the state holds as current (older states have no fingerprint yet). */
function currentKeySet(state: InitState): KeySet | undefined {
  return state.unsealKeys && state.rootToken
    ? {
        keyset: state.keyset ?? keysetFingerprint(state.unsealKeys),
        unsealKeys: state.unsealKeys,
        rootToken: state.rootToken,
      }
    : undefined;
}

function stateWith(inputs: InitState, keys: { current: KeySet; earlier: KeySet[] }): InitState {
  return {
    ...inputs,
    unsealKeys: keys.current.unsealKeys,
    rootToken: keys.current.rootToken,
    keyset: keys.current.keyset,
    ...(keys.earlier.length > 0 ? { earlierKeys: keys.earlier } : {}),
  };
}

async function call(state: InitState, method: string, path: string, body?: unknown) {
  const response = await vaultHttp({
    address: state.address,
    method,
    path,
    body,
    caCert: state.caCert,
  });
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`${method} ${path} answered HTTP ${response.status}`);
  }
  return (response.body ?? {}) as Record<string, unknown>;
}

/**
 * sys/seal-status once the server answers (a container may still be starting); undefined when
 * it answers with an error, or not within `seconds`.
 */
async function sealStatus(
  state: InitState,
  seconds: number,
): Promise<Record<string, unknown> | undefined> {
  for (let waited = 0; waited < seconds * 2; waited++) {
    const response = await vaultHttp({
      address: state.address,
      caCert: state.caCert,
      method: "GET",
      path: "sys/seal-status",
    }).catch(() => undefined);
    if (response !== undefined) {
      return response.status === 200 ? (response.body as Record<string, unknown>) : undefined;
    }
    await sleep(500);
  }
  return undefined;
}

/** Whether the server is initialized, once it answers (a container may still be starting). */
async function initialized(state: InitState): Promise<boolean> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const status = await call(state, "GET", "sys/init").catch(() => undefined);
    if (status !== undefined) {
      return status.initialized === true;
    }
    await sleep(500);
  }
  throw new Error(`the server at ${state.address} did not answer within 60s`);
}

/**
 * Initializes the server and unseals it (unless the keys are PGP-encrypted); the new key set.
 * From the init answer on the keys exist only in memory: whatever fails after it, they are
 * returned, so they reach the state, and the next up unseals what is left sealed.
 */
async function initialize(state: InitState): Promise<KeySet> {
  const pgpKeys = state.pgpKeys ?? [];
  const init = await call(state, "PUT", "sys/init", {
    secret_shares: state.secretShares,
    secret_threshold: state.secretThreshold,
    ...(pgpKeys.length > 0 ? { pgp_keys: pgpKeys } : {}),
  });
  const unsealKeys = init.keys_base64 as string[];
  try {
    if (pgpKeys.length === 0) {
      const keys = unsealKeys.slice(0, state.secretThreshold);
      for (const key of keys) {
        await call(state, "PUT", "sys/unseal", { key });
      }
      await unsealPeers(state, keys);
    }
  } catch {
    // Retried on the next up.
  }
  return {
    keyset: keysetFingerprint(unsealKeys),
    unsealKeys,
    rootToken: init.root_token as string,
  };
}

/**
 * After a snapshot of another initialization was restored (npm run restore), the server answers
 * to an earlier key set: the one whose root token it knows. Undefined when that is the current
 * one, or when none of them is known (a revoked root token).
 */
async function restoredKeySet(state: InitState): Promise<KeySet | undefined> {
  const current = currentKeySet(state);
  if ((await tokenValid(state.address, state.caCert, current?.rootToken)) !== false) {
    return undefined;
  }
  for (const set of state.earlierKeys ?? []) {
    if (await tokenValid(state.address, state.caCert, set.rootToken)) {
      return set;
    }
  }
  return undefined;
}

/**
 * Initializes a server-mode Vault, keeps the unseal keys and the initial root token in state
 * (secret), and on every later `up`: unseals it when sealed (after a restart), initializes it
 * again when its data is gone (the earlier keys kept for a restore), and takes the earlier key set
 * back as current when a snapshot of it was restored. Nothing it handles is ever put into an
 * error message: errors carry HTTP statuses only.
 */
export const initProvider: pulumi.dynamic.ResourceProvider<InitState, InitState> = {
  async create(inputs) {
    if (await initialized(inputs)) {
      throw new Error(
        "the server is already initialized: its unseal keys are not in this stack (start from an empty data volume)",
      );
    }
    const current = await initialize(inputs);
    return { id: "initialized", outs: stateWith(inputs, { current, earlier: [] }) };
  },

  async diff(_id, olds, news) {
    // A container the same up just created may not listen yet: the first node is given up to
    // 30 s to answer. Unreachable nodes count as not sealed: nothing to unseal now; the
    // resources after it will report the outage.
    const at = { ...olds, address: news.address, caCert: news.caCert };
    const first = await sealStatus(at, 30);
    let sealed = first?.sealed === true || first?.initialized === false;
    for (const node of news.peers ?? []) {
      sealed = sealed || (await isSealed(node, news.caCert)) === true;
    }
    const sharesChanged =
      olds.secretShares !== news.secretShares || olds.secretThreshold !== news.secretThreshold;
    return {
      changes:
        sealed ||
        olds.address !== news.address ||
        olds.caCert !== news.caCert ||
        sharesChanged ||
        (await restoredKeySet(at)) !== undefined,
      // Rekeying is an operator's decision, not a side effect of a config edit.
      replaces: [],
    };
  },

  async update(_id, olds, news) {
    const state: InitState = {
      ...olds,
      address: news.address,
      ...(news.peers ? { peers: news.peers } : {}),
      ...(news.caCert === undefined ? {} : { caCert: news.caCert }),
    };
    const current = currentKeySet(olds);
    const earlier = olds.earlierKeys ?? [];
    const status = await sealStatus(state, 60);
    if (status === undefined) {
      // Nothing can be decided now; the resources after it will report the outage.
      return { outs: current ? stateWith(state, withCurrent(current, undefined, earlier)) : state };
    }
    if (status.initialized === false) {
      // The data volume is gone: an empty server. Its earlier keys stay for a restore.
      const fresh = await initialize({
        ...state,
        secretShares: news.secretShares,
        secretThreshold: news.secretThreshold,
      });
      return {
        outs: stateWith(
          { ...state, secretShares: news.secretShares, secretThreshold: news.secretThreshold },
          withCurrent(fresh, current, earlier),
        ),
      };
    }
    const pgp = (olds.pgpKeys ?? []).length > 0;
    let keys = current ? withCurrent(current, undefined, earlier) : undefined;
    if (status.sealed === true) {
      if (pgp) {
        throw new Error(SEALED_WITH_PGP_KEYS);
      }
      const opened = await unsealWithAny(
        state.address,
        state.caCert,
        keySetsInOrder(current, earlier),
        olds.secretThreshold,
      );
      if (opened === undefined) {
        throw new Error(
          "the server is sealed and none of the unseal keys this stack holds opens it (its data is another server's)",
        );
      }
      keys = withCurrent(opened, current, earlier);
    } else {
      const restored = await restoredKeySet(state);
      keys = restored ? withCurrent(restored, current, earlier) : keys;
    }
    const threshold = olds.secretThreshold;
    const unsealKeys = (keys?.current.unsealKeys ?? []).slice(0, threshold);
    const peers = state.peers ?? [];
    let peerSealed = false;
    for (const peer of peers) {
      peerSealed = peerSealed || (await isSealed(peer, state.caCert)) === true;
    }
    if (peerSealed && pgp) {
      throw new Error(SEALED_WITH_PGP_KEYS);
    }
    if (peerSealed) {
      await unsealPeers(state, unsealKeys);
    } else if (peers.length > 0) {
      await waitForLeader(state.address, state.caCert);
    }
    // No undefined values: the engine cannot serialize them ("Unexpected struct type").
    return { outs: keys ? stateWith(state, keys) : state };
  },
};

/** Initialization and unsealing of a server-mode Vault, as a resource. */
export class ServerInit extends pulumi.dynamic.Resource {
  // "declare": the engine sets these inside super(); a class field would reset them after it.
  declare public readonly rootToken: pulumi.Output<string>;
  declare public readonly unsealKeys: pulumi.Output<string[]>;
  /** Fingerprint of the current unseal keys (server-keys.ts): not a secret. */
  declare public readonly keyset: pulumi.Output<string>;

  constructor(name: string, args: ServerInitArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      initProvider,
      name,
      {
        ...args,
        unsealKeys: undefined,
        rootToken: undefined,
        keyset: undefined,
        earlierKeys: undefined,
      },
      pulumi.mergeOptions(opts, {
        additionalSecretOutputs: ["unsealKeys", "rootToken", "earlierKeys"],
      }),
      "vaultplatform",
      "ServerInit",
    );
  }
}
