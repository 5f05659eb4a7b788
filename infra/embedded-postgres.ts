/**
 * A dev or pull-request stack's own Postgres: a container on the host network listening on
 * loopback only, its data on a labelled volume, its admin password generated (a secret) and handed
 * over in a file, never in the container's environment. `destroy` removes container and volume.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface EmbeddedPostgresArgs {
  readonly image: string;
  /** Loopback port it listens on. */
  readonly port: number;
  readonly adminUser: string;
  /** Where unset, a password is generated. */
  readonly adminPassword?: pulumi.Input<string>;
  /** Docker object names start with this, e.g. "vp-pr-7". */
  readonly namePrefix: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Vault's pool and the program's connections together stay below this. */
  readonly maxConnections: number;
}

/** Inside the container: the file the image's entrypoint reads the admin password from. */
const PASSWORD_FILE = "/run/postgres-admin-password";
const DATA_DIR = "/var/lib/postgresql/data";

export class EmbeddedPostgres extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: EmbeddedPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:EmbeddedPostgres", name, {}, opts);
    const labels = Object.entries(args.labels).map(([label, value]) => ({ label, value }));
    this.adminPassword = pulumi.secret(
      args.adminPassword ??
        new random.RandomPassword(
          `${name}-admin-password`,
          { length: 32, special: false },
          { parent: this },
        ).result,
    );
    const data = new docker.Volume(
      `${name}-data`,
      { name: `${args.namePrefix}-postgres`, labels },
      { parent: this },
    );
    this.container = new docker.Container(
      `${name}-container`,
      {
        name: `${args.namePrefix}-postgres`,
        image: args.image,
        networkMode: "host",
        command: [
          "postgres",
          "-c",
          "listen_addresses=127.0.0.1",
          "-c",
          `port=${args.port}`,
          "-c",
          `max_connections=${args.maxConnections}`,
        ],
        envs: [`POSTGRES_USER=${args.adminUser}`, `POSTGRES_PASSWORD_FILE=${PASSWORD_FILE}`],
        uploads: [{ file: PASSWORD_FILE, content: this.adminPassword }],
        volumes: [{ volumeName: data.name, containerPath: DATA_DIR }],
        labels,
        healthcheck: {
          tests: [
            "CMD",
            "pg_isready",
            "-h",
            "127.0.0.1",
            "-p",
            String(args.port),
            "-U",
            args.adminUser,
          ],
          interval: "1s",
          timeout: "2s",
          retries: 60,
          startPeriod: "1s",
        },
        // Ready means accepting connections: grants and Vault's connection come after.
        wait: true,
        waitTimeout: 120,
        restart: "no",
        mustRun: true,
      },
      { parent: this, additionalSecretOutputs: ["uploads"] },
    );
    this.registerOutputs({ container: this.container.name });
  }
}
