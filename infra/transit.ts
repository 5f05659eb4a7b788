import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { appTransitKey, TransitKeySpec } from "./app-resources";

export interface TransitArgs {
  /** Mount path, e.g. "transit". */
  readonly path: string;
  readonly keys: readonly TransitKeySpec[];
  /** Only where the environment may be torn down: lets destroy delete the keys. */
  readonly deletionAllowed: boolean;
  readonly protect?: boolean;
}

/** Transit (encryption as a service): the mount and its named keys. */
export class Transit extends pulumi.ComponentResource {
  public readonly mount: vault.Mount;
  public readonly keys: Readonly<Record<string, vault.transit.SecretBackendKey>>;

  constructor(name: string, args: TransitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Transit", name, {}, opts);
    const protect = args.protect ?? false;
    this.mount = new vault.Mount(
      `${name}-mount`,
      { path: args.path, type: "transit", description: "Transit keys, managed by vault-platform" },
      { parent: this, protect },
    );
    const keys: Record<string, vault.transit.SecretBackendKey> = {};
    for (const key of args.keys) {
      keys[key.name] = appTransitKey(
        `${name}-${key.name}`,
        key,
        this.mount.path,
        args.deletionAllowed,
        { parent: this, protect },
      );
    }
    this.keys = keys;
    this.registerOutputs({ mount: this.mount, keys: Object.keys(keys) });
  }
}
