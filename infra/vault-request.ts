import * as pulumi from "@pulumi/pulumi";
import { ProgramLogin, programLoginToken, vaultHttp } from "./vault-http";

/** One Vault API call. */
export interface VaultCall {
  readonly method: "PUT" | "POST" | "DELETE";
  /** API path without "v1/", e.g. "sys/leases/revoke-prefix/database/creds/". */
  readonly path: string;
  readonly body?: Record<string, unknown>;
}

/**
 * How a lifecycle call reaches Vault: with a token (a server the program runs), or by logging in
 * as the program at call time (a cluster it does not run: no token is kept in state).
 */
export interface VaultAccess {
  readonly address: pulumi.Input<string>;
  readonly token?: pulumi.Input<string>;
  /** CA certificate of a TLS listener. */
  readonly caCert?: pulumi.Input<string>;
  readonly namespace?: pulumi.Input<string>;
  readonly login?: pulumi.Input<ProgramLogin>;
  /** AppRole login: the program's secret-id (kept as a secret). */
  readonly secretId?: pulumi.Input<string>;
}

export interface VaultRequestArgs extends VaultAccess {
  /** Made when the resource is created (and again when the call changes). */
  readonly onCreate?: pulumi.Input<VaultCall>;
  /** Made when the resource is deleted. */
  readonly onDelete?: pulumi.Input<VaultCall>;
}

interface VaultRequestState {
  readonly address: string;
  readonly token?: string;
  readonly caCert?: string;
  readonly namespace?: string;
  readonly login?: ProgramLogin;
  readonly secretId?: string;
  readonly onCreate?: VaultCall;
  readonly onDelete?: VaultCall;
}

async function call(
  state: VaultRequestState,
  request: VaultCall | undefined,
  tolerateUnreachable: boolean,
): Promise<void> {
  if (!request) {
    return;
  }
  let status: number;
  try {
    const token =
      state.token ??
      (state.login ? await programLoginToken(state, state.login, state.secretId) : undefined);
    ({ status } = await vaultHttp({
      address: state.address,
      method: request.method,
      path: request.path,
      token,
      body: request.body,
      caCert: state.caCert,
      namespace: state.namespace,
    }));
  } catch (error) {
    // At teardown a server that is already gone cannot be asked anything; blocking the
    // destroy of everything else on it would leave more behind, not less.
    if (tolerateUnreachable) {
      return;
    }
    throw new Error(
      `${request.method} ${request.path}: Vault unreachable (${(error as Error).message})`,
    );
  }
  if (status < 200 || status >= 300) {
    // The status only: a response body could echo request details.
    throw new Error(`${request.method} ${request.path} answered HTTP ${status}`);
  }
}

/**
 * A Vault API call made at create or delete time, for the few lifecycle steps no provider
 * resource covers. Its state holds the token (or the AppRole secret-id) as a secret.
 */
export const vaultRequestProvider: pulumi.dynamic.ResourceProvider<
  VaultRequestState,
  VaultRequestState
> = {
  async create(inputs) {
    await call(inputs, inputs.onCreate, false);
    return { id: `${inputs.onCreate?.path ?? ""}|${inputs.onDelete?.path ?? ""}`, outs: inputs };
  },
  async diff(_id, olds, news) {
    const callsChanged =
      JSON.stringify(olds.onCreate) !== JSON.stringify(news.onCreate) ||
      JSON.stringify(olds.onDelete) !== JSON.stringify(news.onDelete);
    return {
      changes:
        callsChanged ||
        (["address", "token", "namespace", "secretId"] as const).some(
          (key) => olds[key] !== news[key],
        ) ||
        JSON.stringify(olds.login) !== JSON.stringify(news.login),
      replaces: callsChanged ? ["onCreate", "onDelete"] : [],
      deleteBeforeReplace: true,
    };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete(_id, props) {
    await call(props, props.onDelete, true);
  },
};

export class VaultRequest extends pulumi.dynamic.Resource {
  constructor(name: string, args: VaultRequestArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      vaultRequestProvider,
      name,
      {
        address: args.address,
        token: args.token === undefined ? undefined : pulumi.secret(args.token),
        caCert: args.caCert,
        namespace: args.namespace,
        login: args.login,
        secretId: args.secretId === undefined ? undefined : pulumi.secret(args.secretId),
        onCreate: args.onCreate,
        onDelete: args.onDelete,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token", "secretId"] }),
      "vaultplatform",
      "VaultRequest",
    );
  }
}
