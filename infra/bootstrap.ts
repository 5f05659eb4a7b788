import * as pulumi from "@pulumi/pulumi";
import { vaultHttp } from "./vault-http";
import { PROVISIONER_POLICY } from "./provisioner-policy";
import { VaultRequest } from "./vault-request";

/** The provisioner token's period: it lives as long as it is renewed within this time. */
export const PROVISIONER_TOKEN_PERIOD_SECONDS = 768 * 3600; // "768h", as created below

/** Whether a token with `ttlSeconds` left is due for renewal: under half its period. */
export function renewalDue(ttlSeconds: number): boolean {
  return ttlSeconds < PROVISIONER_TOKEN_PERIOD_SECONDS / 2;
}

/**
 * What the server says of the token: its seconds left, or that it refuses it (403: a snapshot
 * from before the token existed was restored); undefined when that cannot be asked now.
 */
async function lookupSelf(
  state: ProvisionerState,
): Promise<{ ttl: number } | "refused" | undefined> {
  try {
    const response = await vaultHttp({
      address: state.address,
      caCert: state.caCert,
      method: "GET",
      path: "auth/token/lookup-self",
      token: state.token,
    });
    const ttl = response.body?.data?.ttl;
    if (response.status === 403) {
      return "refused";
    }
    return response.status === 200 && typeof ttl === "number" ? { ttl } : undefined;
  } catch {
    return undefined;
  }
}

interface ProvisionerState {
  readonly address: string;
  readonly caCert?: string;
  readonly rootToken: string;
  readonly policyName: string;
  readonly policy: string;
  readonly token?: string;
}

async function vaultCall(
  state: ProvisionerState,
  token: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await vaultHttp({
    address: state.address,
    caCert: state.caCert,
    method,
    path,
    token,
    body,
  });
  if (response.status < 200 || response.status >= 300) {
    // Statuses only: bodies could echo what was sent.
    throw new Error(`${method} ${path} answered HTTP ${response.status}`);
  }
  return (response.body ?? {}) as Record<string, unknown>;
}

/** Writes the provisioner policy and creates its token with the root token; the token. */
async function provision(state: ProvisionerState): Promise<string> {
  await vaultCall(state, state.rootToken, "PUT", `sys/policies/acl/${state.policyName}`, {
    policy: state.policy,
  });
  const created = await vaultCall(state, state.rootToken, "POST", "auth/token/create-orphan", {
    policies: [state.policyName],
    no_default_policy: true,
    renewable: true,
    period: "768h",
    display_name: "vault-platform-provisioner",
  });
  return (created.auth as { client_token: string }).client_token;
}

/**
 * The provisioner policy and its periodic orphan token, made through the API with the initial
 * root token. Later changes to the policy are written with the provisioner token itself, so
 * nothing here needs root once it exists (root may be revoked).
 */
export const provisionerProvider: pulumi.dynamic.ResourceProvider<
  ProvisionerState,
  ProvisionerState
> = {
  async create(inputs) {
    const seal = await vaultHttp({
      address: inputs.address,
      caCert: inputs.caCert,
      method: "GET",
      path: "sys/seal-status",
    });
    if (seal.body?.sealed === true) {
      throw new Error(
        "the server is initialized but sealed: its key holders unseal it (`operator unseal` with the threshold of keys; npm run unseal-keys -- --stack <stack> lists PGP-encrypted ones), then run up again",
      );
    }
    return { id: inputs.policyName, outs: { ...inputs, token: await provision(inputs) } };
  },
  async diff(_id, olds, news) {
    // A periodic token lives while it is renewed: an up that finds it past half its period
    // renews it (and shows that as an update). A token the server refuses (a snapshot restored
    // from before it existed) is made again. Read-only here; unreachable: nothing to decide.
    const token = await lookupSelf({ ...news, token: olds.token });
    return {
      changes:
        olds.policy !== news.policy ||
        olds.address !== news.address ||
        olds.caCert !== news.caCert ||
        token === "refused" ||
        (token !== undefined && renewalDue(token.ttl)),
      replaces: [],
    };
  },
  async update(_id, olds, news) {
    const token = olds.token as string;
    const lookup = await lookupSelf({ ...news, token });
    if (lookup === "refused") {
      // Made with the root token of the key set the server answers to now (server-init.ts).
      return { outs: { ...news, token: await provision(news) } };
    }
    if (olds.policy !== news.policy) {
      await vaultCall(news, token, "PUT", `sys/policies/acl/${news.policyName}`, {
        policy: news.policy,
      });
    }
    if (lookup !== undefined && renewalDue(lookup.ttl)) {
      await vaultCall(news, token, "POST", "auth/token/renew-self", {});
    }
    // The root token given now may have been revoked; keep the one the state holds.
    return { outs: { ...news, rootToken: olds.rootToken, token } };
  },
  async delete(_id, props) {
    try {
      await vaultCall(
        props,
        props.token as string,
        "DELETE",
        `sys/policies/acl/${props.policyName}`,
      );
      await vaultCall(props, props.token as string, "POST", "auth/token/revoke-self");
    } catch {
      // The server is gone with everything in it; nothing is left to clean up there.
    }
  },
};

class ProvisionerToken extends pulumi.dynamic.Resource {
  declare public readonly token: pulumi.Output<string>;

  constructor(
    name: string,
    args: {
      address: pulumi.Input<string>;
      rootToken: pulumi.Input<string>;
      caCert?: pulumi.Input<string>;
      policyName: string;
      policy: string;
    },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      provisionerProvider,
      name,
      { ...args, rootToken: pulumi.secret(args.rootToken), token: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["rootToken", "token"] }),
      "vaultplatform",
      "ProvisionerToken",
    );
  }
}

export interface BootstrapArgs {
  readonly address: pulumi.Input<string>;
  /** The initial root token: used only to create the provisioner policy and token. */
  readonly rootToken: pulumi.Input<string>;
  /** CA certificate of a TLS listener. */
  readonly caCert?: pulumi.Input<string>;
  /** Revoke the initial root token once the provisioner token exists. */
  readonly revokeRootToken: boolean;
  /** HCL of the provisioner policy (infra/provisioner-policy.ts, from the resolved config). */
  readonly policy: string;
}

/**
 * Root-token hygiene: with the initial root token, create a scoped provisioner policy and a
 * periodic, renewable orphan token; everything else is configured with that token. Where asked,
 * the root token is then revoked (a new one comes only from `operator generate-root`).
 */
export class Bootstrap extends pulumi.ComponentResource {
  public readonly token: pulumi.Output<string>;

  constructor(name: string, args: BootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Bootstrap", name, {}, opts);
    const provisioner = new ProvisionerToken(
      `${name}-provisioner`,
      {
        address: args.address,
        rootToken: args.rootToken,
        caCert: args.caCert,
        policyName: PROVISIONER_POLICY,
        policy: args.policy,
      },
      { parent: this },
    );
    if (args.revokeRootToken) {
      new VaultRequest(
        `${name}-revoke-root`,
        {
          address: args.address,
          token: args.rootToken,
          caCert: args.caCert,
          onCreate: { method: "POST", path: "auth/token/revoke-self" },
        },
        { parent: this, dependsOn: [provisioner] },
      );
    }
    this.token = pulumi.secret(provisioner.token);
    this.registerOutputs({});
  }
}
