import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";

export interface KvArgs {
  /** Mount path, e.g. "secret". */
  readonly path: string;
  /** Versions kept per secret (0 = Vault's default of 10). */
  readonly maxVersions: number;
  /** Require check-and-set on every write. */
  readonly casRequired: boolean;
  /** Seconds after which versions are soft-deleted (0 = never). */
  readonly deleteVersionAfterSeconds: number;
  readonly protect?: boolean;
}

/** A KV version 2 secrets engine and its engine-wide settings. */
export class Kv extends pulumi.ComponentResource {
  public readonly mount: vault.Mount;
  public readonly settings: vault.kv.SecretBackendV2;
  public readonly path: pulumi.Output<string>;

  constructor(name: string, args: KvArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Kv", name, {}, opts);
    this.mount = new vault.Mount(
      `${name}-mount`,
      {
        path: args.path,
        type: "kv",
        options: { version: "2" },
        description: "KV v2 secrets, managed by vault-platform",
      },
      { parent: this, protect: args.protect ?? false },
    );
    this.settings = new vault.kv.SecretBackendV2(
      `${name}-settings`,
      {
        mount: this.mount.path,
        maxVersions: args.maxVersions,
        casRequired: args.casRequired,
        deleteVersionAfter: args.deleteVersionAfterSeconds,
      },
      { parent: this },
    );
    this.path = this.mount.path;
    this.registerOutputs({ path: this.path });
  }
}
