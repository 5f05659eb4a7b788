import * as pulumi from "@pulumi/pulumi";
import { vaultHttp } from "./vault-http";

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
}

/** Why an up stops at a sealed server whose unseal keys only their holders can read. */
export const SEALED_WITH_PGP_KEYS =
  "the server is sealed and its unseal keys are PGP-encrypted, so the program cannot unseal it: key holders decrypt their key (npm run unseal-keys -- --stack <stack> lists them) and run `operator unseal` until the threshold is reached; then run up again";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the node at `address` is sealed; undefined when it cannot be asked. */
async function isSealed(address: string, caCert?: string): Promise<boolean | undefined> {
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
    if (sealed === true) {
      for (const key of keys) {
        const response = await vaultHttp({
          address,
          caCert,
          method: "PUT",
          path: "sys/unseal",
          body: { key },
        }).catch(() => undefined);
        if (response?.status !== 200) {
          break;
        }
      }
      if ((await isSealed(address, caCert)) === false) {
        return;
      }
    }
    if (waited >= patienceSeconds) {
      throw new Error(`the node at ${address} had not joined and unsealed after ${waited}s`);
    }
    await sleep(1000);
  }
}

/** Waits until the cluster has elected an active node (requests to any node then work). */
async function waitForLeader(address: string, caCert?: string): Promise<void> {
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
async function unsealPeers(state: InitState, keys: readonly string[]): Promise<void> {
  const peers = state.peers ?? [];
  for (const peer of peers) {
    await unsealPeer(peer, state.caCert, keys, 90);
  }
  if (peers.length > 0) {
    await waitForLeader(state.address, state.caCert);
  }
}

/**
 * Initializes a server-mode Vault once, keeps the unseal keys and the initial root token in
 * state (secret), and unseals it on every later `up` that finds it sealed (after a restart).
 * Nothing it handles is ever put into an error message: errors carry HTTP statuses only.
 */
export const initProvider: pulumi.dynamic.ResourceProvider<InitState, InitState> = {
  async create(inputs) {
    const request = async (method: string, path: string, body?: unknown) => {
      const response = await vaultHttp({
        address: inputs.address,
        method,
        path,
        body,
        caCert: inputs.caCert,
      });
      if (response.status < 200 || response.status >= 300) {
        throw new Error(`${method} ${path} answered HTTP ${response.status}`);
      }
      return (response.body ?? {}) as Record<string, unknown>;
    };
    // The container may still be starting.
    let status: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 120 && status === undefined; attempt++) {
      status = await request("GET", "sys/init").catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return undefined;
      });
    }
    if (status === undefined) {
      throw new Error(`the server at ${inputs.address} did not answer within 60s`);
    }
    if (status.initialized) {
      throw new Error(
        "the server is already initialized: its unseal keys are not in this stack (start from an empty data volume)",
      );
    }
    const pgpKeys = inputs.pgpKeys ?? [];
    const init = await request("PUT", "sys/init", {
      secret_shares: inputs.secretShares,
      secret_threshold: inputs.secretThreshold,
      ...(pgpKeys.length > 0 ? { pgp_keys: pgpKeys } : {}),
    });
    const unsealKeys = init.keys_base64 as string[];
    // From here on the keys exist only in this response: whatever fails, they must reach the
    // state. A server left sealed is unsealed by the next up (diff sees it sealed). Keys
    // encrypted to their holders unseal nothing here: the holders unseal it.
    try {
      if (pgpKeys.length === 0) {
        const keys = unsealKeys.slice(0, inputs.secretThreshold);
        for (const key of keys) {
          await request("PUT", "sys/unseal", { key });
        }
        await unsealPeers(inputs, keys);
      }
    } catch {
      // Retried on the next up.
    }
    return {
      id: "initialized",
      outs: { ...inputs, unsealKeys, rootToken: init.root_token as string },
    };
  },

  async diff(_id, olds, news) {
    // Unreachable nodes count as not sealed: nothing to unseal now; the resources after it
    // will report the outage.
    let sealed = false;
    for (const node of [news.address, ...(news.peers ?? [])]) {
      sealed = sealed || (await isSealed(node, news.caCert)) === true;
    }
    const sharesChanged =
      olds.secretShares !== news.secretShares || olds.secretThreshold !== news.secretThreshold;
    return {
      changes:
        sealed || olds.address !== news.address || olds.caCert !== news.caCert || sharesChanged,
      // Rekeying is an operator's decision, not a side effect of a config edit.
      replaces: [],
    };
  },

  async update(_id, olds, news) {
    const at = { address: news.address, caCert: news.caCert };
    const status = await vaultHttp({ ...at, method: "GET", path: "sys/seal-status" });
    if (status.status === 200 && status.body?.sealed === true) {
      if ((olds.pgpKeys ?? []).length > 0) {
        throw new Error(SEALED_WITH_PGP_KEYS);
      }
      for (const key of (olds.unsealKeys ?? []).slice(0, olds.secretThreshold)) {
        const response = await vaultHttp({
          ...at,
          method: "PUT",
          path: "sys/unseal",
          body: { key },
        });
        if (response.status !== 200) {
          throw new Error(`PUT sys/unseal answered HTTP ${response.status}`);
        }
      }
    }
    const peers = news.peers ?? [];
    let peerSealed = false;
    for (const peer of peers) {
      peerSealed = peerSealed || (await isSealed(peer, news.caCert)) === true;
    }
    if (peerSealed && (olds.pgpKeys ?? []).length > 0) {
      throw new Error(SEALED_WITH_PGP_KEYS);
    }
    if (peerSealed) {
      await unsealPeers(news, (olds.unsealKeys ?? []).slice(0, olds.secretThreshold));
    } else if (status.status === 200 && status.body?.sealed === true && peers.length > 0) {
      await waitForLeader(news.address, news.caCert);
    }
    // No undefined values: the engine cannot serialize them ("Unexpected struct type").
    const outs: InitState = {
      ...olds,
      address: news.address,
      ...(news.peers ? { peers: news.peers } : {}),
    };
    return { outs: news.caCert === undefined ? outs : { ...outs, caCert: news.caCert } };
  },
};

/** Initialization and unsealing of a server-mode Vault, as a resource. */
export class ServerInit extends pulumi.dynamic.Resource {
  // "declare": the engine sets these inside super(); a class field would reset them after it.
  declare public readonly rootToken: pulumi.Output<string>;
  declare public readonly unsealKeys: pulumi.Output<string[]>;

  constructor(name: string, args: ServerInitArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      initProvider,
      name,
      { ...args, unsealKeys: undefined, rootToken: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["unsealKeys", "rootToken"] }),
      "vaultplatform",
      "ServerInit",
    );
  }
}
