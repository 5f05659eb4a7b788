/**
 * Tier-2 preflight: finds what the end-to-end tests need and starts the local services they use.
 * Starts the Docker engine and a throwaway Postgres cluster (loopback only) when absent. Reports
 * the first thing missing in one line; the caller then marks tier 2 as not run.
 */
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiSearchPath, PROJECT_ROOT } from "../../cli/engine/workspace";

export type E2eFlavor = "vault" | "openbao";
export const E2E_FLAVORS: readonly E2eFlavor[] = ["openbao", "vault"];

/** The image a flavor is tested with: E2E_IMAGE where set, else the pinned default. */
export function imageOf(flavor: E2eFlavor): string {
  return (
    process.env.E2E_IMAGE ??
    (flavor === "openbao" ? "openbao/openbao:2.6.2" : "hashicorp/vault:1.20.4")
  );
}

/** The one place every tier-2 test takes its flavor and image from. */
export const E2E_FLAVOR = (process.env.E2E_FLAVOR ?? "openbao") as E2eFlavor;
export const E2E_IMAGE = imageOf(E2E_FLAVOR);
/**
 * Tier-2 stacks are pr-<n> with n < 6384, so their ports (20000 + 2n) stay below Linux's
 * ephemeral port range (32768-60999), where a client connection may hold the port a server
 * needs to bind.
 */
export const E2E_PG_PORT = Number(process.env.E2E_PG_PORT ?? 55432);
export const E2E_PG_DIR = path.join(os.tmpdir(), "vault-platform-e2e-pg");

function run(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): { ok: boolean; out: string } {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: env ?? process.env,
    timeout: 60000,
  });
  return { ok: result.status === 0, out: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

function which(binary: string, searchPath = process.env.PATH ?? ""): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** The plugin versions the pinned @pulumi/* packages select. */
export function pinnedPlugins(): { name: string; version: string }[] {
  return ["vault", "docker", "postgresql", "random"].map((name) => {
    const manifest = JSON.parse(
      fs.readFileSync(
        path.join(PROJECT_ROOT, "node_modules", "@pulumi", name, "package.json"),
        "utf8",
      ),
    ) as { version: string; pulumi?: { version?: string } };
    return { name, version: manifest.pulumi?.version ?? manifest.version };
  });
}

async function ensureDocker(): Promise<string | undefined> {
  if (!which("docker")) {
    return "the docker CLI is not on PATH";
  }
  if (run("docker", ["info"]).ok) {
    return undefined;
  }
  if (!which("dockerd", `${process.env.PATH}:/usr/sbin:/usr/bin`) || process.getuid?.() !== 0) {
    return "no Docker engine is running and dockerd cannot be started here (needs Debian's docker.io, as root)";
  }
  const log = fs.openSync(path.join(os.tmpdir(), "vault-platform-dockerd.log"), "a");
  spawn("dockerd", [], { detached: true, stdio: ["ignore", log, log] }).unref();
  for (let attempt = 0; attempt < 60; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (run("docker", ["info"]).ok) {
      return undefined;
    }
  }
  return "dockerd was started but did not answer within 30s";
}

function postgresBin(binary: string): string | undefined {
  const versions = fs.existsSync("/usr/lib/postgresql")
    ? fs.readdirSync("/usr/lib/postgresql").sort().reverse()
    : [];
  for (const version of versions) {
    const candidate = `/usr/lib/postgresql/${version}/bin/${binary}`;
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return which(binary);
}

export const E2E_PG_ADMIN = { user: "postgres", password: "e2e-admin-" + process.pid.toString(36) };

/** A command run as the cluster's owner (postgres when we are root). */
function asPostgres(args: string[]): { ok: boolean; out: string } {
  return process.getuid?.() === 0
    ? run("runuser", ["-u", "postgres", "--", ...args])
    : run(args[0], args.slice(1));
}

/** A throwaway cluster on 127.0.0.1:E2E_PG_PORT with password auth; started once per run. */
async function ensurePostgres(): Promise<string | undefined> {
  const initdb = postgresBin("initdb");
  const pgCtlBinary = postgresBin("pg_ctl");
  if (!initdb || !pgCtlBinary) {
    return "Postgres server binaries (initdb, pg_ctl) are missing (Debian package postgresql)";
  }
  const passwordFile = path.join(E2E_PG_DIR, "..", "vault-platform-e2e-pg.pw");
  if (fs.existsSync(E2E_PG_DIR) && asPostgres([pgCtlBinary, "status", "-D", E2E_PG_DIR]).ok) {
    E2E_PG_ADMIN.password = fs.readFileSync(passwordFile, "utf8").trim();
    return undefined;
  }
  fs.rmSync(E2E_PG_DIR, { recursive: true, force: true });
  fs.mkdirSync(E2E_PG_DIR, { mode: 0o700 });
  fs.writeFileSync(passwordFile, E2E_PG_ADMIN.password, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    execFileSync("chown", ["postgres:postgres", E2E_PG_DIR, passwordFile]);
  }
  const init = asPostgres([
    initdb,
    "-D",
    E2E_PG_DIR,
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${passwordFile}`,
  ]);
  if (!init.ok) {
    return `initdb failed: ${init.out.split("\n").slice(-3).join(" ")}`;
  }
  return startPostgres();
}

/** Runs pg_ctl on the throwaway cluster as its owner; undefined or one line of what failed. */
function pgCtl(action: "start" | "stop"): string | undefined {
  const binary = postgresBin("pg_ctl");
  if (!binary) {
    return "pg_ctl is missing (Debian package postgresql)";
  }
  const args = [binary, action, "-D", E2E_PG_DIR, "-w"];
  if (action === "start") {
    args.push(
      "-l",
      path.join(E2E_PG_DIR, "server.log"),
      "-o",
      `-p ${E2E_PG_PORT} -c listen_addresses=127.0.0.1 -k ${E2E_PG_DIR} -c max_connections=200`,
    );
  } else {
    args.push("-m", "fast");
  }
  const result = asPostgres(args);
  return result.ok
    ? undefined
    : `Postgres did not ${action}: ${result.out.split("\n").slice(-3).join(" ")}`;
}

/** Starts the throwaway cluster again, its data kept (after stopPostgres). */
export function startPostgres(): string | undefined {
  return pgCtl("start");
}

/** Stops the throwaway cluster, as an outage of the database server does. */
export function stopPostgres(): string | undefined {
  return pgCtl("stop");
}

/** Undefined when the flavor's image is in the local engine, else one line saying so. */
export function missingImage(flavor: E2eFlavor): string | undefined {
  const image = imageOf(flavor);
  return run("docker", ["image", "inspect", image]).ok
    ? undefined
    : `the image ${image} is not in the local Docker engine (no registry is reachable to pull it)`;
}

/** Undefined when tier 2 can run (the image of E2E_FLAVOR aside), else one line saying what is missing. */
export async function preflightShared(): Promise<string | undefined> {
  const searchPath = pulumiSearchPath();
  const pulumi = which("pulumi", searchPath);
  if (!pulumi) {
    return "the Pulumi CLI is not on PATH or in ~/.pulumi/bin";
  }
  if (!which("pulumi-language-nodejs", searchPath)) {
    return "the Pulumi Node.js language host (pulumi-language-nodejs) is not next to the CLI";
  }
  const plugins = run(pulumi, ["plugin", "ls", "--json"], { ...process.env, PATH: searchPath });
  const installed = plugins.ok
    ? (JSON.parse(plugins.out.slice(plugins.out.indexOf("["))) as {
        name: string;
        kind: string;
        version: string;
      }[])
    : [];
  for (const plugin of pinnedPlugins()) {
    if (
      !installed.some(
        (p) => p.kind === "resource" && p.name === plugin.name && p.version === plugin.version,
      )
    ) {
      return `the Pulumi resource plugin ${plugin.name} ${plugin.version} (pinned by @pulumi/${plugin.name}) is not installed`;
    }
  }
  if (!which("gpg")) {
    return "gpg is missing (Debian package gnupg): the key holders' side of PGP-encrypted unseal keys";
  }
  const docker = await ensureDocker();
  if (docker) {
    return docker;
  }
  return ensurePostgres();
}

/** Returns undefined when tier 2 can run for E2E_FLAVOR, else one line saying what is missing. */
export async function preflight(): Promise<string | undefined> {
  return (await preflightShared()) ?? missingImage(E2E_FLAVOR);
}

/** The first step of every tier-2 file: the toolchain and services, or one clear error. */
export async function requireToolchain(): Promise<void> {
  const missing = await preflight();
  if (missing) {
    throw new Error(`tier 2 cannot run: ${missing}`);
  }
}
