/**
 * Environment profiles: the defaults each kind of environment starts from. Stack config overrides
 * any of them; cross-field rules (stacks/config.ts) then check the result against the profile's
 * requirements, e.g. staging and prod must keep two audit devices and CIDR-bound AppRoles.
 */

export const PROFILE_NAMES = ["dev", "staging", "prod", "ephemeral"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const FLAVORS = ["vault", "openbao"] as const;
export type Flavor = (typeof FLAVORS)[number];

/**
 * dev and server: the program runs the server as containers on this Docker host. external: a
 * cluster someone else runs (HCP Vault, Vault Enterprise, OpenBao on Kubernetes or VMs); the
 * program only configures it.
 */
export const SERVER_MODES = ["dev", "server", "external"] as const;
export type ServerMode = (typeof SERVER_MODES)[number];
/** The modes in which the program runs the server itself. */
export type ContainerMode = Exclude<ServerMode, "external">;

/** Pinned images; `latest` is never a default and is rejected in config. */
export const DEFAULT_IMAGES: Readonly<Record<Flavor, string>> = {
  vault: "hashicorp/vault:1.20.4",
  openbao: "openbao/openbao:2.6.2",
};

export interface ProfileRules {
  /** Transit keys may be deleted and data-bearing resources are not protected. */
  readonly teardownAllowed: boolean;
  readonly minAuditDevices: number;
  /** Every app must bind its AppRole to CIDRs. */
  readonly requireBoundCidrs: boolean;
  readonly allowDevMode: boolean;
  /** A server-mode listener must use TLS. */
  readonly requireTls: boolean;
}

/** Where a server-mode listener's certificate comes from ("disabled": plain HTTP). */
export const TLS_MODES = ["disabled", "generated", "provided"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export interface ProfileDefaults {
  readonly rules: ProfileRules;
  readonly server: {
    readonly mode: ContainerMode;
    readonly network: "host" | "bridge";
    readonly port: number;
    readonly tls: TlsMode;
  };
  readonly postgres: {
    readonly host?: string;
    readonly database?: string;
    readonly createDatabase: boolean;
    /** Without postgres.host the stack runs its own Postgres (else: a config error). */
    readonly embedded: boolean;
  };
  readonly approle: {
    readonly tokenTtl: string;
    readonly tokenMaxTtl: string;
    readonly secretIdTtl: string;
    readonly secretIdNumUses: number;
    readonly secretIdWrapTtl: string;
  };
  readonly database: { readonly defaultTtl: string; readonly maxTtl: string };
  readonly transit: { readonly autoRotatePeriod: string };
  readonly kv: { readonly maxVersions: number; readonly deleteVersionAfter: string };
  readonly audit: { readonly devices: readonly ("file" | "stdout")[] };
}

/** Local environments may take shortcuts; shared ones (staging, prod) are held to every rule. */
function rules(shared: boolean): ProfileRules {
  return {
    teardownAllowed: !shared,
    minAuditDevices: shared ? 2 : 1,
    requireBoundCidrs: shared,
    allowDevMode: !shared,
    requireTls: shared,
  };
}

const local = {
  rules: rules(false),
  // A Postgres on the host's loopback (the stack's own, or one set in postgres.host) is reached by
  // a host-networked container only. A local server switched to server mode gets a generated
  // certificate.
  server: { mode: "dev", network: "host", port: 8200, tls: "generated" },
  postgres: { createDatabase: true, embedded: true },
  approle: {
    tokenTtl: "1h",
    tokenMaxTtl: "4h",
    secretIdTtl: "24h",
    secretIdNumUses: 10,
    secretIdWrapTtl: "5m",
  },
  database: { defaultTtl: "1h", maxTtl: "24h" },
  transit: { autoRotatePeriod: "720h" },
  kv: { maxVersions: 10, deleteVersionAfter: "0s" },
  audit: { devices: ["file"] },
} as const satisfies ProfileDefaults;

const hardened = {
  rules: rules(true),
  // Staging generates its certificate; prod brings one from the organization's CA.
  server: { ...local.server, mode: "server", network: "bridge" },
  postgres: { createDatabase: false, embedded: false },
  approle: {
    tokenTtl: "20m",
    tokenMaxTtl: "1h",
    secretIdTtl: "1h",
    secretIdNumUses: 1,
    secretIdWrapTtl: "2m",
  },
  database: { defaultTtl: "30m", maxTtl: "4h" },
  transit: local.transit,
  kv: { ...local.kv, maxVersions: 20 },
  audit: { devices: ["file", "stdout"] },
} as const satisfies ProfileDefaults;

/** Ephemeral environments are numbered by their pull request: stack `pr-<n>`. */
export const EPHEMERAL_STACK = /^pr-([1-9][0-9]{0,5})$/;

/**
 * Each ephemeral environment gets its own API port (and the cluster port above it) so that
 * several can run side by side on one Docker host with host networking.
 */
export function ephemeralPort(prNumber: number): number {
  return 20000 + 2 * (prNumber % 10000);
}

export function profileDefaults(profile: ProfileName, stack: string): ProfileDefaults {
  switch (profile) {
    case "dev":
      return local;
    case "ephemeral": {
      const match = EPHEMERAL_STACK.exec(stack);
      const prNumber = match ? Number(match[1]) : 0;
      return { ...local, server: { ...local.server, port: ephemeralPort(prNumber) } };
    }
    case "staging":
      return hardened;
    case "prod":
      return {
        ...hardened,
        server: { ...hardened.server, tls: "provided" },
        approle: { ...hardened.approle, tokenTtl: "15m", tokenMaxTtl: "1h" },
        database: { defaultTtl: "15m", maxTtl: "1h" },
      };
  }
}

/** The profile a stack name implies, when config does not name one. */
export function inferProfile(stack: string): ProfileName | undefined {
  if (stack === "dev" || stack === "staging" || stack === "prod") {
    return stack;
  }
  return EPHEMERAL_STACK.test(stack) ? "ephemeral" : undefined;
}
