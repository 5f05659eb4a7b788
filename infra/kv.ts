import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { VaultRequest } from "./vault-request";

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
  /**
   * A dev-mode server mounts its own KV v2 engine at "secret/". Given the server's address and
   * token, that mount is released first so this component owns the path.
   */
  readonly releaseDevMount?: {
    readonly address: pulumi.Input<string>;
    readonly token: pulumi.Input<string>;
  };
}

/** A KV version 2 secrets engine and its engine-wide settings. */
export class Kv extends pulumi.ComponentResource {
  public readonly mount: vault.Mount;
  public readonly settings: vault.kv.SecretBackendV2;
  public readonly path: pulumi.Output<string>;
  public readonly devMountRelease?: VaultRequest;

  constructor(name: string, args: KvArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Kv", name, {}, opts);
    if (args.releaseDevMount) {
      this.devMountRelease = new VaultRequest(
        `${name}-release-dev-mount`,
        {
          ...args.releaseDevMount,
          onCreate: { method: "DELETE", path: `sys/mounts/${args.path}` },
        },
        { parent: this },
      );
    }
    this.mount = new vault.Mount(
      `${name}-mount`,
      {
        path: args.path,
        type: "kv",
        options: { version: "2" },
        description: "KV v2 secrets, managed by vault-platform",
      },
      {
        parent: this,
        protect: args.protect ?? false,
        dependsOn: this.devMountRelease ? [this.devMountRelease] : [],
      },
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
