/**
 * Checks made before the engine runs, so a run that cannot succeed stops before anything is
 * created, with one message naming the config key and the address.
 */
import { execFile, spawn } from "child_process";
import { promisify } from "util";
import type { Stack } from "@pulumi/pulumi/automation";
import { Client } from "pg";
import { VaultHttpResponse, vaultHttp } from "../../infra/vault-http";
import type { ConfigSource, NamespaceConfig, PlatformConfig } from "../../stacks/config";
import type { Flavor } from "../../stacks/profiles";
import { prepareProgramLogin, stackConfigSource } from "./program-login";

/**
 * OpenBao has namespaces from 2.3; HashiCorp Vault only in its Enterprise and HCP editions. A
 * configured namespace can be left out; a pr-<n> stack's default one gives way to tenancy
 * "prefix", which the message names instead.
 */
export function namespaceSupportProblem(
  flavor: Flavor,
  health: { readonly version?: string; readonly enterprise?: boolean },
  namespace?: NamespaceConfig,
): string | undefined {
  const version = health.version ?? "unknown";
  let lacking: string;
  let elsewhere: string;
  if (flavor === "openbao") {
    const [major, minor] = version.split(".").map(Number);
    if (major > 2 || (major === 2 && minor >= 3)) {
      return undefined;
    }
    lacking = `OpenBao ${version} has no namespaces (they came with 2.3)`;
    elsewhere = "upgrade the cluster";
  } else {
    if (health.enterprise === true) {
      return undefined;
    }
    lacking = `this Vault (${version}) is not Vault Enterprise or HCP Vault and has no namespaces`;
    elsewhere = "point it at an Enterprise cluster";
  }
  if (namespace?.tenancyKey !== undefined) {
    const { tenancyKey: key, path } = namespace;
    return `vault-platform:${key}.tenancy: ${lacking}, and a pr-<n> stack lives in a namespace of its own (${path}) unless it shares the cluster by path prefix; set ${key}.tenancy to "prefix" (mounts and auth paths under ${path}/, policies named ${path}-...), or ${elsewhere}`;
  }
  return flavor === "openbao"
    ? `vault-platform:namespace: ${lacking}; ${elsewhere} or configure the stack without a namespace`
    : `vault-platform:namespace: ${lacking}; configure the stack without a namespace, or ${elsewhere}`;
}

type Health = (address: string, caCert?: string) => Promise<VaultHttpResponse>;

const health: Health = (address, caCert) =>
  vaultHttp({
    address,
    caCert,
    method: "GET",
    path: "sys/health?standbyok=true&perfstandbyok=true",
  });

/**
 * External mode: some address answers as an initialized, unsealed server, and a namespace is
 * only asked of a server that has them. Returns the problems (none: go ahead).
 */
export async function preflightExternal(
  config: PlatformConfig,
  ask: Health = health,
): Promise<string[]> {
  const external = config.external;
  if (!external) {
    return [];
  }
  const failures: string[] = [];
  for (const address of external.addresses) {
    let answer: VaultHttpResponse;
    try {
      answer = await ask(address, external.caCertificate);
    } catch (error) {
      failures.push(`${address}: ${(error as Error).message}`);
      continue;
    }
    if (answer.status !== 200 || answer.body?.sealed || !answer.body?.initialized) {
      failures.push(`${address}: sys/health answered HTTP ${answer.status}`);
      continue;
    }
    const unsupported = config.namespace
      ? namespaceSupportProblem(config.server.flavor, answer.body ?? {}, config.namespace)
      : undefined;
    return unsupported ? [unsupported] : [];
  }
  return [
    `vault-platform:server.address: no address answers as an initialized, unsealed server (${failures.join("; ")})`,
  ];
}

/**
 * What every command does before the engine runs: the program's login prepared, and the
 * preflight; throws one message listing what stops the run, before anything is created.
 */
export async function prepareRun(
  stack: Stack,
  intent: "update" | "preview" = "update",
  // The stack's config when the caller started reading it already (run.ts, while it recovers).
  configSource: Promise<ConfigSource> = stackConfigSource(stack),
): Promise<PlatformConfig> {
  const source = await configSource;
  const config = await prepareProgramLogin(stack, source);
  // An update creates things: Docker and the Postgres admin connection must answer first. A
  // preview only needs the Vault it reads (previews of staging/prod run on hosted CI runners).
  // The probes are independent: they run side by side.
  const password = source.get("vault-platform:postgresAdminPassword") || process.env.PGPASSWORD;
  const problems = (
    await Promise.all([
      intent === "update" ? preflightDocker(config) : [],
      intent === "update" ? preflightPostgres(config, password) : [],
      preflightExternal(config),
    ])
  ).flat();
  if (problems.length > 0) {
    throw new Error(`Stopped before changing anything:\n  - ${problems.join("\n  - ")}`);
  }
  return config;
}

type Probe = () => Promise<void>;

const dockerInfo: Probe = async () => {
  await promisify(execFile)("docker", ["info", "--format", "{{.ServerVersion}}"], {
    timeout: 15000,
    env: process.env,
  });
};

type ImageProbe = (image: string) => Promise<void>;

const imageInspect: ImageProbe = async (image) => {
  await promisify(execFile)("docker", ["image", "inspect", "--format", "{{.Id}}", image], {
    timeout: 15000,
    env: process.env,
  });
};

type ImagePull = (image: string) => Promise<void>;

/**
 * `docker pull` as a user would run it: the engine's progress shown as it comes; the error is the
 * engine's last line.
 */
const dockerPull: ImagePull = (image) =>
  new Promise((resolve, reject) => {
    const pull = spawn("docker", ["pull", image], {
      stdio: ["ignore", "inherit", "pipe"],
      env: process.env,
    });
    let errors = "";
    pull.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
      process.stderr.write(chunk);
    });
    pull.on("error", reject);
    pull.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(errors.trim().split("\n").pop() || `docker pull exited ${code}`)),
    );
  });

/**
 * A server (or Postgres) the program runs needs the Docker engine and its image: an image the
 * engine lacks is pulled (as `docker run` would); only a failed pull stops the run.
 */
export async function preflightDocker(
  config: PlatformConfig,
  probe: Probe = dockerInfo,
  imageProbe: ImageProbe = imageInspect,
  pull: ImagePull = dockerPull,
): Promise<string[]> {
  // The stack's own Postgres runs only beside a server the program runs (never external).
  if (config.server.mode === "external") {
    return [];
  }
  try {
    await probe();
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    return [
      `vault-platform:server.mode: "${config.server.mode}" runs the server as containers, but the Docker engine does not answer (${reason}); start it (dockerd) and run again`,
    ];
  }
  const images: [string, string][] = [["server.image", config.server.image]];
  if (config.postgres.embedded) {
    images.push(["postgres.image", config.postgres.embedded.image]);
  }
  const missing: string[] = [];
  for (const [key, image] of images) {
    try {
      await imageProbe(image);
      continue;
    } catch {
      console.log(`${key}: the image ${image} is not in the local Docker engine; pulling it`);
    }
    try {
      await pull(image);
    } catch (error) {
      const reason = (error as Error).message.split("\n")[0];
      missing.push(
        `vault-platform:${key}: the image ${image} is not in the local Docker engine and pulling it failed (${reason}); load it (docker load -i <file>) or set vault-platform:${key} to an image the engine has or can pull`,
      );
    }
  }
  return missing;
}

type Connect = (settings: {
  host: string;
  port: number;
  user: string;
  password?: string;
  ssl: boolean | { rejectUnauthorized: boolean };
}) => Promise<void>;

/** How the pg driver reaches Postgres under a libpq sslmode ("require": encrypted, unverified). */
export function postgresSsl(
  sslmode: string | undefined,
): boolean | { rejectUnauthorized: boolean } {
  return sslmode === undefined || sslmode === "disable"
    ? false
    : { rejectUnauthorized: sslmode !== "require" };
}

const connectPostgres: Connect = async (settings) => {
  const client = new Client({ ...settings, database: "postgres", connectionTimeoutMillis: 8000 });
  await client.connect();
  await client.end();
};

/** The program creates Vault's Postgres role as the admin: that connection must work first. */
export async function preflightPostgres(
  config: PlatformConfig,
  password: string | undefined,
  connect: Connect = connectPostgres,
): Promise<string[]> {
  const { host, port, adminUser, sslmode, embedded } = config.postgres;
  if (embedded) {
    // The stack runs it: it answers once its container is created.
    return [];
  }
  try {
    await connect({
      host,
      port,
      user: adminUser,
      password,
      ssl: postgresSsl(sslmode),
    });
    return [];
  } catch (error) {
    // The driver's message names host, user or database, never the password.
    const reason = (error as Error).message.split("\n")[0];
    return [
      `vault-platform:postgres.host: cannot connect to Postgres at ${host}:${port} as ${adminUser} (${reason}); check postgres.host/port/adminUser and postgresAdminPassword (or PGPASSWORD)`,
    ];
  }
}
