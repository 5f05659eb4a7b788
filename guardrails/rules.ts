/**
 * The checks of the vault-platform policy pack, as pure functions of what @pulumi/policy hands a
 * validation (type, name, props and, for protect, opts). Each check ignores resources of other
 * types and reports every problem it finds through `reportViolation`, so tests call it directly and
 * the pack (policies.ts) only wires it up.
 *
 * Values are read where they are used, never inside a try block: during a preview an unknown value
 * throws when read, and the engine turns that into "can't run during preview" only if the error
 * reaches it.
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { AclParseError, AclPathRule, parseAclPolicy } from "./acl-document";

/** What a check reads of a resource; ResourceValidationArgs and PolicyResource both fit. */
export type CheckedResource = Pick<ResourceValidationArgs, "type" | "name" | "props"> & {
  readonly opts?: { readonly protect?: boolean };
};

/** What a stack-level check reads of each resource of the stack. */
export type StackResource = Pick<PolicyResource, "type" | "name" | "props">;

export const RESOURCE_TYPES = {
  container: "docker:index/container:Container",
  volume: "docker:index/volume:Volume",
  mount: "vault:index/mount:Mount",
  audit: "vault:index/audit:Audit",
  aclPolicy: "vault:index/policy:Policy",
  approleRole: "vault:appRole/authBackendRole:AuthBackendRole",
  transitKey: "vault:transit/secretBackendKey:SecretBackendKey",
  postgresDatabase: "postgresql:index/database:Database",
} as const;

function shown(value: unknown): string {
  return value === undefined || value === null ? "not set" : JSON.stringify(value);
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** HCL/JSON config often writes a list of one as a bare object; both mean the same. */
function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

// --- The server container ---------------------------------------------------------------------

/** "-dev" and "-dev-tls" switch dev mode on; the Go flag parser also takes "--" and "=true". */
const DEV_MODE_FLAG = /^--?dev(-tls)?(=(1|t|T|TRUE|true|True))?$/;

export function checkNoDevModeServer(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== RESOURCE_TYPES.container) {
    return;
  }
  const commandLine = [
    ...stringsOf(resource.props.entrypoints),
    ...stringsOf(resource.props.command),
  ];
  const flag = commandLine.find((argument) => DEV_MODE_FLAG.test(argument));
  if (flag !== undefined) {
    report(
      `container "${resource.name}" starts the server with "${flag}" (dev mode: in-memory storage, unsealed, root token); expected a server-mode command without dev flags`,
    );
  }
}

/** A config file a container uploads: parsed, or why it could not be. */
interface UploadedServerConfig {
  readonly file: string;
  readonly config?: Record<string, unknown>;
  readonly unreadable?: string;
}

/** Server config files (JSON or HCL by their name) among a container's uploads. */
function serverConfigsOf(props: Record<string, unknown>): UploadedServerConfig[] {
  const configs: UploadedServerConfig[] = [];
  for (const upload of asList(props.uploads)) {
    if (!isObject(upload)) {
      continue;
    }
    const file = typeof upload.file === "string" ? upload.file : "";
    const content = upload.content;
    if (typeof content !== "string" || !/\.(json|hcl)$/.test(file)) {
      continue;
    }
    try {
      const config: unknown = JSON.parse(content);
      configs.push(isObject(config) ? { file, config } : { file, unreadable: "not a JSON object" });
    } catch {
      // JSON.parse throws only SyntaxError, and the content was read (known) before it.
      configs.push({ file, unreadable: "not JSON" });
    }
  }
  return configs;
}

/** Vault reads tls_disable with Go's ParseBool, so "1", "t", "true" and 1 disable TLS too. */
function isTrueFlag(value: unknown): boolean {
  return (
    value === true || value === 1 || ["1", "t", "T", "TRUE", "true", "True"].includes(String(value))
  );
}

export function checkServerListenerTls(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== RESOURCE_TYPES.container) {
    return;
  }
  for (const { file, config, unreadable } of serverConfigsOf(resource.props)) {
    if (unreadable !== undefined) {
      report(
        `container "${resource.name}" uploads server config "${file}" that is ${unreadable}, so its listeners cannot be checked; expected the JSON config rendered by infra/server-config.ts`,
      );
      continue;
    }
    for (const listener of asList(config?.listener)) {
      if (!isObject(listener)) {
        continue;
      }
      for (const [kind, blocks] of Object.entries(listener)) {
        for (const block of asList(blocks)) {
          if (isObject(block) && isTrueFlag(block.tls_disable)) {
            const address = typeof block.address === "string" ? ` ${block.address}` : "";
            report(
              `container "${resource.name}": server config "${file}" disables TLS on listener ${kind}${address} (tls_disable = ${JSON.stringify(block.tls_disable)}); expected TLS on every listener`,
            );
          }
        }
      }
    }
  }
}

/** A tag on the last path segment ("host:5000/vault" has a port, not a tag), or a digest. */
function isPinnedImage(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image) || /^sha256:[a-f0-9]{64}$/.test(image)) {
    return true;
  }
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(lastSegment);
  return tag !== null && tag[1] !== "latest";
}

export function checkServerImagePinned(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== RESOURCE_TYPES.container) {
    return;
  }
  const image: unknown = resource.props.image;
  if (typeof image !== "string" || !isPinnedImage(image)) {
    report(
      `container "${resource.name}" uses image ${shown(image)}; expected a version tag or a sha256 digest (not "latest", not untagged)`,
    );
  }
}

// --- Audit devices (stack) --------------------------------------------------------------------

export const MINIMUM_AUDIT_DEVICES = 2;

/** Device paths an uploaded server config declares: audit = [{<type> = {<path> = {...}}}]. */
function auditPathsDeclaredIn(config: Record<string, unknown>): string[] {
  return asList(config.audit).flatMap((entry) =>
    isObject(entry)
      ? Object.values(entry).flatMap((byPath) =>
          asList(byPath).flatMap((devices) => (isObject(devices) ? Object.keys(devices) : [])),
        )
      : [],
  );
}

/**
 * Vault answers a request only once an audit device has logged it: with a single device, that
 * device failing (a full disk) stops every request. Devices come from the API (vault.Audit) and,
 * for OpenBao, from the server config the container uploads.
 */
export function checkAuditDevices(
  resources: readonly StackResource[],
  report: ReportViolation,
): void {
  const devices: string[] = [];
  for (const resource of resources) {
    if (resource.type === RESOURCE_TYPES.audit) {
      const path: unknown = resource.props.path;
      devices.push(typeof path === "string" ? path : resource.name);
    } else if (resource.type === RESOURCE_TYPES.container) {
      for (const { config } of serverConfigsOf(resource.props)) {
        devices.push(...(config ? auditPathsDeclaredIn(config) : []));
      }
    }
  }
  if (devices.length < MINIMUM_AUDIT_DEVICES) {
    const found =
      devices.length === 0
        ? "no audit device"
        : `${devices.length} audit device${devices.length === 1 ? "" : "s"} (${devices.map((path) => JSON.stringify(path)).join(", ")})`;
    report(
      `the stack has ${found}; expected at least ${MINIMUM_AUDIT_DEVICES}, so that one failing device does not block every request`,
    );
  }
}

// --- AppRole ----------------------------------------------------------------------------------

export interface AppRoleLimits {
  /** Upper bound of tokenTtl and tokenMaxTtl, in seconds. */
  readonly maxTokenTtlSeconds: number;
}

export const DEFAULT_APPROLE_LIMITS: AppRoleLimits = { maxTokenTtlSeconds: 3600 };

function isPositiveNumber(value: unknown): value is number {
  return typeof value === "number" && value > 0;
}

export function checkAppRoleRole(
  resource: CheckedResource,
  report: ReportViolation,
  limits: AppRoleLimits = DEFAULT_APPROLE_LIMITS,
): void {
  if (resource.type !== RESOURCE_TYPES.approleRole) {
    return;
  }
  const role = `AppRole role "${resource.name}"`;
  const props = resource.props;
  if (!isPositiveNumber(props.secretIdTtl)) {
    report(
      `${role}: secretIdTtl is ${shown(props.secretIdTtl)}; expected more than 0 seconds (0 or unset: secret-ids never expire)`,
    );
  }
  if (!(typeof props.secretIdNumUses === "number" && props.secretIdNumUses >= 1)) {
    report(
      `${role}: secretIdNumUses is ${shown(props.secretIdNumUses)}; expected at least 1 (0 or unset: a secret-id logs in any number of times)`,
    );
  }
  if (stringsOf(props.tokenBoundCidrs).length === 0) {
    report(`${role}: tokenBoundCidrs is empty; expected the CIDRs its tokens may be used from`);
  }
  if (stringsOf(props.secretIdBoundCidrs).length === 0) {
    report(`${role}: secretIdBoundCidrs is empty; expected the CIDRs it may log in from`);
  }
  for (const field of ["tokenTtl", "tokenMaxTtl"] as const) {
    const ttl: unknown = props[field];
    if (!isPositiveNumber(ttl) || ttl > limits.maxTokenTtlSeconds) {
      report(
        `${role}: ${field} is ${shown(ttl)}; expected 1 to ${limits.maxTokenTtlSeconds} seconds (0 or unset: the mount's default)`,
      );
    }
  }
}

// --- ACL policies -----------------------------------------------------------------------------

export interface AclLimits {
  /** Vault name of the one policy allowed sudo and sys/ paths. */
  readonly adminPolicyName: string;
}

export const DEFAULT_ACL_LIMITS: AclLimits = { adminPolicyName: "vault-platform-admin" };

/**
 * The sys/ paths an app token needs for itself (infra/acl-policy.ts TOKEN_SELF_SERVICE_RULES); kept
 * here, not imported, so that a change there shows up as a violation rather than passing quietly.
 */
export const SELF_SERVICE_SYS_PATHS: readonly string[] = [
  "sys/capabilities-self",
  "sys/leases/renew",
];

/**
 * Whether a policy path can match something under sys/: "sys/..." and "+/..." (one segment of
 * any name), and a single segment ending in the glob whose prefix "sys/" starts with ("*", "s*").
 */
export function reachesSys(path: string): boolean {
  const normalized = path.replace(/^\/+/, "");
  if (SELF_SERVICE_SYS_PATHS.includes(normalized)) {
    return false;
  }
  const [first, ...rest] = normalized.split("/");
  if (rest.length > 0) {
    return first === "sys" || first === "+";
  }
  return first.endsWith("*") && "sys/".startsWith(first.slice(0, -1));
}

export function checkAclPolicy(
  resource: CheckedResource,
  report: ReportViolation,
  limits: AclLimits = DEFAULT_ACL_LIMITS,
): void {
  if (resource.type !== RESOURCE_TYPES.aclPolicy) {
    return;
  }
  const policyName: unknown = resource.props.name;
  if (policyName === limits.adminPolicyName) {
    return;
  }
  const policy = `ACL policy ${shown(policyName)} (resource "${resource.name}")`;
  const text: unknown = resource.props.policy;
  let rules: AclPathRule[];
  try {
    rules = parseAclPolicy(typeof text === "string" ? text : "");
  } catch (error) {
    if (!(error instanceof AclParseError)) {
      throw error;
    }
    report(
      `${policy}: its policy text cannot be read (${error.message}), so what it grants cannot be checked; expected Vault policy HCL or JSON`,
    );
    return;
  }
  const onlyAdmin = `(only the admin policy "${limits.adminPolicyName}" may)`;
  const allowedSys = SELF_SERVICE_SYS_PATHS.map((path) => `"${path}"`).join(" and ");
  for (const rule of rules) {
    if (rule.capabilities.includes("sudo")) {
      report(`${policy} grants "sudo" on "${rule.path}"; expected no sudo ${onlyAdmin}`);
    }
    const grantsSomething = rule.capabilities.some((capability) => capability !== "deny");
    if (grantsSomething && reachesSys(rule.path)) {
      const capabilities = rule.capabilities.map((capability) => `"${capability}"`).join(", ");
      report(
        `${policy} grants ${capabilities} on "${rule.path}", which reaches sys/; expected no sys/ path but ${allowedSys} ${onlyAdmin}`,
      );
    }
  }
}

// --- Transit keys -----------------------------------------------------------------------------

const TRANSIT_KEY_FLAGS = [
  ["exportable", "key material never leaves Vault"],
  ["deletionAllowed", "deleting a key makes everything encrypted with it unreadable"],
  ["allowPlaintextBackup", "a plaintext backup exports the key material"],
] as const;

export function checkTransitKey(resource: CheckedResource, report: ReportViolation): void {
  if (resource.type !== RESOURCE_TYPES.transitKey) {
    return;
  }
  for (const [flag, reason] of TRANSIT_KEY_FLAGS) {
    if (resource.props[flag] === true) {
      report(`transit key "${resource.name}": ${flag} is true; expected false (${reason})`);
    }
  }
}

// --- Protect ----------------------------------------------------------------------------------

const DATA_MOUNT_TYPES: Readonly<Record<string, string>> = {
  kv: "KV mount",
  "kv-v2": "KV mount",
  transit: "transit mount",
};

/** What kind of data-bearing resource this is, or undefined when it holds no data. */
function dataBearingKind(resource: CheckedResource): string | undefined {
  switch (resource.type) {
    case RESOURCE_TYPES.mount: {
      const mountType: unknown = resource.props.type;
      return typeof mountType === "string" ? DATA_MOUNT_TYPES[mountType] : undefined;
    }
    case RESOURCE_TYPES.transitKey:
      return "transit key";
    case RESOURCE_TYPES.postgresDatabase:
      return "Postgres database";
    case RESOURCE_TYPES.volume:
      return "Docker volume";
    default:
      return undefined;
  }
}

export function checkDataResourceProtected(
  resource: CheckedResource,
  report: ReportViolation,
): void {
  const kind = dataBearingKind(resource);
  if (kind !== undefined && resource.opts?.protect !== true) {
    report(
      `${kind} "${resource.name}" is not protected; expected the protect option, since deleting or replacing it destroys the data it holds`,
    );
  }
}
