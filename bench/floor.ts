/**
 * The floor: the same Vault calls and SQL the program makes, sent directly (no engine, no state),
 * against a dev server and a Postgres container started for it. What no tool can beat on this
 * machine: container start, then one request per object, sequential per kind as the API needs.
 */
import { execFileSync } from "child_process";
import { Client } from "pg";
import { vaultRequest } from "../cli/checks/vault-client";
import type { BenchApp } from "./apps";

// Below Linux's ephemeral ports (32768 and up), which a bind could find taken.
const VAULT_PORT = 19200;
const PG_PORT = 19232;
const TOKEN = "floor-root";
const PG_PASSWORD = "floor-admin";
const ADDRESS = `http://127.0.0.1:${VAULT_PORT}`;

export interface FloorTimes {
  readonly up: number;
  readonly read: number;
  readonly destroy: number;
}

async function seconds(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function call(method: string, path: string, body?: unknown): Promise<void> {
  const response = await vaultRequest(ADDRESS, method, path, TOKEN, body);
  if (response.status >= 300 && !(method === "GET" && response.status === 404)) {
    throw new Error(`floor: ${method} ${path} answered HTTP ${response.status}`);
  }
}

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

async function waitHealthy(container: string): Promise<void> {
  for (let attempt = 0; attempt < 480; attempt++) {
    if (docker("inspect", "--format", "{{.State.Health.Status}}", container) === "healthy") {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const logs = execFileSync("docker", ["logs", "--tail", "5", container], { encoding: "utf8" });
  throw new Error(`floor: ${container} did not become healthy in 120 s: ${logs}`);
}

function startContainers(flavor: "vault" | "openbao", image: string): void {
  const binary = flavor === "openbao" ? "bao" : "vault";
  const prefix = flavor === "openbao" ? "BAO" : "VAULT";
  docker(
    "run",
    "-d",
    "--name",
    "vp-bench-floor-vault",
    "--network",
    "host",
    "--cap-add",
    "IPC_LOCK",
    "-e",
    `${prefix}_DEV_ROOT_TOKEN_ID=${TOKEN}`,
    "-e",
    `${prefix}_DEV_LISTEN_ADDRESS=127.0.0.1:${VAULT_PORT}`,
    "--health-cmd",
    `${binary} status -address=${ADDRESS}`,
    "--health-interval",
    "1s",
    "--entrypoint",
    binary,
    image,
    "server",
    "-dev",
  );
  docker(
    "run",
    "-d",
    "--name",
    "vp-bench-floor-postgres",
    "--network",
    "host",
    "-e",
    `POSTGRES_PASSWORD=${PG_PASSWORD}`,
    "--health-cmd",
    `pg_isready -h 127.0.0.1 -p ${PG_PORT}`,
    "--health-interval",
    "1s",
    "postgres:15.18",
    "postgres",
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `port=${PG_PORT}`,
  );
}

function removeContainers(): void {
  execFileSync("docker", ["rm", "-f", "-v", "vp-bench-floor-vault", "vp-bench-floor-postgres"], {
    stdio: "ignore",
  });
}

async function sql(statements: readonly string[]): Promise<void> {
  const client = new Client({
    host: "127.0.0.1",
    port: PG_PORT,
    user: "postgres",
    password: PG_PASSWORD,
    database: "postgres",
  });
  await client.connect();
  try {
    for (const statement of statements) {
      await client.query(statement);
    }
  } finally {
    await client.end();
  }
}

const GROUPS = ["readonly", "readwrite"] as const;

async function create(apps: readonly BenchApp[]): Promise<void> {
  await sql([
    "CREATE DATABASE vp_floor",
    "CREATE ROLE vp_floor_vault LOGIN CREATEROLE PASSWORD 'floor-vault'",
    ...GROUPS.map((group) => `CREATE ROLE vp_floor_${group} NOLOGIN`),
    "GRANT CONNECT ON DATABASE vp_floor TO vp_floor_readonly, vp_floor_readwrite",
  ]);
  // The dev server holds secret/ already: released first, as the program does.
  await call("DELETE", "sys/mounts/secret");
  await call("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } });
  await call("POST", "secret/config", { max_versions: 10 });
  await call("POST", "sys/mounts/transit", { type: "transit" });
  await call("POST", "sys/mounts/database", { type: "database" });
  await call("POST", "sys/auth/approle", { type: "approle" });
  await call("POST", "database/config/postgres", {
    plugin_name: "postgresql-database-plugin",
    connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${PG_PORT}/vp_floor?sslmode=disable`,
    username: "vp_floor_vault",
    password: "floor-vault",
    allowed_roles: "*",
  });
  for (const app of apps) {
    await call("PUT", `sys/policies/acl/app-${app.name}`, {
      policy: `path "secret/data/${app.name}/*" { capabilities = ["read"] }`,
    });
    await call("POST", `auth/approle/role/${app.name}`, {
      token_policies: [`app-${app.name}`],
      token_no_default_policy: true,
      secret_id_num_uses: 10,
    });
    for (const key of app.transitKeys) {
      await call("POST", `transit/keys/${key}`, { type: "aes256-gcm96" });
    }
    if (app.database !== "none") {
      await call("POST", `database/roles/${app.name}`, {
        db_name: "postgres",
        creation_statements: [
          `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' IN ROLE vp_floor_${app.database}`,
        ],
        default_ttl: "1h",
      });
    }
  }
}

async function read(apps: readonly BenchApp[]): Promise<void> {
  for (const app of apps) {
    await call("GET", `sys/policies/acl/app-${app.name}`);
    await call("GET", `auth/approle/role/${app.name}`);
    for (const key of app.transitKeys) {
      await call("GET", `transit/keys/${key}`);
    }
    if (app.database !== "none") {
      await call("GET", `database/roles/${app.name}`);
    }
  }
}

async function remove(apps: readonly BenchApp[]): Promise<void> {
  for (const app of apps) {
    await call("DELETE", `auth/approle/role/${app.name}`);
    await call("DELETE", `sys/policies/acl/app-${app.name}`);
    for (const key of app.transitKeys) {
      await call("POST", `transit/keys/${key}/config`, { deletion_allowed: true });
      await call("DELETE", `transit/keys/${key}`);
    }
    if (app.database !== "none") {
      await call("DELETE", `database/roles/${app.name}`);
    }
  }
  for (const mount of [
    "sys/auth/approle",
    "sys/mounts/database",
    "sys/mounts/transit",
    "sys/mounts/secret",
  ]) {
    await call("DELETE", mount);
  }
  await sql([
    "DROP DATABASE vp_floor",
    ...GROUPS.map((group) => `DROP ROLE vp_floor_${group}`),
    "DROP ROLE vp_floor_vault",
  ]);
}

/** Times the floor for one set of apps; the containers are gone afterwards, whatever happens. */
export async function measureFloor(
  apps: readonly BenchApp[],
  flavor: "vault" | "openbao",
  image: string,
): Promise<FloorTimes> {
  removeContainers();
  try {
    const up = await seconds(async () => {
      startContainers(flavor, image);
      await waitHealthy("vp-bench-floor-vault");
      await waitHealthy("vp-bench-floor-postgres");
      await create(apps);
    });
    const readTime = await seconds(() => read(apps));
    const destroy = await seconds(async () => {
      await remove(apps);
      removeContainers();
    });
    return { up, read: readTime, destroy };
  } finally {
    removeContainers();
  }
}
