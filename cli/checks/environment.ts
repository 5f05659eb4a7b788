/**
 * What the outside-in checks are given (a deployed environment, as its stack outputs describe
 * it) and what each check gives back. Every check module takes its types from here.
 */

/** How an app logs in. */
export type LoginMethod = "approle" | "kubernetes" | "jwt";

export interface AppUnderTest {
  readonly name: string;
  /** Its ACL policy (the stack output; derived from the name where an older stack lacks it). */
  readonly policy?: string;
  /** AppRole role_id (apps that log in with AppRole). */
  readonly roleId?: string;
  /** Login methods (default AppRole only). */
  readonly logins?: readonly LoginMethod[];
  readonly kvRead: readonly string[];
  readonly kvWrite?: readonly string[];
  readonly databaseRole?: string;
  readonly databaseAccess?: "readonly" | "readwrite";
  readonly transitKeys: readonly string[];
  /** Its certificate role and the names it declares (apps with pki). */
  readonly pki?: {
    readonly role: string;
    readonly names: readonly string[];
    readonly allowSubdomains: boolean;
    readonly allowIpSans?: boolean;
  };
}

/** A team as the stack exports it (`teams.<name>`). */
export interface TeamUnderTest {
  readonly name: string;
  readonly policy: string;
  /** The policy text the stack wrote: what Vault must hold. */
  readonly document: string;
  readonly groups: readonly string[];
  readonly apps: readonly string[];
  readonly access: "read" | "operate";
}

/** A member's JWT (for a jwt login) or a Vault token a member obtained (e.g. by OIDC). */
export type MemberCredential = { readonly jwt: string } | { readonly token: string };

export interface Environment {
  readonly address: string;
  /** An external cluster's addresses: a request fails over to the next (see vaultRequest). */
  readonly addresses?: readonly string[];
  /** The namespace the environment lives in (none: the root). */
  readonly namespace?: string;
  /** PEM of the CA a TLS listener's certificate chains to. */
  readonly caCert?: string;
  /** A token allowed to mint secret-ids (the dev root token, or the provisioning token). */
  readonly adminToken: string;
  readonly mounts: {
    readonly kv: string;
    readonly database: string;
    readonly transit: string;
    readonly approle: string;
    readonly kubernetes?: string;
    readonly jwt?: string;
    /** Where people log in (OIDC or JWT), where the stack lets people in. */
    readonly people?: string;
  };
  /** Tokens an app presents to its JWT and Kubernetes logins (a CI's OIDC token, a pod's). */
  readonly loginTokens?: Readonly<Record<string, Partial<Record<"jwt" | "kubernetes", string>>>>;
  readonly apps: readonly AppUnderTest[];
  /** Teams of people and the role they log in with (none: the stack lets no person in). */
  readonly teams?: readonly TeamUnderTest[];
  readonly people?: { readonly method: "oidc" | "jwt"; readonly role: string };
  /** What a member of a team logs in with: a JWT of theirs, or a Vault token they obtained. */
  readonly memberCredentials?: Readonly<Record<string, MemberCredential>>;
  readonly postgres: { readonly host: string; readonly port: number; readonly database: string };
  /** The stack's CA (output pki), where apps issue certificates. */
  readonly pki?: {
    readonly path: string;
    /** What clients trust (PEM). */
    readonly caCertificate?: string;
    /** The intermediate and its issuers (PEM). */
    readonly chain?: string;
    /** False while an external CA has not signed the intermediate yet. */
    readonly ready: boolean;
  };
  /** Container whose audit log to read, and where the log is inside it (none: external). */
  readonly container?: string;
  /** A raft cluster: every node's container (each active node audits what it served). */
  readonly containers?: readonly string[];
  readonly auditLogPath?: string;
  /** A table in postgres.database that readwrite may write and readonly may not. */
  readonly probeTable?: string;
}

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Could not run here (e.g. no token for a login): not a pass, not a failure. */
  readonly skipped?: boolean;
}
