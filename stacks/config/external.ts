/**
 * server.mode "external": a cluster the program does not run. Which fields apply, where the
 * cluster is, how the program logs in, and how the stack shares the cluster (its namespace, or the
 * prefix of its paths). Each rule is a small function that adds its problems; resolveExternal
 * composes them.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ProfileName, ProfileRules, ServerMode } from "../profiles";
import { parseCertificates } from "../tls-config";
import { isFreeMountSegment } from "./mount-path";
import { Problems } from "./problems";
import { namespaceSchema, serverSchema, sharedClusterSchema } from "./schemas";
import type { Tenancy } from "./tenancy";
import type { ExternalClusterConfig, NamespaceConfig, ProgramAuth } from "./types";

type ServerInput = z.infer<typeof serverSchema>;
type SharedClusterInput = z.infer<typeof sharedClusterSchema>;
type NamespaceInput = z.infer<typeof namespaceSchema>;

export interface ExternalInputs {
  readonly profile: ProfileName;
  readonly stack: string;
  readonly rules: ProfileRules;
  readonly server?: ServerInput;
  readonly sharedCluster?: SharedClusterInput;
  readonly namespace?: NamespaceInput;
  readonly vaultToken?: pulumi.Output<string>;
  readonly vaultSecretId?: pulumi.Output<string>;
}

/** Fields that describe a server the program runs; meaningless for a cluster it does not. */
const CONTAINER_FIELDS = [
  "image",
  "network",
  "bindAddress",
  "port",
  "unsealKeyShares",
  "unsealKeyThreshold",
  "revokeRootToken",
  "nodes",
  "unsealPgpKeys",
] as const;
const CONTAINER_TLS_FIELDS = ["mode", "certificate", "dnsNames", "validity"] as const;
/** Fields that describe a cluster the program does not run. */
const EXTERNAL_FIELDS = ["address", "allowInsecure", "auth", "tenancy"] as const;

type ClusterKey = "server" | "sharedCluster";

/** Names Vault and OpenBao reserve at the top of a namespace. */
const RESERVED_NAMESPACES = new Set(["root", "sys", "audit", "auth", "cubbyhole", "identity"]);

/**
 * The server mode: as configured, else a pr-<n> stack with a shared cluster configured goes
 * there, else the profile's.
 */
export function serverModeOf(
  profile: ProfileName,
  server: ServerInput | undefined,
  sharedCluster: SharedClusterInput | undefined,
  profileMode: ServerMode,
): ServerMode {
  if (server?.mode !== undefined) {
    return server.mode;
  }
  return profile === "ephemeral" && sharedCluster?.address !== undefined ? "external" : profileMode;
}

/** In external mode, container fields are refused; otherwise, external fields are. */
export function checkFieldsApply(
  mode: ServerMode,
  server: ServerInput | undefined,
  namespace: NamespaceInput | undefined,
  vaultSecretId: unknown,
  problems: Problems,
): void {
  if (mode === "external") {
    for (const field of CONTAINER_FIELDS) {
      if (server?.[field] !== undefined) {
        problems.add(
          "server",
          [field],
          'applies to a server the program runs (server.mode "dev" or "server"), not to "external"',
          server[field],
        );
      }
    }
    for (const field of CONTAINER_TLS_FIELDS) {
      if (server?.tls?.[field] !== undefined) {
        problems.add(
          "server",
          ["tls", field],
          "applies to a server the program runs; an external cluster takes only server.tls.caCertificate",
          server.tls[field],
        );
      }
    }
    return;
  }
  for (const field of EXTERNAL_FIELDS) {
    if (server?.[field] !== undefined) {
      problems.add("server", [field], 'applies to server.mode "external" only', server[field]);
    }
  }
  if (namespace !== undefined) {
    problems.add(
      "namespace",
      [],
      'applies to server.mode "external" only (a cluster the program does not run)',
      namespace,
    );
  }
  if (vaultSecretId !== undefined) {
    problems.add("vaultSecretId", [], 'applies to server.auth.method "approle" only', "set");
  }
}

/** A value from server, else from sharedCluster, with the key it came from. */
function pick<K extends keyof SharedClusterInput>(
  inputs: ExternalInputs,
  field: K,
): { readonly value: SharedClusterInput[K] | undefined; readonly key: ClusterKey } {
  if (inputs.server?.[field] !== undefined) {
    return { value: inputs.server[field] as SharedClusterInput[K], key: "server" };
  }
  return { value: inputs.sharedCluster?.[field], key: "sharedCluster" };
}

/** The addresses: present, https unless allowInsecure (never in a profile that requires TLS). */
export function resolveAddresses(inputs: ExternalInputs, problems: Problems): string[] {
  const { value, key } = pick(inputs, "address");
  if (value === undefined) {
    problems.add(
      "server",
      ["address"],
      'server.mode "external" needs the cluster\'s API address, e.g. "https://vault.example.internal:8200"',
      undefined,
    );
    return [];
  }
  const addresses = [...new Set((Array.isArray(value) ? value : [value]).map(trimSlash))];
  const insecure = pick(inputs, "allowInsecure").value === true;
  for (const address of addresses) {
    if (!address.startsWith("http://")) {
      continue;
    }
    if (!insecure) {
      problems.add(
        key,
        ["address"],
        "plain http sends the program's token in clear text; expected https:// (or set allowInsecure: true outside staging/prod)",
        address,
      );
    } else if (inputs.rules.requireTls) {
      problems.add(
        key,
        ["allowInsecure"],
        `the ${inputs.profile} profile requires TLS to Vault; expected https:// addresses`,
        true,
      );
    }
  }
  return addresses;
}

function trimSlash(address: string): string {
  return address.replace(/\/+$/, "");
}

/** The CA bundle clients trust, when given: every certificate in it must parse. */
export function resolveCaCertificate(
  inputs: ExternalInputs,
  problems: Problems,
): string | undefined {
  const fromServer = inputs.server?.tls?.caCertificate;
  const pem = fromServer ?? inputs.sharedCluster?.tls?.caCertificate;
  if (pem !== undefined && parseCertificates(pem) === undefined) {
    problems.add(
      fromServer !== undefined ? "server" : "sharedCluster",
      ["tls", "caCertificate"],
      "expected a PEM bundle of one or more certificates (-----BEGIN CERTIFICATE-----)",
      "a value that does not parse",
    );
  }
  return pem;
}

/** A login method's mount: at the path named after the method unless set, in a namespace or not. */
function mountOf<M extends "approle" | "jwt">(auth: {
  readonly method: M;
  readonly path?: string;
  readonly namespace?: string;
}): { method: M; path: string; namespace?: string } {
  return { method: auth.method, path: auth.path ?? auth.method, namespace: auth.namespace };
}

/** How the program logs in, with the secret its method needs (and no secret it does not). */
export function resolveAuth(inputs: ExternalInputs, problems: Problems): ProgramAuth | undefined {
  const { value: auth, key } = pick(inputs, "auth");
  const unused = (secretKey: "vaultToken" | "vaultSecretId", method: string) =>
    problems.add(secretKey, [], `applies to server.auth.method "${method}" only`, "set");
  if (auth === undefined) {
    problems.add(
      "server",
      ["auth"],
      'server.mode "external" needs how the program logs in: {method: token}, {method: approle, roleId} or {method: jwt, role, jwtFile | jwtEnv}',
      undefined,
    );
    return undefined;
  }
  if (auth.method !== "token" && inputs.vaultToken !== undefined) {
    unused("vaultToken", "token");
  }
  if (auth.method !== "approle" && inputs.vaultSecretId !== undefined) {
    unused("vaultSecretId", "approle");
  }
  const missing = (secretKey: "vaultToken" | "vaultSecretId", method: string, what: string) =>
    problems.add(
      secretKey,
      [],
      `server.auth.method "${method}" needs the program's ${what}, set with \`pulumi config set --secret\``,
      undefined,
    );
  switch (auth.method) {
    case "token":
      if (inputs.vaultToken === undefined) {
        missing("vaultToken", "token", "token");
        return undefined;
      }
      return { method: "token", token: inputs.vaultToken };
    case "approle":
      if (inputs.vaultSecretId === undefined) {
        missing("vaultSecretId", "approle", "secret-id");
        return undefined;
      }
      return { ...mountOf(auth), roleId: auth.roleId, secretId: inputs.vaultSecretId };
    case "jwt":
      if ((auth.jwtFile === undefined) === (auth.jwtEnv === undefined)) {
        problems.add(
          key,
          ["auth"],
          'server.auth.method "jwt" needs exactly one of jwtFile (a path) or jwtEnv (an environment variable, e.g. the CI\'s OIDC token)',
          { jwtFile: auth.jwtFile, jwtEnv: auth.jwtEnv },
        );
        return undefined;
      }
      return { ...mountOf(auth), role: auth.role, jwtFile: auth.jwtFile, jwtEnv: auth.jwtEnv };
  }
}

/**
 * How the stack shares the cluster: tenancy "prefix" puts its paths and policy names under its
 * name, which must then be one free path segment; "namespace" (the default) adds no prefix.
 */
export function resolveTenancy(
  inputs: ExternalInputs,
  problems: Problems,
): { readonly tenancy: Tenancy; readonly key: ClusterKey; readonly prefix?: string } {
  const { value, key } = pick(inputs, "tenancy");
  const tenancy = value ?? "namespace";
  if (tenancy === "namespace") {
    return { tenancy, key };
  }
  if (!isFreeMountSegment(inputs.stack)) {
    problems.add(
      key,
      ["tenancy"],
      `"prefix" puts the stack's mounts, auth paths and policies under its name, and "${inputs.stack}" is not one path segment of lower case letters, digits, "_" and "-" that Vault leaves free; expected "namespace" for this stack`,
      tenancy,
    );
    return { tenancy, key };
  }
  return { tenancy, key, prefix: inputs.stack };
}

/**
 * The namespace: pr-<n> stacks on an external cluster default to their own, created with the
 * stack and deleted with it, unless they share it by path prefix; elsewhere none (the root)
 * unless configured.
 */
export function resolveNamespace(
  inputs: ExternalInputs,
  tenancy: Tenancy,
  problems: Problems,
): NamespaceConfig | undefined {
  const ownByDefault = inputs.profile === "ephemeral" && tenancy === "namespace";
  const path = inputs.namespace?.path ?? (ownByDefault ? inputs.stack : undefined);
  const create = inputs.namespace?.create ?? ownByDefault;
  if (path === undefined) {
    if (inputs.namespace !== undefined) {
      problems.add("namespace", ["path"], 'expected a namespace path like "team-a"', undefined);
    }
    return undefined;
  }
  const reserved = path.split("/").find((segment) => RESERVED_NAMESPACES.has(segment));
  if (reserved !== undefined) {
    problems.add(
      "namespace",
      ["path"],
      `"${reserved}" is reserved by Vault; expected another namespace name`,
      path,
    );
  }
  if (inputs.namespace?.path === undefined) {
    // The pr-<n> default: a cluster without namespaces needs tenancy "prefix" beside its address.
    return { path, create, tenancyKey: pick(inputs, "address").key };
  }
  return { path, create };
}

export interface ResolvedCluster {
  /** Undefined (with problems) when the cluster's settings are incomplete. */
  readonly external?: ExternalClusterConfig;
  readonly namespace?: NamespaceConfig;
  /** Tenancy "prefix": the prefix, and the key that chose it. */
  readonly prefix?: { readonly path: string; readonly key: ClusterKey };
  /** The key the program's login came from. */
  readonly authKey?: ClusterKey;
}

/** Everything about the external cluster. */
export function resolveExternal(inputs: ExternalInputs, problems: Problems): ResolvedCluster {
  const addresses = resolveAddresses(inputs, problems);
  const caCertificate = resolveCaCertificate(inputs, problems);
  const auth = resolveAuth(inputs, problems);
  const tenancy = resolveTenancy(inputs, problems);
  const namespace = resolveNamespace(inputs, tenancy.tenancy, problems);
  const prefix =
    tenancy.prefix === undefined ? undefined : { path: tenancy.prefix, key: tenancy.key };
  if (addresses.length === 0 || auth === undefined) {
    return { namespace, prefix };
  }
  return {
    external: { addresses, caCertificate, auth },
    namespace,
    prefix,
    authKey: pick(inputs, "auth").key,
  };
}

/**
 * The program logs in at an auth mount the cluster's admin set up. In the namespace that mount is
 * in (the root, unless auth.namespace says otherwise), none of the stack's own auth mounts may
 * take its path: Vault would refuse the stack's mount, which belongs elsewhere anyway.
 */
export function checkProgramLoginApart(
  cluster: ResolvedCluster,
  stackAuthPaths: readonly (readonly [string, readonly string[], string | undefined])[],
  problems: Problems,
): void {
  const auth = cluster.external?.auth;
  if (auth === undefined || auth.method === "token") {
    return;
  }
  if ((auth.namespace ?? "") !== (cluster.namespace?.path ?? "")) {
    return;
  }
  for (const [key, keyPath, path] of stackAuthPaths) {
    if (path === auth.path) {
      problems.add(
        key,
        keyPath,
        `auth/${path} is where the program logs in (vault-platform:${cluster.authKey}.auth), a mount of the cluster's admin; expected another path for the stack's own`,
        path,
      );
    }
  }
}

/**
 * Audit devices are cluster-wide: on a cluster the program does not run they are its operators'
 * (and OpenBao declares them in the server config), so an external stack manages none.
 */
export function checkNoAuditDevices(
  devices: readonly ("file" | "stdout")[] | undefined,
  problems: Problems,
): readonly ("file" | "stdout")[] {
  if (devices !== undefined && devices.length > 0) {
    problems.add(
      "audit",
      ["devices"],
      "audit devices are cluster-wide: an external cluster's operators configure them; expected none",
      devices,
    );
  }
  return [];
}
