/**
 * The resolved, typed config: what loadConfig returns and every component reads.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Flavor, ProfileName, ProfileRules, ServerMode } from "../profiles";
import type { PeopleConfig, TeamConfig } from "./people";

export interface PostgresConfig {
  /** Where the program and Vault reach Postgres (the stack's own: loopback). */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly adminUser: string;
  /** Unset for the stack's own Postgres: generated, then. */
  readonly adminPassword?: pulumi.Output<string>;
  readonly sslmode: "disable" | "require" | "verify-ca" | "verify-full";
  readonly createDatabase: boolean;
  readonly maxOpenConnections: number;
  /** Dev and pull-request stacks without postgres.host run their own Postgres container. */
  readonly embedded?: { readonly image: string };
}

export type AppLoginMethod = "approle" | "kubernetes" | "jwt";

export interface AppConfig {
  readonly name: string;
  readonly kv: { readonly read: readonly string[]; readonly write: readonly string[] };
  readonly database: "none" | "readonly" | "readwrite";
  readonly transitKeys: readonly string[];
  readonly boundCidrs: readonly string[];
  readonly issueSecretId: boolean;
  /** How the app logs in (default AppRole only); each method gets one role with its policy. */
  readonly auth: readonly AppLoginMethod[];
  readonly kubernetes?: {
    readonly serviceAccounts: readonly string[];
    readonly namespaces: readonly string[];
    readonly audience?: string;
  };
  readonly jwt?: {
    readonly boundAudiences: readonly string[];
    readonly boundClaims: Readonly<Record<string, string | readonly string[]>>;
    readonly userClaim: string;
    readonly boundSubject?: string;
  };
  /** Certificates the app issues itself from the stack's CA: one role allowing these names. */
  readonly pki?: AppPkiConfig;
}

export type PkiKeyType = "ec" | "rsa";

export interface AppPkiConfig {
  /** DNS names the app's role allows ("*.x" only where pki.allowWildcards). */
  readonly names: readonly string[];
  /** Also any name under each of them. */
  readonly allowSubdomains: boolean;
  readonly allowIpSans: boolean;
  /** Default lifetime of a certificate the app issues; at most pki.leafMaxTtl. */
  readonly ttlSeconds: number;
  readonly keyType: PkiKeyType;
}

/**
 * The stack's CA: "internal", a root and an intermediate made inside Vault (keys never leave
 * it); "external", an intermediate whose CSR the organization's CA signs.
 */
export interface PkiConfig {
  readonly mode: "internal" | "external";
  /** The issuing (intermediate) mount. */
  readonly path: string;
  /** internal: the root's mount. */
  readonly rootPath?: string;
  readonly commonName: string;
  readonly keyType: PkiKeyType;
  readonly rootTtlSeconds: number;
  readonly intermediateTtlSeconds: number;
  readonly leafMaxTtlSeconds: number;
  readonly allowWildcards: boolean;
  /** external: the signed intermediate and its chain (PEM), once the CA has signed the CSR. */
  readonly intermediateCertificate?: string;
}

/** The stack's Kubernetes auth mount: TokenReview at host, with a reviewer token or the client's. */
export interface KubernetesMountConfig {
  readonly path: string;
  readonly host: string;
  readonly caCertificate?: string;
  readonly tokenReviewerJwt?: pulumi.Output<string>;
  readonly useClientJwt: boolean;
}

/** The stack's JWT auth mount: where signing keys come from, and the issuer tokens must carry. */
export interface JwtMountConfig {
  readonly path: string;
  readonly boundIssuer?: string;
  readonly jwksUrl?: string;
  readonly validationPublicKeys: readonly string[];
  readonly oidcDiscoveryUrl?: string;
}

export interface SeedConfig {
  readonly path: string;
  readonly mode: "overwrite" | "create-once";
  /** JSON of the seed's fields; always a secret. */
  readonly dataJson: pulumi.Output<string>;
}

export interface PlatformConfig {
  readonly project: string;
  readonly stack: string;
  readonly profile: ProfileName;
  readonly rules: ProfileRules;
  readonly protect: boolean;
  readonly server: {
    readonly flavor: Flavor;
    readonly image: string;
    readonly mode: ServerMode;
    readonly network: "host" | "bridge";
    readonly bindAddress: string;
    readonly port: number;
    readonly unsealKeyShares: number;
    readonly unsealKeyThreshold: number;
    readonly revokeRootToken: boolean;
    /** Raft nodes (containers) of a server-mode server. */
    readonly nodes: 1 | 3 | 5;
    /** One per key share: unseal keys are returned encrypted to these keys ([]: not encrypted). */
    readonly unsealPgpKeys: readonly string[];
    readonly tls: TlsConfig;
  };
  /** server.mode "external": where the cluster is and how the program logs in. */
  readonly external?: ExternalClusterConfig;
  /** server.mode "external": the namespace everything is configured in (none: the root). */
  readonly namespace?: NamespaceConfig;
  /**
   * server.mode "external" with tenancy "prefix": what every mount path, auth path and policy
   * name of the stack starts with (its name, e.g. "pr-7"); already part of the paths below.
   */
  readonly pathPrefix?: string;
  /** Server mode: the token of an already initialized server (else the program initializes it). */
  readonly vaultToken?: pulumi.Output<string>;
  readonly postgres: PostgresConfig;
  readonly kv: {
    readonly path: string;
    readonly maxVersions: number;
    readonly casRequired: boolean;
    readonly deleteVersionAfterSeconds: number;
  };
  readonly database: {
    readonly path: string;
    readonly defaultTtlSeconds: number;
    readonly maxTtlSeconds: number;
  };
  readonly transit: { readonly path: string; readonly autoRotatePeriodSeconds: number };
  readonly approle: {
    readonly path: string;
    readonly tokenTtlSeconds: number;
    readonly tokenMaxTtlSeconds: number;
    readonly secretIdTtlSeconds: number;
    readonly secretIdNumUses: number;
    readonly secretIdWrapTtl: string;
  };
  readonly audit: { readonly devices: readonly ("file" | "stdout")[] };
  readonly apps: readonly AppConfig[];
  readonly kubernetes?: KubernetesMountConfig;
  readonly jwt?: JwtMountConfig;
  readonly seeds: readonly SeedConfig[];
  /** Teams of people, each owning apps; empty where the stack lets no person in. */
  readonly teams: readonly TeamConfig[];
  /** How people log in (OIDC single sign-on or JWT); undefined: no login for people. */
  readonly people?: PeopleConfig;
  /** The stack's CA, where apps issue certificates. */
  readonly pki?: PkiConfig;
  /** Snapshots of the server's data (npm run backup). */
  readonly backup: BackupConfig;
}

export interface BackupConfig {
  /** How many snapshots npm run backup keeps per stack (the newest). */
  readonly keep: number;
  /** Where they go (relative to the project); default backups/<stack>. */
  readonly dir?: string;
}

// Reading and reporting.

/** TLS of a server-mode listener; a dev-mode server is always "disabled" (plain HTTP). */
export type TlsConfig =
  | { readonly mode: "disabled" }
  | {
      readonly mode: "generated";
      /** Names beyond localhost and the container name. */
      readonly dnsNames: readonly string[];
      readonly validityHours: number;
    }
  | {
      readonly mode: "provided";
      readonly certificate: string;
      /** What clients trust: the given CA, or the (self-signed) certificate itself. */
      readonly caCertificate: string;
      readonly privateKey: pulumi.Output<string>;
    };

/** How the program logs in to a cluster it does not run; the provider then holds a child token. */
export type ProgramAuth =
  | { readonly method: "token"; readonly token: pulumi.Output<string> }
  | {
      readonly method: "approle";
      readonly path: string;
      readonly roleId: string;
      readonly secretId: pulumi.Output<string>;
      /** Namespace of the auth mount; undefined: the root namespace. */
      readonly namespace?: string;
    }
  | {
      readonly method: "jwt";
      readonly path: string;
      readonly role: string;
      /** Where the CLI reads the JWT from (one of the two); it reaches the engine as env only. */
      readonly jwtFile?: string;
      readonly jwtEnv?: string;
      readonly namespace?: string;
    };

export interface ExternalClusterConfig {
  /** API addresses; the program configures through the first, checks fail over to the others. */
  readonly addresses: readonly string[];
  /** PEM bundle clients trust; undefined: the system trust store. */
  readonly caCertificate?: string;
  readonly auth: ProgramAuth;
}

export interface NamespaceConfig {
  /** Full path, e.g. "team-a" or "pr-7". */
  readonly path: string;
  /** Create it (and delete it at destroy, with every lease and token issued in it). */
  readonly create: boolean;
  /**
   * Set where the namespace is a pr-<n> stack's default rather than configured: the key of the
   * cluster's settings ("server" or "sharedCluster") whose tenancy "prefix" does without one.
   */
  readonly tenancyKey?: "server" | "sharedCluster";
}
