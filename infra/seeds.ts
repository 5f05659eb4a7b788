import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";

export interface SeedSpec {
  /** Path under the KV mount, e.g. "orders/config"; the seed's stable identity. */
  readonly path: string;
  /** "overwrite": every up restores the configured value. "create-once": later edits are kept. */
  readonly mode: "overwrite" | "create-once";
  /** JSON object of the secret's fields; must be a secret Output. */
  readonly dataJson: pulumi.Input<string>;
}

export interface SeedsArgs {
  readonly kvMount: pulumi.Input<string>;
  readonly seeds: readonly SeedSpec[];
}

/** Seed secrets written into KV v2 from encrypted stack config. */
export class Seeds extends pulumi.ComponentResource {
  public readonly secrets: Readonly<Record<string, vault.kv.SecretV2>>;

  constructor(name: string, args: SeedsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Seeds", name, {}, opts);
    const secrets: Record<string, vault.kv.SecretV2> = {};
    for (const seed of args.seeds) {
      const id = seed.path.replace(/[^A-Za-z0-9-]/g, "-");
      secrets[seed.path] = new vault.kv.SecretV2(
        `${name}-${id}`,
        {
          mount: args.kvMount,
          name: seed.path,
          dataJson: pulumi.secret(seed.dataJson),
          // A teardown leaves no version or metadata behind.
          deleteAllVersions: true,
        },
        {
          parent: this,
          additionalSecretOutputs: ["data", "dataJson"],
          ignoreChanges: seed.mode === "create-once" ? ["dataJson"] : [],
        },
      );
    }
    this.secrets = secrets;
    this.registerOutputs({ paths: Object.keys(secrets) });
  }
}
