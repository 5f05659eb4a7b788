/**
 * The Vault/OpenBao server configuration, rendered from typed args as JSON (both servers read
 * JSON config files). Pure functions; VaultServer uploads the result into the container.
 */
import type { Flavor } from "../stacks/profiles";

/** What differs between HashiCorp Vault and OpenBao images for what we run. */
export interface FlavorTraits {
  readonly binary: string;
  readonly envPrefix: string;
  /** Base directory of config, data and logs inside the image. */
  readonly home: string;
  /** Non-root user the image provides. */
  readonly user: string;
  /**
   * OpenBao refuses audit devices created through the API (unless an unsafe switch is set) and
   * expects them in the server config instead; Vault takes them through the API.
   */
  readonly declarativeAudit: boolean;
}

export const FLAVOR_TRAITS: Readonly<Record<Flavor, FlavorTraits>> = {
  vault: {
    binary: "vault",
    envPrefix: "VAULT",
    home: "/vault",
    user: "vault",
    declarativeAudit: false,
  },
  openbao: {
    binary: "bao",
    envPrefix: "BAO",
    home: "/openbao",
    user: "openbao",
    declarativeAudit: true,
  },
};

export type AuditDeviceName = "file" | "stdout";

export interface AuditDeviceSpec {
  /** Vault path of the device, e.g. "file". */
  readonly path: string;
  readonly type: "file";
  readonly description: string;
  readonly options: Readonly<Record<string, string>>;
}

/**
 * File audit devices: values HMAC'd (log_raw=false), accessors HMAC'd, the log readable by the
 * server user only. "stdout" is a file device writing to the container log.
 */
export function auditDeviceSpecs(
  devices: readonly AuditDeviceName[],
  logDir: string,
): AuditDeviceSpec[] {
  return devices.map((device) => {
    const common = { log_raw: "false", hmac_accessor: "true" };
    return device === "file"
      ? {
          path: "file",
          type: "file" as const,
          description: "Audit log on the environment's logs volume",
          options: { ...common, file_path: `${logDir}/audit.log`, mode: "0600" },
        }
      : {
          path: "stdout",
          type: "file" as const,
          description: "Audit log to the container's standard output",
          options: { ...common, file_path: "stdout" },
        };
  });
}

export interface ServerConfigArgs {
  readonly flavor: Flavor;
  readonly mode: "dev" | "server";
  /** Port the API listens on inside the container (cluster port is the next one). */
  readonly listenPort: number;
  /** Address clients use to reach the API, e.g. http://127.0.0.1:8200. */
  readonly apiAddress: string;
  readonly nodeId: string;
  readonly auditDevices: readonly AuditDeviceSpec[];
  /** Server mode: certificate and key files inside the container; without them TLS is off. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Address peers reach this node's cluster port at (default: loopback, a single node). */
  readonly clusterAddress?: string;
  /** A raft cluster: the API addresses of the other nodes, joined (and rejoined) on start. */
  readonly peers?: readonly string[];
  /** CA file inside the container that the peers' certificates chain to (TLS). */
  readonly peerCaFile?: string;
}

/** Where the listener's certificate, key and CA are placed inside the container. */
export function tlsFiles(traits: FlavorTraits): {
  certFile: string;
  keyFile: string;
  caFile: string;
} {
  const dir = `${traits.home}/config/tls`;
  return {
    certFile: `${dir}/server.pem`,
    keyFile: `${dir}/server-key.pem`,
    caFile: `${dir}/ca.pem`,
  };
}

/** Renders the server config as stable, pretty JSON (keys in a fixed order). */
export function renderServerConfig(args: ServerConfigArgs): string {
  const traits = FLAVOR_TRAITS[args.flavor];
  const config: Record<string, unknown> = {
    ui: false,
    // Memory locking needs IPC_LOCK on the process itself, which a non-root server does not
    // hold; integrated storage (raft) is the supported setup with mlock disabled.
    disable_mlock: true,
  };
  if (args.mode === "server") {
    const retryJoin = (args.peers ?? []).map((peer) => ({
      leader_api_addr: peer,
      ...(args.peerCaFile ? { leader_ca_cert_file: args.peerCaFile } : {}),
    }));
    config.storage = {
      raft: {
        path: `${traits.home}/file`,
        node_id: args.nodeId,
        ...(retryJoin.length > 0 ? { retry_join: retryJoin } : {}),
      },
    };
    const tls = args.tls
      ? {
          tls_cert_file: args.tls.certFile,
          tls_key_file: args.tls.keyFile,
          tls_min_version: "tls12",
        }
      : { tls_disable: true };
    config.listener = [
      {
        tcp: {
          address: `0.0.0.0:${args.listenPort}`,
          cluster_address: `0.0.0.0:${args.listenPort + 1}`,
          ...tls,
        },
      },
    ];
    config.api_addr = args.apiAddress;
    // Cluster traffic is always TLS (the server's own certificates), whatever the listener does.
    config.cluster_addr = args.clusterAddress ?? `https://127.0.0.1:${args.listenPort + 1}`;
  }
  if (traits.declarativeAudit && args.auditDevices.length > 0) {
    config.audit = args.auditDevices.map((device) => ({
      [device.type]: {
        [device.path]: { description: device.description, options: device.options },
      },
    }));
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}
