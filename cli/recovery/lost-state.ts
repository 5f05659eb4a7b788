/**
 * Before an update, the server must be the one the state describes. Two things break that
 * without the state noticing: a server container that stopped (killed during an `up`, the host
 * restarted), and a dev server that restarted and so lost everything it held in memory. A plain
 * `up` would then report "unchanged" over a broken environment, or fail on every call.
 *
 * So, from the state alone (it may hold no outputs yet after an interrupted first run): a
 * stopped container the stack owns is started again (a server-mode node then comes up sealed and
 * the update unseals it); when the server then answers but lacks mounts the state lists, a
 * refresh drops what is gone and the update rebuilds it.
 */
import { execFile } from "child_process";
import { promisify } from "util";
import type { Stack } from "@pulumi/pulumi/automation";
import { vaultHttp } from "../../infra/vault-http";
import { encryptedState } from "./encrypted-state";
import { forgetRemovedEnvironment } from "./teardown";
import { reveal } from "../engine/workspace";

interface StateResource {
  readonly type: string;
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

/** Reads the server's side of a deployment (Automation API export: secrets in plain text). */
export function serverInState(deployment: unknown): ServerInState {
  const resources = ((deployment as { deployment?: { resources?: StateResource[] } })?.deployment
    ?.resources ?? []) as StateResource[];
  const provider = resources.find((resource) => resource.type === "pulumi:providers:vault");
  const address = reveal(provider?.inputs?.address);
  const token = reveal(provider?.inputs?.token);
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

/** Starts the stack's containers that exist but stopped; returns their names. */
export async function startStoppedContainers(
  containers: readonly string[],
  run: Docker = docker,
): Promise<string[]> {
  const started: string[] = [];
  for (const name of containers) {
    const running = await run("inspect", "--format", "{{.State.Running}}", name).catch(
      () => undefined,
    );
    // Absent: the update creates it again. Running: nothing to do.
    if (running === "false") {
      await run("start", name);
      started.push(name);
    }
  }
  return started;
}

/** sys/mounts and sys/auth of an unsealed server we may read; undefined otherwise. */
async function listMounts(
  server: ServerInState,
): Promise<{ mounts: Record<string, unknown>; auths: Record<string, unknown> } | undefined> {
  const { address, token, caCert } = server;
  if (!address || !token) {
    return undefined;
  }
  // A server that just (re)started takes a moment to listen again.
  for (let attempt = 0; attempt < 15; attempt++) {
    const [mounts, auths] = await Promise.all(
      ["sys/mounts", "sys/auth"].map((path) =>
        vaultHttp({ address, caCert, method: "GET", path, token }).catch(() => undefined),
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

/**
 * Before `up`: an environment whose containers and volumes are all gone is forgotten (teardown.ts)
 * and created again; a stopped server container is started again; when the server lost what the state
 * lists, refresh (what is gone leaves the state) so that the update rebuilds it. `deployment`:
 * the state as just exported, if the caller has it.
 */
export async function repairLostState(
  stack: Stack,
  log: (line: string) => void = (line) => console.log(line),
  deployment?: unknown,
): Promise<void> {
  if (await forgetRemovedEnvironment(encryptedState(stack), log, deployment)) {
    return;
  }
  const server = serverInState(deployment ?? (await stack.exportStack().catch(() => ({}))));
  const started = await startStoppedContainers(server.containers);
  if (started.length > 0) {
    log(`${stack.name}: started the stopped container(s) ${started.join(", ")} again`);
  }
  const listed = await listMounts(server);
  if (listed === undefined) {
    return;
  }
  // A server that answers unsealed right after its container started is a dev server: what it
  // held in memory is gone, whatever the state lists.
  const missing = missingMounts(server, listed);
  if (started.length === 0 && missing.length === 0) {
    return;
  }
  const what = missing.length > 0 ? `${missing.join(", ")} gone` : "its container had stopped";
  log(
    `${stack.name}: the server lost its state (${what}: a dev server restarted?); refreshing, then rebuilding it`,
  );
  await stack.refresh({ onOutput: () => undefined });
}
