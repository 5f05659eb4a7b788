import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Flavor } from "../stacks/profiles";
import { AuditDeviceSpec, FLAVOR_TRAITS, FlavorTraits, renderServerConfig } from "./server-config";
import { ServerInit } from "./server-init";

export interface VaultServerArgs {
  readonly flavor: Flavor;
  /** Pinned image reference, present in the local Docker engine or pullable by it. */
  readonly image: string;
  /** "dev": in-memory, unsealed, root token from a random secret. "server": raft storage. */
  readonly mode: "dev" | "server";
  /** "host": shares the host's network (reaches services on its loopback). "bridge": own network. */
  readonly network: "host" | "bridge";
  /** Host address the API is reachable on (published there in bridge mode). */
  readonly bindAddress: string;
  readonly port: number;
  /** Prefix of every Docker object's name, unique per environment. */
  readonly namePrefix: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Audit devices to declare in the server config (flavors that declare audit devices there). */
  readonly auditDevices: readonly AuditDeviceSpec[];
  /**
   * Server mode: the token of an already initialized server. Without it the program initializes
   * the server itself (ServerInit) with these key shares.
   */
  readonly token?: pulumi.Input<string>;
  readonly unsealKeyShares?: { readonly shares: number; readonly threshold: number };
  /** Protect the volumes that hold data (server mode). */
  readonly protect?: boolean;
}

/** Port Vault listens on inside its container on a bridge network. */
const CONTAINER_PORT = 8200;

/**
 * The Vault (or OpenBao) server as a Docker container, with its network, volumes, config file and
 * health check. Exposes the address and token to build a vault.Provider from.
 */
export class VaultServer extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly network?: docker.Network;
  public readonly logsVolume: docker.Volume;
  public readonly dataVolume?: docker.Volume;
  /** URL clients on the host use; resolves once the container is healthy. */
  public readonly address!: pulumi.Output<string>;
  /** Dev root token, the initial root token, or the token given; always secret. */
  public readonly token!: pulumi.Output<string>;
  /** Server mode without a given token: initialization and unsealing. */
  public readonly init?: ServerInit;
  /** Path of the file audit log inside the container (on the logs volume). */
  public readonly auditLogPath: string;
  public readonly traits: FlavorTraits;

  constructor(name: string, args: VaultServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:VaultServer", name, {}, opts);
    const traits = FLAVOR_TRAITS[args.flavor];
    this.traits = traits;
    const labels = Object.entries(args.labels).map(([label, value]) => ({ label, value }));
    const clientHost = args.bindAddress === "0.0.0.0" ? "127.0.0.1" : args.bindAddress;
    const apiAddress = `http://${clientHost}:${args.port}`;
    const listenPort = args.network === "host" ? args.port : CONTAINER_PORT;
    const dataProtect = { parent: this, protect: args.protect ?? false };

    this.logsVolume = new docker.Volume(
      `${name}-logs`,
      { name: `${args.namePrefix}-logs`, labels },
      dataProtect,
    );
    if (args.mode === "server") {
      this.dataVolume = new docker.Volume(
        `${name}-data`,
        { name: `${args.namePrefix}-data`, labels },
        dataProtect,
      );
    }
    if (args.network === "bridge") {
      this.network = new docker.Network(
        `${name}-network`,
        { name: args.namePrefix, labels },
        { parent: this },
      );
    }

    if (args.mode === "dev") {
      this.token = pulumi.secret(
        new random.RandomPassword(
          `${name}-root-token`,
          { length: 32, special: false },
          { parent: this },
        ).result,
      );
    } else if (args.token !== undefined) {
      this.token = pulumi.secret(args.token);
    }

    const configPath = `${traits.home}/config/platform.json`;
    const serverConfig = renderServerConfig({
      flavor: args.flavor,
      mode: args.mode,
      listenPort,
      apiAddress,
      nodeId: args.namePrefix,
      auditDevices: args.auditDevices,
    });
    const env = (key: string, value: pulumi.Input<string>) =>
      pulumi.interpolate`${traits.envPrefix}_${key}=${value}`;
    const envs: pulumi.Input<string>[] =
      args.mode === "dev"
        ? [
            env("DEV_ROOT_TOKEN_ID", this.token),
            env(
              "DEV_LISTEN_ADDRESS",
              `${args.network === "host" ? clientHost : "0.0.0.0"}:${listenPort}`,
            ),
          ]
        : [env("API_ADDR", apiAddress)];
    const volumes = [
      { volumeName: this.logsVolume.name, containerPath: `${traits.home}/logs` },
      ...(this.dataVolume
        ? [{ volumeName: this.dataVolume.name, containerPath: `${traits.home}/file` }]
        : []),
    ];

    this.container = new docker.Container(
      `${name}-container`,
      {
        name: `${args.namePrefix}-vault`,
        image: args.image,
        user: traits.user,
        entrypoints: [traits.binary],
        command: ["server", ...(args.mode === "dev" ? ["-dev"] : []), `-config=${configPath}`],
        envs,
        uploads: [{ file: configPath, content: serverConfig }],
        capabilities: { adds: ["IPC_LOCK"] },
        labels,
        volumes,
        networkMode: args.network === "host" ? "host" : undefined,
        networksAdvanced: this.network ? [{ name: this.network.name }] : undefined,
        ports:
          args.network === "bridge"
            ? [{ internal: CONTAINER_PORT, external: args.port, ip: args.bindAddress }]
            : undefined,
        healthcheck: {
          tests: ["CMD", traits.binary, "status", `-address=http://127.0.0.1:${listenPort}`],
          interval: "2s",
          timeout: "2s",
          retries: 30,
          startPeriod: "1s",
        },
        // A sealed or uninitialized server reports unhealthy; only dev mode is ready at once.
        wait: args.mode === "dev",
        waitTimeout: 90,
        restart: args.mode === "dev" ? "no" : "unless-stopped",
        mustRun: true,
      },
      { parent: this, additionalSecretOutputs: ["envs"] },
    );

    // Depending on the container makes everything configured through this address wait for it.
    const containerAddress = this.container.id.apply(() => apiAddress);
    if (args.mode === "server" && args.token === undefined) {
      const shares = args.unsealKeyShares ?? { shares: 3, threshold: 2 };
      this.init = new ServerInit(
        `${name}-init`,
        {
          address: containerAddress,
          secretShares: shares.shares,
          secretThreshold: shares.threshold,
        },
        { parent: this },
      );
      this.token = pulumi.secret(this.init.rootToken);
      // Configuration waits until the server is initialized and unsealed.
      this.address = pulumi.all([this.init.id, containerAddress]).apply(([, address]) => address);
    } else {
      this.address = containerAddress;
    }
    this.auditLogPath = `${traits.home}/logs/audit.log`;

    this.registerOutputs({ address: this.address, container: this.container });
  }
}
