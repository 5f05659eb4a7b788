/**
 * Stack config -> one typed, validated, frozen object. Every bad value fails here, before any
 * resource is registered, with a message that names the key, the value and what was expected.
 * No side effects at import time; the raw values come through a `ConfigSource` so tests can feed
 * any input without a Pulumi engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isDuration, parseDuration } from "../infra/duration";
import { pgIdentifier } from "../infra/naming";
import {
  DEFAULT_IMAGES,
  EPHEMERAL_STACK,
  FLAVORS,
  PROFILE_NAMES,
  ProfileName,
  ProfileRules,
  Flavor,
  TLS_MODES,
  inferProfile,
  profileDefaults,
} from "./profiles";
import { checkProvidedTls } from "./tls-config";

export const NAMESPACE = "vault-platform";

/**
 * What a source that cannot decrypt (the stack files read at another git revision) returns for
 * an encrypted value: present and secret, content unknown.
 */
export const ENCRYPTED_PLACEHOLDER = "[encrypted]";

/** Raw access to stack config: the decrypted string of a key, and whether it is stored encrypted. */
export interface ConfigSource {
  get(key: string): string | undefined;
  isSecret(key: string): boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid stack config:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

// ---------------------------------------------------------------------------------------------
// Schemas of what a user may write. Everything is optional here; profiles supply the defaults.

const DURATION_EXPECTED = 'a duration like "30s", "15m", "1h30m" or "7d"';
const duration = z.string().refine(isDuration, { error: `expected ${DURATION_EXPECTED}` });
const positiveDuration = duration.refine((text) => parseDuration(text) > 0, {
  error: "expected a duration greater than zero",
});
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CIDR =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const port = z
  .number({ error: "expected an integer port from 1 to 65535" })
  .int({ error: "expected an integer port from 1 to 65535" })
  .min(1, { error: "expected an integer port from 1 to 65535" })
  .max(65535, { error: "expected an integer port from 1 to 65535" });
const APP_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const MOUNT_PATH = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
const mountPath = z.string().regex(MOUNT_PATH, {
  error:
    'expected a mount path like "secret" or "team/kv" (lower case, no leading or trailing "/")',
});
const KV_PATH = /^[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*(\/\*)?$|^\*$/;
const kvPath = z.string().regex(KV_PATH, {
  error: 'expected a KV path like "orders/*" or "orders/config" (no leading "/")',
});
const KEY_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

function isPinnedImage(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) {
    return true;
  }
  const tag = /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(image);
  return tag !== null && tag[1] !== "latest";
}

const DNS_NAME =
  /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const tlsSchema = z.strictObject({
  mode: z.enum(TLS_MODES).optional(),
  certificate: z.string().optional(),
  caCertificate: z.string().optional(),
  dnsNames: z
    .array(
      z.string().regex(DNS_NAME, { error: 'expected a DNS name like "vault.example.internal"' }),
    )
    .optional(),
  validity: duration
    .refine((text) => parseDuration(text) >= 3600, { error: "expected at least 1h" })
    .optional(),
});

/**
 * A base64 OpenPGP public key as `gpg --export <id> | base64 -w0` prints it: the first packet is
 * a public-key packet (tag 6), in the old or the new packet format.
 */
export function isPgpPublicKey(text: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    return false;
  }
  const first = Buffer.from(text, "base64")[0] ?? 0;
  if ((first & 0x80) === 0) {
    return false;
  }
  const tag = (first & 0x40) !== 0 ? first & 0x3f : (first & 0x3c) >> 2;
  return tag === 6;
}

const serverSchema = z.strictObject({
  flavor: z.enum(FLAVORS).optional(),
  image: z
    .string()
    .refine(isPinnedImage, {
      error: 'expected an image pinned to a version tag or digest (not "latest", not untagged)',
    })
    .optional(),
  mode: z.enum(["dev", "server"]).optional(),
  network: z.enum(["host", "bridge"]).optional(),
  bindAddress: z.string().regex(IPV4, { error: "expected an IPv4 address" }).optional(),
  port: port.optional(),
  unsealKeyShares: z
    .number()
    .int({ error: "expected an integer from 1 to 10" })
    .min(1, { error: "expected an integer from 1 to 10" })
    .max(10, { error: "expected an integer from 1 to 10" })
    .optional(),
  unsealKeyThreshold: z
    .number()
    .int({ error: "expected an integer from 1 to 10" })
    .min(1, { error: "expected an integer from 1 to 10" })
    .max(10, { error: "expected an integer from 1 to 10" })
    .optional(),
  revokeRootToken: z.boolean({ error: "expected true or false" }).optional(),
  nodes: z
    .union([z.literal(1), z.literal(3), z.literal(5)], {
      error: "expected 1, 3 or 5 (a raft cluster needs an odd number of nodes)",
    })
    .optional(),
  unsealPgpKeys: z
    .array(
      z.string().refine(isPgpPublicKey, {
        error: "expected a base64 PGP public key (gpg --export <key id> | base64 -w0)",
      }),
    )
    .optional(),
  tls: tlsSchema.optional(),
});

const postgresSchema = z.strictObject({
  host: z.string().min(1, { error: "expected a host name or address" }).optional(),
  port: port.optional(),
  database: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error: "expected a Postgres identifier ([a-z_][a-z0-9_]*)",
    })
    .optional(),
  adminUser: z.string().min(1, { error: "expected a role name" }).optional(),
  sslmode: z.enum(["disable", "require", "verify-ca", "verify-full"]).optional(),
  createDatabase: z.boolean({ error: "expected true or false" }).optional(),
  maxOpenConnections: z
    .number()
    .int()
    .min(1, { error: "expected an integer of at least 1" })
    .max(100, { error: "expected an integer of at most 100" })
    .optional(),
});

const kvSchema = z.strictObject({
  path: mountPath.optional(),
  maxVersions: z
    .number()
    .int({ error: "expected an integer from 0 to 1000" })
    .min(0, { error: "expected an integer from 0 to 1000" })
    .max(1000, { error: "expected an integer from 0 to 1000" })
    .optional(),
  casRequired: z.boolean({ error: "expected true or false" }).optional(),
  deleteVersionAfter: duration.optional(),
});

const databaseSchema = z.strictObject({
  path: mountPath.optional(),
  defaultTtl: positiveDuration.optional(),
  maxTtl: positiveDuration.optional(),
});

const transitSchema = z.strictObject({
  path: mountPath.optional(),
  autoRotatePeriod: duration.optional(),
});

const approleSchema = z.strictObject({
  path: mountPath.optional(),
  tokenTtl: positiveDuration.optional(),
  tokenMaxTtl: positiveDuration.optional(),
  secretIdTtl: positiveDuration.optional(),
  secretIdNumUses: z
    .number({ error: "expected an integer of at least 1" })
    .int({ error: "expected an integer of at least 1" })
    .min(1, { error: "expected an integer of at least 1 (0 would allow unlimited uses)" })
    .optional(),
  secretIdWrapTtl: positiveDuration.optional(),
});

const auditSchema = z.strictObject({
  devices: z
    .array(z.enum(["file", "stdout"]))
    .min(1, { error: "expected at least one audit device" })
    .refine((devices) => new Set(devices).size === devices.length, {
      error: "expected each audit device at most once",
    })
    .optional(),
});

const appSchema = z.strictObject({
  name: z.string({ error: "expected an app name" }).regex(APP_NAME, {
    error: "expected an app name of 2-32 characters: lower case letters, digits and '-'",
  }),
  kv: z
    .strictObject({
      read: z.array(kvPath).optional(),
      write: z.array(kvPath).optional(),
    })
    .optional(),
  database: z.enum(["none", "readonly", "readwrite"]).optional(),
  transitKeys: z
    .array(
      z.string().regex(KEY_NAME, {
        error: "expected a key name: lower case letter first, then letters, digits, '_' or '-'",
      }),
    )
    .optional(),
  boundCidrs: z
    .array(z.string().regex(CIDR, { error: 'expected a CIDR like "10.0.0.0/8"' }))
    .optional(),
  issueSecretId: z.boolean({ error: "expected true or false" }).optional(),
});

const seedSchema = z.strictObject({
  mode: z.enum(["overwrite", "create-once"]).optional(),
  data: z
    .record(z.string(), z.string({ error: "expected a string value" }))
    .refine((data) => Object.keys(data).length > 0, { error: "expected at least one field" }),
});

const SEED_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const seedsSchema = z.record(
  z.string().regex(SEED_PATH, { error: 'expected a KV path like "orders/config"' }),
  seedSchema,
);

// ---------------------------------------------------------------------------------------------
// The resolved, typed result.

export interface AppConfig {
  readonly name: string;
  readonly kv: { readonly read: readonly string[]; readonly write: readonly string[] };
  readonly database: "none" | "readonly" | "readwrite";
  readonly transitKeys: readonly string[];
  readonly boundCidrs: readonly string[];
  readonly issueSecretId: boolean;
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
    readonly mode: "dev" | "server";
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
  /** Server mode: the token of an already initialized server (else the program initializes it). */
  readonly vaultToken?: pulumi.Output<string>;
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly adminUser: string;
    readonly adminPassword?: pulumi.Output<string>;
    readonly sslmode: "disable" | "require" | "verify-ca" | "verify-full";
    readonly createDatabase: boolean;
    readonly maxOpenConnections: number;
  };
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
  readonly seeds: readonly SeedConfig[];
}

// ---------------------------------------------------------------------------------------------
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

/** Keys that hold secrets: their values never appear in an error message. */
const SECRET_KEYS = new Set(["seeds", "postgresAdminPassword", "vaultToken", "tlsPrivateKey"]);

export const CONFIG_KEYS = [
  "profile",
  "protect",
  "server",
  "postgres",
  "postgresAdminPassword",
  "vaultToken",
  "tlsPrivateKey",
  "kv",
  "database",
  "transit",
  "approle",
  "audit",
  "apps",
  "seeds",
] as const;

function describeValue(key: string, value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  if (SECRET_KEYS.has(key)) {
    return "[secret]";
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function formatPath(key: string, path: readonly PropertyKey[]): string {
  let text = `${NAMESPACE}:${key}`;
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : `.${String(segment)}`;
  }
  return text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object",
};

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "invalid_key":
      return issue.issues[0]?.message ?? issue.message;
    case "invalid_value":
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default:
      return issue.message;
  }
}

class Problems {
  readonly list: string[] = [];
  add(key: string, path: readonly PropertyKey[], message: string, value: unknown): void {
    this.list.push(`${formatPath(key, path)}: ${message}; got ${describeValue(key, value)}`);
  }
}

function readJson(source: ConfigSource, key: string, problems: Problems): unknown {
  const raw = source.get(`${NAMESPACE}:${key}`);
  // Every key is declared in Pulumi.yaml with an empty default (Pulumi requires a value for a
  // declared key without one): empty means unset, so the profile decides.
  if (raw === undefined || raw === "") {
    return undefined;
  }
  try {
    return JSON.parse(raw);
  } catch {
    // Plain strings (pulumi config set key value) are not JSON; booleans and numbers are.
    if (key === "profile" || key === "protect") {
      return raw;
    }
    problems.add(key, [], "expected a structured value (set it with --path or as JSON)", raw);
    return undefined;
  }
}

function parse<T>(
  schema: z.ZodType<T>,
  source: ConfigSource,
  key: string,
  problems: Problems,
): T | undefined {
  const raw = readJson(source, key, problems);
  if (raw === undefined) {
    return undefined;
  }
  const result = schema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  for (const issue of result.error.issues) {
    const value = valueAt(raw, issue.path);
    const shown =
      issue.code === "unrecognized_keys" && value && typeof value === "object"
        ? Object.keys(value)
        : value;
    problems.add(key, issue.path, describeIssue(issue), shown);
  }
  return undefined;
}

function readSecretString(
  source: ConfigSource,
  key: string,
  problems: Problems,
): pulumi.Output<string> | undefined {
  const raw = source.get(`${NAMESPACE}:${key}`);
  if (raw === undefined || raw === "") {
    return undefined;
  }
  if (!source.isSecret(`${NAMESPACE}:${key}`)) {
    problems.add(
      key,
      [],
      "must be stored encrypted: set it with `pulumi config set --secret`",
      raw,
    );
    return undefined;
  }
  return pulumi.secret(raw);
}

const DEFAULT_APP_KV_READ = (app: string): string[] => [`${app}/*`];

/**
 * Reads and validates the whole stack config. Throws a ConfigError listing every problem found.
 */
export function loadConfig(source: ConfigSource, project: string, stack: string): PlatformConfig {
  const problems = new Problems();

  const profileValue = readJson(source, "profile", problems);
  let profile: ProfileName | undefined;
  if (profileValue === undefined) {
    profile = inferProfile(stack);
    if (profile === undefined) {
      problems.add(
        "profile",
        [],
        `stack "${stack}" has no implied profile (dev, staging, prod, pr-<n>); expected one of ${PROFILE_NAMES.map((p) => JSON.stringify(p)).join(", ")}`,
        undefined,
      );
    }
  } else if (
    typeof profileValue === "string" &&
    (PROFILE_NAMES as readonly string[]).includes(profileValue)
  ) {
    profile = profileValue as ProfileName;
    if (profile === "ephemeral" && !EPHEMERAL_STACK.test(stack)) {
      problems.add(
        "profile",
        [],
        `the ephemeral profile needs a stack named pr-<n>, not "${stack}"`,
        profileValue,
      );
    }
  } else {
    problems.add(
      "profile",
      [],
      `expected one of ${PROFILE_NAMES.map((p) => JSON.stringify(p)).join(", ")}`,
      profileValue,
    );
  }

  const protectValue = readJson(source, "protect", problems);
  if (protectValue !== undefined && typeof protectValue !== "boolean") {
    problems.add("protect", [], "expected true or false", protectValue);
  }
  const server = parse(serverSchema, source, "server", problems);
  const postgres = parse(postgresSchema, source, "postgres", problems);
  const kv = parse(kvSchema, source, "kv", problems);
  const database = parse(databaseSchema, source, "database", problems);
  const transit = parse(transitSchema, source, "transit", problems);
  const approle = parse(approleSchema, source, "approle", problems);
  const audit = parse(auditSchema, source, "audit", problems);
  const apps = parse(z.array(appSchema), source, "apps", problems);
  const vaultToken = readSecretString(source, "vaultToken", problems);
  const postgresAdminPassword = readSecretString(source, "postgresAdminPassword", problems);
  const tlsPrivateKey = readSecretString(source, "tlsPrivateKey", problems);
  const tlsPrivateKeyText = source.get(`${NAMESPACE}:tlsPrivateKey`);

  let seeds: z.infer<typeof seedsSchema> | undefined;
  const rawSeeds = source.get(`${NAMESPACE}:seeds`);
  if (rawSeeds !== undefined && rawSeeds !== "" && rawSeeds !== "{}") {
    if (!source.isSecret(`${NAMESPACE}:seeds`)) {
      problems.add(
        "seeds",
        [],
        "must be stored encrypted: set it with `pulumi config set --secret`",
        undefined,
      );
    } else {
      seeds = parse(seedsSchema, source, "seeds", problems);
    }
  }

  if (profile === undefined || problems.list.length > 0) {
    throw new ConfigError(problems.list);
  }

  // ---- Resolve against the profile. -------------------------------------------------------
  const defaults = profileDefaults(profile, stack);
  const flavor = server?.flavor ?? "vault";
  const resolvedServer = {
    flavor,
    image: server?.image ?? DEFAULT_IMAGES[flavor],
    mode: server?.mode ?? defaults.server.mode,
    network: server?.network ?? defaults.server.network,
    bindAddress: server?.bindAddress ?? "127.0.0.1",
    port: server?.port ?? defaults.server.port,
    unsealKeyShares: server?.unsealKeyShares ?? 3,
    unsealKeyThreshold: server?.unsealKeyThreshold ?? 2,
    revokeRootToken: server?.revokeRootToken ?? false,
    unsealPgpKeys: server?.unsealPgpKeys ?? [],
    nodes: server?.nodes ?? 1,
  };
  if (resolvedServer.mode === "dev" && resolvedServer.nodes > 1) {
    problems.add(
      "server",
      ["nodes"],
      "applies to server mode only; a dev-mode server is one in-memory node; expected 1",
      resolvedServer.nodes,
    );
  }
  const pgpKeyCount = resolvedServer.unsealPgpKeys.length;
  if (pgpKeyCount > 0 && (resolvedServer.mode === "dev" || vaultToken !== undefined)) {
    problems.add(
      "server",
      ["unsealPgpKeys"],
      "applies to a server-mode server the program initializes (no dev mode, no vaultToken)",
      `${pgpKeyCount} key${pgpKeyCount === 1 ? "" : "s"}`,
    );
  } else if (pgpKeyCount > 0 && pgpKeyCount !== resolvedServer.unsealKeyShares) {
    problems.add(
      "server",
      ["unsealPgpKeys"],
      `expected one key per unseal key share (unsealKeyShares = ${resolvedServer.unsealKeyShares})`,
      `${pgpKeyCount} key${pgpKeyCount === 1 ? "" : "s"}`,
    );
  }
  const tlsMode =
    server?.tls?.mode ?? (resolvedServer.mode === "dev" ? "disabled" : defaults.server.tls);
  const resolvedTls = resolveTls(
    tlsMode,
    server?.tls ?? {},
    tlsPrivateKey,
    tlsPrivateKeyText,
    resolvedServer,
    problems,
  );
  if (resolvedServer.mode === "dev" && tlsMode !== "disabled") {
    problems.add(
      "server",
      ["tls", "mode"],
      'applies to server mode only; a dev-mode server listens on plain HTTP; expected "disabled"',
      tlsMode,
    );
  }
  if (resolvedServer.mode === "server" && tlsMode === "disabled" && defaults.rules.requireTls) {
    problems.add(
      "server",
      ["tls", "mode"],
      `the ${profile} profile requires TLS on the listener; expected "generated" or "provided"`,
      tlsMode,
    );
  }
  const resolvedPostgres = {
    host: postgres?.host ?? defaults.postgres.host,
    port: postgres?.port ?? 5432,
    database: postgres?.database ?? pgIdentifier("vp", stack),
    adminUser: postgres?.adminUser ?? "postgres",
    adminPassword: postgresAdminPassword,
    sslmode: postgres?.sslmode ?? "disable",
    createDatabase: postgres?.createDatabase ?? defaults.postgres.createDatabase,
    maxOpenConnections: postgres?.maxOpenConnections ?? 4,
  };
  const resolvedApprole = {
    path: approle?.path ?? "approle",
    tokenTtl: approle?.tokenTtl ?? defaults.approle.tokenTtl,
    tokenMaxTtl: approle?.tokenMaxTtl ?? defaults.approle.tokenMaxTtl,
    secretIdTtl: approle?.secretIdTtl ?? defaults.approle.secretIdTtl,
    secretIdNumUses: approle?.secretIdNumUses ?? defaults.approle.secretIdNumUses,
    secretIdWrapTtl: approle?.secretIdWrapTtl ?? defaults.approle.secretIdWrapTtl,
  };
  const resolvedDatabase = {
    path: database?.path ?? "database",
    defaultTtl: database?.defaultTtl ?? defaults.database.defaultTtl,
    maxTtl: database?.maxTtl ?? defaults.database.maxTtl,
  };
  const resolvedAudit = { devices: audit?.devices ?? defaults.audit.devices };
  const resolvedKv = {
    path: kv?.path ?? "secret",
    maxVersions: kv?.maxVersions ?? defaults.kv.maxVersions,
    casRequired: kv?.casRequired ?? false,
    deleteVersionAfter: kv?.deleteVersionAfter ?? defaults.kv.deleteVersionAfter,
  };
  const resolvedTransit = {
    path: transit?.path ?? "transit",
    autoRotatePeriod: transit?.autoRotatePeriod ?? defaults.transit.autoRotatePeriod,
  };
  const resolvedApps: AppConfig[] = (apps ?? []).map((app) => ({
    name: app.name,
    kv: { read: app.kv?.read ?? DEFAULT_APP_KV_READ(app.name), write: app.kv?.write ?? [] },
    database: app.database ?? "none",
    transitKeys: app.transitKeys ?? [],
    boundCidrs: app.boundCidrs ?? [],
    issueSecretId: app.issueSecretId ?? false,
  }));

  // ---- Cross-field rules. -----------------------------------------------------------------
  const rules = defaults.rules;
  if (resolvedServer.mode === "dev" && !rules.allowDevMode) {
    problems.add(
      "server",
      ["mode"],
      `the ${profile} profile does not allow a dev-mode server; expected "server"`,
      "dev",
    );
  }
  if (resolvedServer.unsealKeyThreshold > resolvedServer.unsealKeyShares) {
    problems.add(
      "server",
      ["unsealKeyThreshold"],
      `expected at most unsealKeyShares (${resolvedServer.unsealKeyShares})`,
      resolvedServer.unsealKeyThreshold,
    );
  }
  if (resolvedServer.mode === "dev" && resolvedServer.revokeRootToken) {
    problems.add(
      "server",
      ["revokeRootToken"],
      "applies to server mode only; a dev server's root token is generated",
      true,
    );
  }
  if (resolvedPostgres.host === undefined) {
    problems.add(
      "postgres",
      ["host"],
      `the ${profile} profile has no default Postgres host; expected a host name or address`,
      undefined,
    );
  } else if (
    resolvedServer.network === "bridge" &&
    ["127.0.0.1", "localhost", "::1"].includes(resolvedPostgres.host)
  ) {
    problems.add(
      "postgres",
      ["host"],
      'a container on a bridge network cannot reach the host\'s loopback; set vault-platform:server.network to "host" or use an address Vault can reach',
      resolvedPostgres.host,
    );
  }
  if (protectValue === false && !rules.teardownAllowed) {
    problems.add(
      "protect",
      [],
      `the ${profile} profile keeps data-bearing resources protected; expected true`,
      false,
    );
  }
  if (resolvedAudit.devices.length < rules.minAuditDevices) {
    problems.add(
      "audit",
      ["devices"],
      `the ${profile} profile needs at least ${rules.minAuditDevices} audit devices`,
      resolvedAudit.devices,
    );
  }
  if (parseDuration(resolvedApprole.tokenTtl) > parseDuration(resolvedApprole.tokenMaxTtl)) {
    problems.add(
      "approle",
      ["tokenTtl"],
      `expected at most tokenMaxTtl (${resolvedApprole.tokenMaxTtl})`,
      resolvedApprole.tokenTtl,
    );
  }
  if (parseDuration(resolvedDatabase.defaultTtl) > parseDuration(resolvedDatabase.maxTtl)) {
    problems.add(
      "database",
      ["defaultTtl"],
      `expected at most maxTtl (${resolvedDatabase.maxTtl})`,
      resolvedDatabase.defaultTtl,
    );
  }
  const mounts = new Map<string, string>();
  for (const [key, path] of [
    ["kv", resolvedKv.path],
    ["database", resolvedDatabase.path],
    ["transit", resolvedTransit.path],
  ] as const) {
    const other = mounts.get(path);
    if (other !== undefined) {
      problems.add(
        key,
        ["path"],
        `mount path is already used by vault-platform:${other}.path`,
        path,
      );
    }
    mounts.set(path, key);
  }
  if (resolvedApps.length === 0) {
    problems.add("apps", [], "expected at least one app (see README: adding an app)", apps);
  }
  const appNames = new Set<string>();
  const keyOwners = new Map<string, string>();
  resolvedApps.forEach((app, index) => {
    if (appNames.has(app.name)) {
      problems.add("apps", [index, "name"], "app names must be unique", app.name);
    }
    appNames.add(app.name);
    for (const key of app.transitKeys) {
      const owner = keyOwners.get(key);
      if (owner !== undefined && owner !== app.name) {
        problems.add(
          "apps",
          [index, "transitKeys"],
          `transit key "${key}" already belongs to app "${owner}"`,
          app.transitKeys,
        );
      }
      keyOwners.set(key, app.name);
    }
    if (rules.requireBoundCidrs && app.boundCidrs.length === 0) {
      problems.add(
        "apps",
        [index, "boundCidrs"],
        `the ${profile} profile requires AppRole logins bound to CIDRs`,
        app.boundCidrs,
      );
    }
  });
  const resolvedSeeds: SeedConfig[] = Object.entries(seeds ?? {}).map(([path, seed]) => ({
    path,
    mode: seed.mode ?? "overwrite",
    dataJson: pulumi.secret(JSON.stringify(seed.data)),
  }));

  if (problems.list.length > 0) {
    throw new ConfigError(problems.list);
  }

  return deepFreeze({
    project,
    stack,
    profile,
    rules,
    protect: typeof protectValue === "boolean" ? protectValue : !rules.teardownAllowed,
    server: { ...resolvedServer, tls: resolvedTls },
    vaultToken,
    postgres: { ...resolvedPostgres, host: resolvedPostgres.host as string },
    kv: {
      path: resolvedKv.path,
      maxVersions: resolvedKv.maxVersions,
      casRequired: resolvedKv.casRequired,
      deleteVersionAfterSeconds: parseDuration(resolvedKv.deleteVersionAfter),
    },
    database: {
      path: resolvedDatabase.path,
      defaultTtlSeconds: parseDuration(resolvedDatabase.defaultTtl),
      maxTtlSeconds: parseDuration(resolvedDatabase.maxTtl),
    },
    transit: {
      path: resolvedTransit.path,
      autoRotatePeriodSeconds: parseDuration(resolvedTransit.autoRotatePeriod),
    },
    approle: {
      path: resolvedApprole.path,
      tokenTtlSeconds: parseDuration(resolvedApprole.tokenTtl),
      tokenMaxTtlSeconds: parseDuration(resolvedApprole.tokenMaxTtl),
      secretIdTtlSeconds: parseDuration(resolvedApprole.secretIdTtl),
      secretIdNumUses: resolvedApprole.secretIdNumUses,
      secretIdWrapTtl: resolvedApprole.secretIdWrapTtl,
    },
    audit: resolvedAudit,
    apps: resolvedApps,
    seeds: resolvedSeeds,
  });
}

const DEFAULT_TLS_VALIDITY = "2160h";

/** The TLS settings for a mode, with every problem of the fields that mode uses (or must not). */
function resolveTls(
  mode: TlsConfig["mode"],
  tls: z.infer<typeof tlsSchema>,
  privateKey: pulumi.Output<string> | undefined,
  privateKeyText: string | undefined,
  server: { readonly bindAddress: string },
  problems: Problems,
): TlsConfig {
  const unused = (
    field: "certificate" | "caCertificate" | "dnsNames" | "validity",
    only: string,
  ) => {
    if (tls[field] !== undefined) {
      problems.add(
        "server",
        ["tls", field],
        `applies to server.tls.mode "${only}" only`,
        tls[field],
      );
    }
  };
  if (mode !== "provided") {
    unused("certificate", "provided");
    unused("caCertificate", "provided");
    if (privateKey !== undefined) {
      problems.add("tlsPrivateKey", [], 'applies to server.tls.mode "provided" only', "set");
    }
  }
  if (mode !== "generated") {
    unused("dnsNames", "generated");
    unused("validity", "generated");
  }
  switch (mode) {
    case "disabled":
      return { mode };
    case "generated":
      return {
        mode,
        dnsNames: tls.dnsNames ?? [],
        validityHours: parseDuration(tls.validity ?? DEFAULT_TLS_VALIDITY) / 3600,
      };
    case "provided": {
      if (tls.certificate === undefined) {
        problems.add(
          "server",
          ["tls", "certificate"],
          'TLS mode "provided" needs the PEM of the server certificate (or set server.tls.mode to "generated")',
          undefined,
        );
      }
      if (privateKey === undefined) {
        problems.add(
          "tlsPrivateKey",
          [],
          'TLS mode "provided" needs the certificate\'s private key, set with `pulumi config set --secret`',
          undefined,
        );
      }
      if (tls.certificate !== undefined) {
        const host = server.bindAddress === "0.0.0.0" ? "127.0.0.1" : server.bindAddress;
        const keyText =
          privateKey !== undefined && privateKeyText !== ENCRYPTED_PLACEHOLDER
            ? privateKeyText
            : undefined;
        const found = checkProvidedTls({
          certificate: tls.certificate,
          caCertificate: tls.caCertificate,
          privateKey: keyText,
          host,
        });
        for (const problem of found) {
          if (problem.field === "tlsPrivateKey") {
            problems.add("tlsPrivateKey", [], problem.message, "set");
          } else {
            problems.add("server", ["tls", problem.field], problem.message, "a PEM value");
          }
        }
      }
      return {
        mode,
        certificate: tls.certificate ?? "",
        caCertificate: tls.caCertificate ?? tls.certificate ?? "",
        privateKey: privateKey ?? pulumi.secret(""),
      };
    }
  }
}

/** Freezes plain data recursively; Outputs are left alone. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !pulumi.Output.isInstance(value)) {
    Object.values(value).forEach((child) => deepFreeze(child));
    Object.freeze(value);
  }
  return value;
}

/**
 * The ConfigSource of a running Pulumi program. Whether a key is stored encrypted is only exposed
 * by the SDK's runtime module (not in its typings); the SDK version is pinned exactly.
 */
export function pulumiConfigSource(): ConfigSource {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret(key: string): boolean;
  };
  return {
    get: (key) => pulumi.runtime.getConfig(key),
    isSecret: (key) => runtimeConfig.isConfigSecret(key),
  };
}
