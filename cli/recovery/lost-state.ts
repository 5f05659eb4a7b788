/**
 * The server as the state describes it, and as it is: its containers (a stopped one is started
 * again; a server-mode node then comes up sealed and the update unseals it) and the mounts and
 * auth methods it lists. A dev server that restarted lost everything it held in memory; a plain
 * `up` would then report "unchanged" over a broken environment. before-up.ts decides what to do.
 */
import { execFile } from "child_process";
import { promisify } from "util";
import { vaultHttp } from "../../infra/vault-http";
import type { Recorded } from "./missing-objects";
import { reveal } from "../engine/workspace";

interface StateResource {
  readonly urn?: string;
  readonly type: string;
  readonly provider?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** What the state says about the server: its containers, address, token and mounts. */
export interface ServerInState {
  readonly containers: readonly string[];
  readonly address?: string;
  readonly token?: string;
  /** With TLS: the CA the server's certificate chains to (the stack's output). */
  readonly caCert?: string;
  /** The namespace the stack's mounts are in (an external cluster's), none for the root. */
  readonly namespace?: string;
  /** Secrets-engine and auth mounts, as sys/mounts and sys/auth list them ("path/"). */
  readonly mounts: readonly string[];
  readonly auths: readonly string[];
}

const MOUNT_TYPES = ["vault:index/mount:Mount"];
const AUTH_TYPES = ["vault:index/authBackend:AuthBackend", "vault:jwt/authBackend:AuthBackend"];

function pathOf(resource: StateResource): string | undefined {
  const path = reveal(resource.outputs?.path);
  return typeof path === "string" && path.length > 0 ? `${path.replace(/\/$/, "")}/` : undefined;
}

/** The mounts and auth methods of the state, named "path/" as sys/mounts and sys/auth list them. */
export function recordedMounts(deployment: unknown): Recorded[] {
  const resources =
    (deployment as { deployment?: { resources?: (StateResource & { urn: string })[] } })?.deployment
      ?.resources ?? [];
  return resources.flatMap((resource) => {
    const path = pathOf(resource);
    const kind = MOUNT_TYPES.includes(resource.type)
      ? "mount"
      : AUTH_TYPES.includes(resource.type)
        ? "auth method"
        : undefined;
    return kind && path ? [{ urn: resource.urn, what: `${kind} ${path}`, name: path }] : [];
  });
}

/**
 * The Vault provider the stack's mounts are made through: on an external cluster whose namespace
 * the stack creates, a provider of the root namespace (which creates it) comes first, and the
 * mounts are not listed there.
 */
function mountsProvider(resources: readonly StateResource[]): StateResource | undefined {
  const providers = resources.filter((resource) => resource.type === "pulumi:providers:vault");
  const reference = resources.find((resource) =>
    [...MOUNT_TYPES, ...AUTH_TYPES].includes(resource.type),
  )?.provider;
  const urn = reference?.slice(0, reference.lastIndexOf("::"));
  return providers.find((provider) => provider.urn === urn) ?? providers[0];
}

/** Reads the server's side of a deployment (Automation API export: secrets in plain text). */
export function serverInState(deployment: unknown): ServerInState {
  const resources = ((deployment as { deployment?: { resources?: StateResource[] } })?.deployment
    ?.resources ?? []) as StateResource[];
  const provider = mountsProvider(resources);
  const address = reveal(provider?.inputs?.address);
  const token = reveal(provider?.inputs?.token);
  const namespace = reveal(provider?.inputs?.namespace);
  const outputs = resources.find((resource) => resource.type === "pulumi:pulumi:Stack")?.outputs;
  const caCert = reveal(outputs?.vaultCaCertificate);
  return {
    containers: resources
      .filter((resource) => resource.type === "docker:index/container:Container")
      .map((resource) => reveal(resource.outputs?.name))
      .filter((name): name is string => typeof name === "string"),
    address: typeof address === "string" ? address : undefined,
    token: typeof token === "string" && token.length > 0 ? token : undefined,
    caCert: typeof caCert === "string" ? caCert : undefined,
    namespace: typeof namespace === "string" && namespace.length > 0 ? namespace : undefined,
    // A dev server mounts its own KV engine at secret/ again on start: not a sign of state.
    mounts: resources
      .filter((resource) => MOUNT_TYPES.includes(resource.type))
      .map(pathOf)
      .filter((path): path is string => path !== undefined && path !== "secret/"),
    auths: resources
      .filter((resource) => AUTH_TYPES.includes(resource.type))
      .map(pathOf)
      .filter((path): path is string => path !== undefined),
  };
}

type Docker = (...args: string[]) => Promise<string>;

const docker: Docker = async (...args) =>
  (await promisify(execFile)("docker", args, { timeout: 60000 })).stdout.trim();

/**
 * Starts the stack's containers that exist but stopped; returns their names, and those of the
 * containers that are gone (removed by hand: missing-objects.ts has the up create them again).
 */
export async function startStoppedContainers(
  containers: readonly string[],
  run: Docker = docker,
): Promise<{ started: string[]; absent: string[] }> {
  const started: string[] = [];
  const absent: string[] = [];
  for (const name of containers) {
    const running = await run("inspect", "--format", "{{.State.Running}}", name).catch(
      (error: unknown) => (/no such object/i.test(String(error)) ? "absent" : undefined),
    );
    if (running === "absent") {
      absent.push(name);
    }
    if (running === "false") {
      await run("start", name);
      started.push(name);
    }
  }
  return { started, absent };
}

/** sys/mounts and sys/auth of an unsealed server we may read; undefined otherwise. */
export async function listMounts(
  server: ServerInState,
): Promise<{ mounts: Record<string, unknown>; auths: Record<string, unknown> } | undefined> {
  const { address, token, caCert, namespace } = server;
  if (!address || !token) {
    return undefined;
  }
  // A server that just (re)started takes a moment to listen again.
  for (let attempt = 0; attempt < 15; attempt++) {
    const [mounts, auths] = await Promise.all(
      ["sys/mounts", "sys/auth"].map((path) =>
        vaultHttp({ address, caCert, method: "GET", path, token, namespace }).catch(
          () => undefined,
        ),
      ),
    );
    if (mounts?.status === 200 && auths?.status === 200) {
      const listed = (response: typeof mounts) =>
        (response.body?.data ?? response.body ?? {}) as Record<string, unknown>;
      return { mounts: listed(mounts), auths: listed(auths) };
    }
    if (mounts !== undefined && mounts.status !== 200) {
      // Sealed (the update unseals it) or not ours to read: nothing to decide here.
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return undefined;
}

/** The mounts and auth methods the state lists that the listed server lacks. */
export function missingMounts(
  server: ServerInState,
  listed: { mounts: Record<string, unknown>; auths: Record<string, unknown> },
): string[] {
  return [
    ...server.mounts.filter((path) => !(path in listed.mounts)),
    ...server.auths.filter((path) => !(path in listed.auths)),
  ];
}
