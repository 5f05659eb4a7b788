import * as pulumi from "@pulumi/pulumi";

export interface LeaseRevocationArgs {
  /** Vault address and a token allowed to revoke leases under the prefix (sudo). */
  readonly address: pulumi.Input<string>;
  readonly token: pulumi.Input<string>;
  /** Lease prefix, e.g. "database/creds/". */
  readonly prefix: pulumi.Input<string>;
}

interface RevocationState {
  readonly address: string;
  readonly token: string;
  readonly prefix: string;
}

/**
 * On delete, revokes every lease under the prefix so that Vault drops the dynamic users it
 * created before the mount, its roles and its connection disappear. Without it, leases still
 * open at teardown would leave their Postgres roles behind. Creating it does nothing.
 */
const revocationProvider: pulumi.dynamic.ResourceProvider<RevocationState, RevocationState> = {
  async create(inputs) {
    return { id: inputs.prefix, outs: inputs };
  },
  async diff(_id, olds, news) {
    return {
      changes:
        olds.address !== news.address || olds.token !== news.token || olds.prefix !== news.prefix,
      replaces: olds.prefix !== news.prefix ? ["prefix"] : [],
      deleteBeforeReplace: true,
    };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete(_id, props) {
    const response = await fetch(`${props.address}/v1/sys/leases/revoke-prefix/${props.prefix}`, {
      method: "PUT",
      headers: { "X-Vault-Token": props.token, "Content-Type": "application/json" },
      body: JSON.stringify({ sync: true }),
    });
    if (!response.ok) {
      // The status only: the response body could echo request details.
      throw new Error(`revoking leases under ${props.prefix} answered HTTP ${response.status}`);
    }
  },
};

export class LeaseRevocation extends pulumi.dynamic.Resource {
  constructor(name: string, args: LeaseRevocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      revocationProvider,
      name,
      { address: args.address, token: pulumi.secret(args.token), prefix: args.prefix },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
      "vaultplatform",
      "LeaseRevocation",
    );
  }
}
