import * as pulumi from "@pulumi/pulumi";
import { vaultHttp } from "./vault-http";

/** One Vault API call. */
export interface VaultCall {
  readonly method: "PUT" | "POST" | "DELETE";
  /** API path without "v1/", e.g. "sys/leases/revoke-prefix/database/creds/". */
  readonly path: string;
  readonly body?: Record<string, unknown>;
}

export interface VaultRequestArgs {
  readonly address: pulumi.Input<string>;
  readonly token: pulumi.Input<string>;
  /** CA certificate of a TLS listener. */
  readonly caCert?: pulumi.Input<string>;
  /** Made when the resource is created (and again when the call changes). */
  readonly onCreate?: pulumi.Input<VaultCall>;
  /** Made when the resource is deleted. */
  readonly onDelete?: pulumi.Input<VaultCall>;
}

interface VaultRequestState {
  readonly address: string;
  readonly token: string;
  readonly caCert?: string;
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
    ({ status } = await vaultHttp({
      address: state.address,
      method: request.method,
      path: request.path,
      token: state.token,
      body: request.body,
      caCert: state.caCert,
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
 * resource covers. Its state holds the token as a secret.
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
      changes: callsChanged || olds.address !== news.address || olds.token !== news.token,
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
        token: pulumi.secret(args.token),
        caCert: args.caCert,
        onCreate: args.onCreate,
        onDelete: args.onDelete,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
      "vaultplatform",
      "VaultRequest",
    );
  }
}
