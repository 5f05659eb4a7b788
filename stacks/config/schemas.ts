/**
 * Schemas of what a user may write. Everything is optional here; profiles supply the defaults.
 */
import { z } from "zod";
import { isDuration, parseDuration } from "../../infra/duration";
import { FLAVORS, SERVER_MODES, TLS_MODES } from "../profiles";
import { appLoginFields } from "./login-schemas";
import { authPath, mountPath } from "./mount-path";
import { TENANCIES } from "./tenancy";

const DURATION_EXPECTED = 'a duration like "30s", "15m", "1h30m" or "7d"';
const duration = z
  .string({ error: `expected ${DURATION_EXPECTED}` })
  // abort: a malformed duration is not also parsed by the refinements after this one.
  .refine(isDuration, { error: `expected ${DURATION_EXPECTED}`, abort: true });
export const positiveDuration = duration.refine((text) => parseDuration(text) > 0, {
  error: "expected a duration greater than zero",
});
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CIDR =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
/** An integer from min to max, with one message for every way a value misses the range. */
function integerIn(base: z.ZodNumber, min: number, max: number, message: string): z.ZodNumber {
  return base.int({ error: message }).min(min, { error: message }).max(max, { error: message });
}
const PORT_MESSAGE = "expected an integer port from 1 to 65535";
const port = integerIn(z.number({ error: PORT_MESSAGE }), 1, 65535, PORT_MESSAGE);
/** Key types of the CA and of issued certificates (EC P-256, RSA 2048). */
export const PKI_KEY_TYPES = ["ec", "rsa"] as const;
const APP_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const KV_PATH = /^[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*(\/\*)?$|^\*$/;
const kvPath = z.string().regex(KV_PATH, {
  error: 'expected a KV path like "orders/*" or "orders/config" (no leading "/")',
});
const KEY_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export function isPinnedImage(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) {
    return true;
  }
  const tag = /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(image);
  return tag !== null && tag[1] !== "latest";
}

/** An image reference pinned to a version tag or digest. */
const pinnedImage = z.string().refine(isPinnedImage, {
  error: 'expected an image pinned to a version tag or digest (not "latest", not untagged)',
});

export const DNS_NAME =
  /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** A DNS name (a leading "*." allowed; the uses that refuse wildcards check for it). */
export const dnsName = z
  .string()
  .regex(DNS_NAME, { error: 'expected a DNS name like "vault.example.internal"' })
  // RFC 1035: a name of at most 253 characters (the labels' 63 is in DNS_NAME).
  .max(253, { error: "expected a DNS name of at most 253 characters (RFC 1035)" });
export const tlsSchema = z.strictObject({
  mode: z.enum(TLS_MODES).optional(),
  certificate: z.string().optional(),
  caCertificate: z.string().optional(),
  dnsNames: z.array(dnsName).optional(),
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

/** An API address of a cluster the program does not run: http(s)://host[:port], nothing more. */
export function addressProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected a URL like "https://vault.example.internal:8200"';
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return 'expected an https:// URL like "https://vault.example.internal:8200"';
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname && url.pathname !== "/")
  ) {
    return "expected scheme, host and port only (no path, query, fragment or credentials)";
  }
  return undefined;
}

const address = z.string().superRefine((text, context) => {
  const problem = addressProblem(text);
  if (problem) {
    context.addIssue({ code: "custom", message: problem });
  }
});

/** How the program logs in to a cluster it does not run. */
export const AUTH_METHODS = ["token", "approle", "jwt"] as const;
const ROLE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAMESPACE_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
export const namespacePath = z.string().regex(NAMESPACE_PATH, {
  error: 'expected a namespace path like "team-a" or "team-a/pr-7" (no leading or trailing "/")',
});
const authSchema = z.discriminatedUnion(
  "method",
  [
    z.strictObject({ method: z.literal("token") }),
    z.strictObject({
      method: z.literal("approle"),
      path: authPath.optional(),
      roleId: z.string().min(1, {
        error: "expected the role_id of the program's AppRole",
      }),
      namespace: namespacePath.optional(),
    }),
    z.strictObject({
      method: z.literal("jwt"),
      path: authPath.optional(),
      role: z.string().regex(ROLE_NAME, {
        error: "expected a role name (letters, digits, '_', '.', '-')",
      }),
      jwtFile: z.string().min(1, { error: "expected a file path" }).optional(),
      jwtEnv: z
        .string()
        .regex(ENV_NAME, { error: "expected an environment variable name" })
        .optional(),
      namespace: namespacePath.optional(),
    }),
  ],
  { error: `expected method ${AUTH_METHODS.map((m) => JSON.stringify(m)).join(", ")}` },
);

/** The fields that point the program at a cluster it does not run (server or sharedCluster). */
const clusterFields = {
  flavor: z.enum(FLAVORS).optional(),
  address: z
    .union([address, z.array(address).min(1, { error: "expected at least one address" })], {
      error: "expected a URL or a list of URLs",
    })
    .optional(),
  allowInsecure: z.boolean({ error: "expected true or false" }).optional(),
  auth: authSchema.optional(),
  /** How pr-<n> stacks share the cluster: a namespace each, or a path prefix each. */
  tenancy: z.enum(TENANCIES).optional(),
};

export const sharedClusterSchema = z.strictObject({
  ...clusterFields,
  tls: z.strictObject({ caCertificate: z.string().optional() }).optional(),
});

export const namespaceSchema = z.strictObject({
  path: namespacePath.optional(),
  create: z.boolean({ error: "expected true or false" }).optional(),
});

export const serverSchema = z.strictObject({
  ...clusterFields,
  image: pinnedImage.optional(),
  mode: z.enum(SERVER_MODES).optional(),
  network: z.enum(["host", "bridge"]).optional(),
  bindAddress: z.string().regex(IPV4, { error: "expected an IPv4 address" }).optional(),
  port: port.optional(),
  unsealKeyShares: integerIn(z.number(), 1, 10, "expected an integer from 1 to 10").optional(),
  unsealKeyThreshold: integerIn(z.number(), 1, 10, "expected an integer from 1 to 10").optional(),
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

export const postgresSchema = z.strictObject({
  host: z.string().min(1, { error: "expected a host name or address" }).optional(),
  /** Dev and pull-request stacks without postgres.host: the image of their own Postgres. */
  image: pinnedImage.optional(),
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

export const kvSchema = z.strictObject({
  path: mountPath.optional(),
  maxVersions: integerIn(z.number(), 0, 1000, "expected an integer from 0 to 1000").optional(),
  casRequired: z.boolean({ error: "expected true or false" }).optional(),
  deleteVersionAfter: duration.optional(),
});

export const databaseSchema = z.strictObject({
  path: mountPath.optional(),
  defaultTtl: positiveDuration.optional(),
  maxTtl: positiveDuration.optional(),
});

export const transitSchema = z.strictObject({
  path: mountPath.optional(),
  autoRotatePeriod: duration.optional(),
});

export const approleSchema = z.strictObject({
  path: authPath.optional(),
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

export const auditSchema = z.strictObject({
  devices: z
    .array(z.enum(["file", "stdout"]))
    .min(1, { error: "expected at least one audit device" })
    .refine((devices) => new Set(devices).size === devices.length, {
      error: "expected each audit device at most once",
    })
    .optional(),
});

export const appSchema = z.strictObject({
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
  ...appLoginFields,
  /** Certificates the app may issue itself from the stack's CA (needs vault-platform:pki). */
  pki: z
    .strictObject({
      names: z.array(dnsName).min(1, { error: "expected at least one DNS name" }),
      allowSubdomains: z.boolean({ error: "expected true or false" }).optional(),
      allowIpSans: z.boolean({ error: "expected true or false" }).optional(),
      ttl: positiveDuration.optional(),
      keyType: z.enum(PKI_KEY_TYPES).optional(),
    })
    .optional(),
});

const seedSchema = z.strictObject({
  mode: z.enum(["overwrite", "create-once"]).optional(),
  data: z
    .record(z.string(), z.string({ error: "expected a string value" }))
    .refine((data) => Object.keys(data).length > 0, { error: "expected at least one field" }),
});

const SEED_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
export const seedsSchema = z.record(
  z.string().regex(SEED_PATH, { error: 'expected a KV path like "orders/config"' }),
  seedSchema,
);
