/** Small helpers the end-to-end tests share. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { pulumiEnv, PROJECT_ROOT, StackOptions } from "../../cli/engine/workspace";
import { removeTrustFile } from "../../cli/engine/trust-file";
import { Client } from "pg";
import { pgIdentifier } from "../../infra/naming";
import { E2E_FLAVOR, E2E_IMAGE, E2E_PG_ADMIN, E2E_PG_PORT } from "./toolchain";

/** Step durations in whole seconds, reported in the closing note of a run. */
export function stepTimer(): {
  timings: Record<string, number>;
  timed: <T>(label: string, body: () => Promise<T>) => Promise<T>;
} {
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, body: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await body();
    } finally {
      timings[label] = Math.round((Date.now() - start) / 1000);
      console.log(`[e2e] ${label}: ${timings[label]}s`);
    }
  };
  return { timings, timed };
}

/** Values of `pulumi stack export --show-secrets` read as the CLI reads exported deployments. */
export { reveal } from "../../cli/engine/workspace";

/** The Pulumi CLI on one stack, as a user runs it (output as text). */
export function pulumiCli(opts: StackOptions): (...args: string[]) => string {
  return (...args) =>
    execFileSync("pulumi", [...args, "--stack", opts.stackName], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...pulumiEnv(opts) },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
}

/** The kinds of change an update made, without "same". */
export function changesOf(summary: {
  resourceChanges?: Record<string, number>;
}): Record<string, number> {
  return Object.fromEntries(
    Object.entries(summary.resourceChanges ?? {}).filter(
      ([kind, count]) => kind !== "same" && count > 0,
    ),
  );
}

/** An up expected to change nothing: its changes, with the diff printed when there are any. */
export async function secondUp(stack: Stack): Promise<Record<string, number>> {
  const lines: string[] = [];
  const result = await stack.up({ diff: true, onOutput: (text) => lines.push(text) });
  const changes = changesOf(result.summary);
  if (Object.keys(changes).length > 0) {
    // The diff of what changed (secrets show as [secret] in it).
    console.log(lines.join(""));
  }
  return changes;
}

/**
 * Staging transit keys are undeletable by design (deletion_allowed=false) and its data is
 * protected. A test environment unprotects everything and forgets the keys instead: they go with
 * the server and its raft volume.
 */
export function releaseForTeardown(cli: (...args: string[]) => string): void {
  cli("state", "unprotect", "--all", "--yes");
  const state = JSON.parse(cli("stack", "export")) as {
    deployment: { resources: { urn: string; type: string }[] };
  };
  for (const resource of state.deployment.resources) {
    if (resource.type === "vault:transit/secretBackendKey:SecretBackendKey") {
      cli("state", "delete", resource.urn, "--yes");
    }
  }
}

/** The flavor and image under test and the throwaway Postgres, as a dev or PR stack needs them. */
export function flavorAndPostgres(): ConfigMap {
  return {
    "vault-platform:server.flavor": { value: E2E_FLAVOR },
    "vault-platform:server.image": { value: E2E_IMAGE },
    "vault-platform:postgres.host": { value: "127.0.0.1" },
    "vault-platform:postgres.port": { value: String(E2E_PG_PORT) },
    "vault-platform:postgresAdminPassword": { value: E2E_PG_ADMIN.password, secret: true },
  };
}

/** The flavor under test and nothing about Postgres: a pr-<n> stack then runs its own. */
export function flavorOnly(): ConfigMap {
  return {
    "vault-platform:server.flavor": { value: E2E_FLAVOR },
    "vault-platform:server.image": { value: E2E_IMAGE },
  };
}

/**
 * The end of a suite that runs npm commands on a stack of its own: `destroy --remove` unless a
 * test did, anything labelled with the stack swept, its stack file and state directory removed.
 */
export async function removeNpmStack(
  stackName: string,
  stateDir: string,
  removed: boolean,
  destroy: () => Promise<unknown>,
): Promise<void> {
  if (!removed) {
    await destroy();
    await removeLeftovers(stackName).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`), { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
}

/**
 * The staging profile on this host: the flavor under test on the host's network (the throwaway Postgres listens
 * on its loopback), two apps bound to loopback (staging requires CIDRs). Set with --path.
 */
export function stagingOnLoopback(port: number): ConfigMap {
  const config: ConfigMap = {
    "vault-platform:profile": { value: "staging" },
    "vault-platform:server.flavor": { value: E2E_FLAVOR },
    "vault-platform:server.image": { value: E2E_IMAGE },
    "vault-platform:server.network": { value: "host" },
    "vault-platform:server.port": { value: String(port) },
    "vault-platform:postgres.host": { value: "127.0.0.1" },
    "vault-platform:postgres.port": { value: String(E2E_PG_PORT) },
    "vault-platform:postgres.database": { value: "postgres" },
    "vault-platform:postgresAdminPassword": { value: E2E_PG_ADMIN.password, secret: true },
  };
  [
    ["orders", "readwrite"],
    ["reporting", "readonly"],
  ].forEach(([name, access], index) => {
    config[`vault-platform:apps[${index}].name`] = { value: name };
    config[`vault-platform:apps[${index}].database`] = { value: access };
    config[`vault-platform:apps[${index}].transitKeys[0]`] = { value: name };
    config[`vault-platform:apps[${index}].boundCidrs[0]`] = { value: "127.0.0.1/32" };
  });
  return config;
}

/**
 * Last resort after a failed teardown: removes the stack's Docker objects by label and its
 * Postgres roles by prefix, so that a failing run still leaves the host clean.
 */
export async function removeLeftovers(stackName: string): Promise<void> {
  const label = `label=vault-platform.stack=${stackName}`;
  for (const [list, remove] of [
    [
      ["ps", "-aq"],
      ["rm", "-f", "-v"],
    ],
    [
      ["volume", "ls", "-q"],
      ["volume", "rm", "-f"],
    ],
    [
      ["network", "ls", "-q"],
      ["network", "rm"],
    ],
  ]) {
    const ids = execFileSync("docker", [...list, "--filter", label], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    if (ids.length > 0) {
      execFileSync("docker", [...remove, ...ids]);
    }
  }
  // The names the program gives them (infra/naming.ts).
  const prefix = pgIdentifier("vp", stackName);
  // The stack's database first: its grants and default privileges depend on the roles.
  const databases = await adminQuery<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname = $1",
    [prefix],
  );
  for (const { datname } of databases) {
    await adminQuery(`DROP DATABASE "${datname}" WITH (FORCE)`);
  }
  for (const rolname of await postgresRoles(prefix)) {
    await adminQuery(`DROP OWNED BY "${rolname}"`);
    await adminQuery(`DROP ROLE "${rolname}"`);
  }
}

/** One statement as the throwaway cluster's admin, in database postgres. */
export async function adminQuery<T extends object>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({
    host: "127.0.0.1",
    port: E2E_PG_PORT,
    database: "postgres",
    ...E2E_PG_ADMIN,
  });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Postgres roles whose names start with a prefix, sorted. */
export async function postgresRoles(prefix: string): Promise<string[]> {
  const rows = await adminQuery<{ rolname: string }>(
    "SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)",
    [prefix],
  );
  return rows.map((row) => row.rolname).sort();
}

/** Containers and volumes of a stack still in the Docker engine (ids). */
export function dockerLeftovers(stackName: string): string[] {
  const label = `label=vault-platform.stack=${stackName}`;
  return [
    ["ps", "-aq"],
    ["volume", "ls", "-q"],
  ].flatMap((list) =>
    execFileSync("docker", [...list, "--filter", label], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean),
  );
}

/**
 * The end of a server-mode e2e file: when its own destroy did not run to the end, a best-effort
 * teardown and then the leftovers by label and prefix; in any case its stack file, trust file
 * and temporary backend go.
 */
export async function cleanUpStack(
  stack: Stack | undefined,
  opts: { readonly stackName: string; readonly stateDir: string },
  destroyed: boolean,
): Promise<void> {
  if (!destroyed && stack) {
    try {
      releaseForTeardown(pulumiCli(opts));
    } catch {
      // Best effort: the leftovers are removed below in any case.
    }
    await stack.destroy({ refresh: true }).catch(() => undefined);
    await stack.workspace.removeStack(opts.stackName).catch(() => undefined);
    await removeLeftovers(opts.stackName);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${opts.stackName}.yaml`), { force: true });
  removeTrustFile(opts.stackName);
  fs.rmSync(opts.stateDir, { recursive: true, force: true });
}
