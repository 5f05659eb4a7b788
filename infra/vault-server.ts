import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { TlsConfig } from "../stacks/config";
import type { Flavor } from "../stacks/profiles";
import {
  AuditDeviceSpec,
  FLAVOR_TRAITS,
  FlavorTraits,
  renderServerConfig,
  tlsFiles,
} from "./server-config";
import { ServerInit } from "./server-init";
import { GeneratedCertificate, ServerTlsMaterial } from "./tls";

/** Server mode: where the listener's certificate comes from (the config's TLS, when on). */
export type ServerTlsArgs = Exclude<TlsConfig, { readonly mode: "disabled" }>;

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
  /** One base64 PGP public key per share: unseal keys are returned encrypted to their holders. */
  readonly unsealPgpKeys?: readonly string[];
  /**
   * Server mode: how many nodes form the raft cluster (1, 3 or 5), each in its own container on
   * this Docker host, joined with retry_join. Node i listens on port + 2i (and the next port).
   */
  readonly nodes?: number;
  /** Protect the volumes that hold data (server mode). */
  readonly protect?: boolean;
  /** Server mode: TLS on the listener (plain HTTP is then refused). */
  readonly tls?: ServerTlsArgs;
}

/** Port Vault listens on inside its container on a bridge network. */
const CONTAINER_PORT = 8200;

/** One server process: its container and volumes, and the address clients on the host use. */
export interface ServerNode {
  readonly container: docker.Container;
  readonly logsVolume: docker.Volume;
  readonly dataVolume?: docker.Volume;
  /** Host-side API address; resolves once the container exists. */
  readonly address: pulumi.Output<string>;
}

/**
 * The Vault (or OpenBao) server as Docker containers (one, or a raft cluster of `nodes` on one
 * host), with its network, volumes, config file and health check. Exposes the address and token
 * to build a vault.Provider from.
 */
export class VaultServer extends pulumi.ComponentResource {
  /** The first node's container (the one initialized; the one clients are pointed at). */
  public readonly container: docker.Container;
  public readonly network?: docker.Network;
  public readonly logsVolume: docker.Volume;
  public readonly dataVolume?: docker.Volume;
  /** Every node, the first one first. */
  public readonly nodes: readonly ServerNode[];
  /** URL clients on the host use; resolves once the server is ready to be configured. */
  public readonly address!: pulumi.Output<string>;
  /** Dev root token, the initial root token, or the token given; always secret. */
  public readonly token!: pulumi.Output<string>;
  /** Server mode without a given token: initialization and unsealing. */
  public readonly init?: ServerInit;
  /** Path of the file audit log inside the container (on the logs volume). */
  public readonly auditLogPath: string;
  public readonly traits: FlavorTraits;
  /** With TLS: the CA certificate clients trust (PEM, not secret). */
  public readonly caCert?: pulumi.Output<string>;
  /** TLS mode "generated": the certificate resource. */
  public readonly certificate?: GeneratedCertificate;

  constructor(name: string, args: VaultServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:VaultServer", name, {}, opts);
    const traits = FLAVOR_TRAITS[args.flavor];
    this.traits = traits;
    const labels = Object.entries(args.labels).map(([label, value]) => ({ label, value }));
    const clientHost = args.bindAddress === "0.0.0.0" ? "127.0.0.1" : args.bindAddress;
    const tlsOn = args.mode === "server" && args.tls !== undefined;
    const scheme = tlsOn ? "https" : "http";
    const nodeCount = args.mode === "server" ? (args.nodes ?? 1) : 1;
    const dataProtect = { parent: this, protect: args.protect ?? false };

    // Node 0 keeps the names a single server has; node i adds "-i".
    const plan = Array.from({ length: nodeCount }, (_, i) => {
      const suffix = i === 0 ? "" : `-${i}`;
      const hostPort = args.port + 2 * i;
      const containerName = `${args.namePrefix}-vault${suffix}`;
      const listenPort = args.network === "host" ? hostPort : CONTAINER_PORT;
      const peerHost = args.network === "host" ? "127.0.0.1" : containerName;
      return {
        suffix,
        hostPort,
        containerName,
        listenPort,
        nodeId: `${args.namePrefix}${suffix}`,
        apiAddress: `${scheme}://${clientHost}:${hostPort}`,
        peerAddress: `${scheme}://${peerHost}:${listenPort}`,
        clusterAddress: nodeCount > 1 ? `https://${peerHost}:${listenPort + 1}` : undefined,
      };
    });

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

    let tls: ServerTlsMaterial | undefined;
    if (tlsOn && args.tls?.mode === "generated") {
      this.certificate = new GeneratedCertificate(
        `${name}-certificate`,
        {
          commonName: plan[0].containerName,
          dnsNames: ["localhost", ...plan.map((node) => node.containerName), ...args.tls.dnsNames],
          ipAddresses: [...new Set(["127.0.0.1", clientHost])],
          validityHours: args.tls.validityHours,
        },
        { parent: this },
      );
      tls = this.certificate;
    } else if (tlsOn && args.tls?.mode === "provided") {
      tls = {
        caCertPem: args.tls.caCertificate,
        certPem: args.tls.certificate,
        keyPem: pulumi.secret(args.tls.privateKey),
      };
    }
    this.caCert = tls ? pulumi.output(tls.caCertPem) : undefined;
    const files = tlsFiles(traits);
    const configPath = `${traits.home}/config/platform.json`;
    const env = (key: string, value: pulumi.Input<string>) =>
      pulumi.interpolate`${traits.envPrefix}_${key}=${value}`;

    this.nodes = plan.map((node) => {
      const logsVolume = new docker.Volume(
        `${name}-logs${node.suffix}`,
        { name: `${args.namePrefix}-logs${node.suffix}`, labels },
        dataProtect,
      );
      const dataVolume =
        args.mode === "server"
          ? new docker.Volume(
              `${name}-data${node.suffix}`,
              { name: `${args.namePrefix}-data${node.suffix}`, labels },
              dataProtect,
            )
          : undefined;
      const serverConfig = renderServerConfig({
        flavor: args.flavor,
        mode: args.mode,
        listenPort: node.listenPort,
        apiAddress: node.apiAddress,
        nodeId: node.nodeId,
        auditDevices: args.auditDevices,
        tls: tls ? { certFile: files.certFile, keyFile: files.keyFile } : undefined,
        clusterAddress: node.clusterAddress,
        peers:
          nodeCount > 1
            ? plan.filter((peer) => peer !== node).map((peer) => peer.peerAddress)
            : undefined,
        peerCaFile: nodeCount > 1 && tls ? files.caFile : undefined,
      });
      const envs: pulumi.Input<string>[] =
        args.mode === "dev"
          ? [
              env("DEV_ROOT_TOKEN_ID", this.token),
              env(
                "DEV_LISTEN_ADDRESS",
                `${args.network === "host" ? clientHost : "0.0.0.0"}:${node.listenPort}`,
              ),
            ]
          : [
              env("API_ADDR", node.apiAddress),
              // For the CLI inside the container (health check, operators' `docker exec`).
              env("ADDR", `${scheme}://127.0.0.1:${node.listenPort}`),
              ...(tls ? [env("CACERT", files.caFile)] : []),
            ];
      const volumes = [
        { volumeName: logsVolume.name, containerPath: `${traits.home}/logs` },
        ...(dataVolume
          ? [{ volumeName: dataVolume.name, containerPath: `${traits.home}/file` }]
          : []),
      ];
      const container = new docker.Container(
        `${name}-container${node.suffix}`,
        {
          name: node.containerName,
          image: args.image,
          user: traits.user,
          entrypoints: [traits.binary],
          command: ["server", ...(args.mode === "dev" ? ["-dev"] : []), `-config=${configPath}`],
          envs,
          uploads: [
            { file: configPath, content: serverConfig },
            ...(tls
              ? [
                  { file: files.caFile, content: tls.caCertPem },
                  { file: files.certFile, content: tls.certPem },
                  // The upload is owned by root; the server runs as its own user and must read
                  // it. The container holds nothing but the server process.
                  { file: files.keyFile, content: pulumi.secret(tls.keyPem), permissions: "0644" },
                ]
              : []),
          ],
          capabilities: { adds: ["IPC_LOCK"] },
          labels,
          volumes,
          networkMode: args.network === "host" ? "host" : undefined,
          networksAdvanced: this.network ? [{ name: this.network.name }] : undefined,
          ports:
            args.network === "bridge"
              ? [{ internal: CONTAINER_PORT, external: node.hostPort, ip: args.bindAddress }]
              : undefined,
          healthcheck: {
            // With TLS the CLI trusts the CA named in the environment set above.
            tests: [
              "CMD",
              traits.binary,
              "status",
              `-address=${scheme}://127.0.0.1:${node.listenPort}`,
            ],
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
        { parent: this, additionalSecretOutputs: ["envs", "uploads"] },
      );
      // Depending on the container makes everything configured through it wait for it.
      return {
        container,
        logsVolume,
        dataVolume,
        address: container.id.apply(() => node.apiAddress),
      };
    });
    this.container = this.nodes[0].container;
    this.logsVolume = this.nodes[0].logsVolume;
    this.dataVolume = this.nodes[0].dataVolume;

    const containerAddress = this.nodes[0].address;
    if (args.mode === "server" && args.token === undefined) {
      const shares = args.unsealKeyShares ?? { shares: 3, threshold: 2 };
      this.init = new ServerInit(
        `${name}-init`,
        {
          address: containerAddress,
          secretShares: shares.shares,
          secretThreshold: shares.threshold,
          caCert: this.caCert,
          ...(args.unsealPgpKeys?.length ? { pgpKeys: args.unsealPgpKeys } : {}),
          ...(nodeCount > 1 ? { peers: this.nodes.slice(1).map((node) => node.address) } : {}),
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
