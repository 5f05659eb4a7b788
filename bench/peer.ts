/**
 * The peer: OpenTofu driving the same Terraform providers our Pulumi providers bridge, with the
 * same resources as the program's pr-<n> environment (dev server and its own Postgres containers,
 * the database's roles and grants, the mounts, and per app a policy, an AppRole role, a database
 * role and transit keys). Written as HCL's JSON syntax (main.tf.json). Runs only where `tofu`
 * (or BENCH_TOFU) is present and its CLI config (TF_CLI_CONFIG_FILE) finds the providers.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderAppPolicy } from "../infra/acl-policy";
import { creationStatements, revocationStatements } from "../infra/database-statements";
import type { BenchApp } from "./apps";

// Below Linux's ephemeral ports (32768 and up), which a bind could find taken.
const VAULT_PORT = 19300;
const PG_PORT = 19332;
const PREFIX = "vp-bench-peer";

export interface PeerTimes {
  readonly apply: number;
  /** A refreshing plan of the unchanged configuration (exit 0: no changes). */
  readonly plan: number;
  readonly destroy: number;
}

/** The tofu binary, or undefined where it is absent. */
export function findTofu(): string | undefined {
  const candidates = [process.env.BENCH_TOFU, "tofu"].filter(Boolean) as string[];
  return candidates.find((candidate) => spawnSync(candidate, ["version"]).status === 0);
}

export function peerConfig(apps: readonly BenchApp[], flavor: "vault" | "openbao", image: string) {
  const binary = flavor === "openbao" ? "bao" : "vault";
  const env = flavor === "openbao" ? "BAO" : "VAULT";
  const address = `http://127.0.0.1:${VAULT_PORT}`;
  const database = "vp_bench_peer";
  const vaultRole = "vp_bench_peer_vault";
  const levels = ["readonly", "readwrite"] as const;
  const privileges = {
    readonly: { table: ["SELECT"], sequence: ["SELECT"] },
    readwrite: {
      table: ["SELECT", "INSERT", "UPDATE", "DELETE"],
      sequence: ["SELECT", "USAGE", "UPDATE"],
    },
  };
  const pgReady = ["docker_container.postgres"];
  const vaultReady = ["docker_container.vault"];
  const grants: Record<string, object> = {};
  const defaults: Record<string, object> = {};
  for (const level of levels) {
    const on = {
      database: `\${postgresql_database.db.name}`,
      role: `\${postgresql_role.${level}.name}`,
      schema: "public",
    };
    grants[`${level}_schema`] = { ...on, object_type: "schema", privileges: ["USAGE"] };
    grants[`${level}_tables`] = {
      ...on,
      object_type: "table",
      objects: [],
      privileges: privileges[level].table,
    };
    grants[`${level}_sequences`] = {
      ...on,
      object_type: "sequence",
      objects: [],
      privileges: privileges[level].sequence,
    };
    defaults[`${level}_tables`] = {
      ...on,
      owner: "postgres",
      object_type: "table",
      privileges: privileges[level].table,
    };
    defaults[`${level}_sequences`] = {
      ...on,
      owner: "postgres",
      object_type: "sequence",
      privileges: privileges[level].sequence,
    };
  }
  const grantRoles: Record<string, object> = Object.fromEntries(
    levels.map((level) => [
      level,
      {
        role: "${postgresql_role.vault.name}",
        grant_role: `\${postgresql_role.${level}.name}`,
        with_admin_option: true,
      },
    ]),
  );
  // Privileges change one at a time, in the program's order (Postgres fails concurrent
  // GRANT/REVOKE on the same catalog rows: "tuple concurrently updated").
  const chain: [Record<string, object>, string, string][] = levels.flatMap((level) => [
    [grants, "postgresql_grant", `${level}_schema`],
    [grants, "postgresql_grant", `${level}_tables`],
    [grants, "postgresql_grant", `${level}_sequences`],
    [defaults, "postgresql_default_privileges", `${level}_tables`],
    [defaults, "postgresql_default_privileges", `${level}_sequences`],
    [grantRoles, "postgresql_grant_role", level],
  ]);
  chain.forEach(([table, , key], index) => {
    const previous = chain[index - 1];
    if (previous) {
      table[key] = { ...table[key], depends_on: [`${previous[1]}.${previous[2]}`] };
    }
  });
  const databaseApps = apps.filter((app) => app.database !== "none");
  const access = (app: BenchApp) => ({
    name: app.name,
    kv: { mount: "kv", read: app.kv.read, write: [] },
    database: app.database === "none" ? undefined : { mount: "database", role: app.name },
    transit: { mount: "transit", keys: app.transitKeys },
  });
  return {
    terraform: {
      required_providers: {
        vault: { source: "hashicorp/vault", version: "5.8.0" },
        docker: { source: "kreuzwerker/docker", version: "4.2.0" },
        postgresql: { source: "cyrilgdn/postgresql", version: "1.26.0" },
        random: { source: "hashicorp/random", version: "3.9.0" },
      },
    },
    // Provider settings must be known at plan time: the root token and admin password come in
    // as variables (the program generates them as resources).
    variable: { root_token: { sensitive: true }, pg_password: { sensitive: true } },
    provider: {
      vault: {
        address,
        token: "${var.root_token}",
        skip_child_token: true,
        skip_get_vault_version: true,
      },
      postgresql: {
        host: "127.0.0.1",
        port: PG_PORT,
        username: "postgres",
        password: "${var.pg_password}",
        sslmode: "disable",
        superuser: true,
        connect_timeout: 30,
      },
      docker: { host: "unix:///var/run/docker.sock" },
    },
    resource: {
      docker_volume: { logs: { name: `${PREFIX}-logs` }, pgdata: { name: `${PREFIX}-postgres` } },
      docker_container: {
        vault: {
          name: `${PREFIX}-vault`,
          image,
          network_mode: "host",
          user: binary === "bao" ? "openbao" : "vault",
          entrypoint: [binary],
          command: ["server", "-dev"],
          env: [
            `${env}_DEV_ROOT_TOKEN_ID=\${var.root_token}`,
            `${env}_DEV_LISTEN_ADDRESS=127.0.0.1:${VAULT_PORT}`,
          ],
          capabilities: { add: ["CAP_IPC_LOCK"] },
          volumes: [
            {
              volume_name: "${docker_volume.logs.name}",
              container_path: `/${binary === "bao" ? "openbao" : "vault"}/logs`,
            },
          ],
          healthcheck: {
            test: ["CMD", binary, "status", `-address=${address}`],
            interval: "2s",
            timeout: "2s",
            retries: 30,
            start_period: "1s",
          },
          wait: true,
          wait_timeout: 90,
          must_run: true,
          restart: "no",
        },
        postgres: {
          name: `${PREFIX}-postgres`,
          image: "postgres:15.18",
          network_mode: "host",
          command: [
            "postgres",
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            `port=${PG_PORT}`,
            "-c",
            "max_connections=100",
          ],
          env: ["POSTGRES_USER=postgres", "POSTGRES_PASSWORD_FILE=/run/postgres-admin-password"],
          upload: [{ file: "/run/postgres-admin-password", content: "${var.pg_password}" }],
          volumes: [
            {
              volume_name: "${docker_volume.pgdata.name}",
              container_path: "/var/lib/postgresql/data",
            },
          ],
          healthcheck: {
            test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", String(PG_PORT), "-U", "postgres"],
            interval: "1s",
            timeout: "2s",
            retries: 60,
            start_period: "1s",
          },
          wait: true,
          wait_timeout: 120,
          must_run: true,
          restart: "no",
        },
      },
      random_password: { vault_db: { length: 32, special: false } },
      postgresql_database: { db: { name: database, owner: "postgres", depends_on: pgReady } },
      postgresql_role: {
        vault: {
          name: vaultRole,
          login: true,
          create_role: true,
          password: "${random_password.vault_db.result}",
          depends_on: pgReady,
          // Its group memberships are granted by postgresql_grant_role, as in the program.
          lifecycle: { ignore_changes: ["roles"] },
        },
        ...Object.fromEntries(
          levels.map((level) => [level, { name: `vp_bench_peer_${level}`, depends_on: pgReady }]),
        ),
      },
      postgresql_grant: grants,
      postgresql_default_privileges: defaults,
      postgresql_grant_role: grantRoles,
      vault_mount: {
        // The dev server holds secret/ already (the program releases it first; the peer mounts
        // its KV beside it, one API call fewer).
        kv: { path: "kv", type: "kv", options: { version: "2" }, depends_on: vaultReady },
        transit: { path: "transit", type: "transit", depends_on: vaultReady },
        database: { path: "database", type: "database", depends_on: vaultReady },
      },
      vault_kv_secret_backend_v2: {
        settings: { mount: "${vault_mount.kv.path}", max_versions: 10 },
      },
      vault_auth_backend: { approle: { type: "approle", path: "approle", depends_on: vaultReady } },
      vault_database_secret_backend_connection: {
        postgres: {
          backend: "${vault_mount.database.path}",
          name: "postgres",
          plugin_name: "postgresql-database-plugin",
          verify_connection: true,
          allowed_roles: databaseApps.map((app) => app.name).sort(),
          postgresql: [
            {
              connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${PG_PORT}/\${postgresql_database.db.name}?sslmode=disable`,
              username: "${postgresql_role.vault.name}",
              password: "${random_password.vault_db.result}",
              max_open_connections: 4,
            },
          ],
          depends_on: [
            ...Object.keys(grants).map((key) => `postgresql_grant.${key}`),
            ...levels.map((level) => `postgresql_grant_role.${level}`),
          ],
          // OpenBao does not echo it back (the program ignores it too).
          lifecycle: { ignore_changes: ["postgresql[0].password_authentication"] },
        },
      },
      vault_policy: Object.fromEntries(
        apps.map((app) => [
          app.name,
          { name: `app-${app.name}`, policy: renderAppPolicy(access(app)), depends_on: vaultReady },
        ]),
      ),
      vault_approle_auth_backend_role: Object.fromEntries(
        apps.map((app) => [
          app.name,
          {
            backend: "${vault_auth_backend.approle.path}",
            role_name: app.name,
            token_policies: [`\${vault_policy.${app.name}.name}`],
            token_no_default_policy: true,
            token_type: "service",
            token_ttl: 3600,
            token_max_ttl: 14400,
            secret_id_ttl: 86400,
            secret_id_num_uses: 10,
          },
        ]),
      ),
      vault_database_secret_backend_role: Object.fromEntries(
        databaseApps.map((app) => [
          app.name,
          {
            backend: "${vault_mount.database.path}",
            name: app.name,
            db_name: "${vault_database_secret_backend_connection.postgres.name}",
            creation_statements: creationStatements(`vp_bench_peer_${app.database}`, vaultRole),
            revocation_statements: revocationStatements(),
            default_ttl: 3600,
            max_ttl: 86400,
          },
        ]),
      ),
      vault_transit_secret_backend_key: Object.fromEntries(
        apps.flatMap((app) =>
          app.transitKeys.map((key) => [
            key,
            {
              backend: "${vault_mount.transit.path}",
              name: key,
              deletion_allowed: true,
              auto_rotate_period: 2592000,
            },
          ]),
        ),
      ),
    },
  };
}

function tofu(bin: string, dir: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(bin, [...args, "-no-color"], {
    cwd: dir,
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `tofu ${args[0]} exited ${result.status}: ${`${result.stderr}\n${result.stdout}`.trim().split("\n").slice(0, 400).join("\n")}`,
    );
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Apply, a refreshing plan and destroy, timed; containers and volumes gone afterwards. */
export function measurePeer(
  bin: string,
  apps: readonly BenchApp[],
  flavor: "vault" | "openbao",
  image: string,
): PeerTimes {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-peer-"));
  fs.writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify(peerConfig(apps, flavor, image), null, 2),
  );
  const env = {
    ...process.env,
    TF_IN_AUTOMATION: "1",
    TF_VAR_root_token: crypto.randomBytes(16).toString("hex"),
    TF_VAR_pg_password: crypto.randomBytes(16).toString("hex"),
  };
  try {
    tofu(bin, dir, ["init", "-input=false"], env);
    const apply = tofu(bin, dir, ["apply", "-auto-approve", "-input=false"], env);
    const plan = tofu(bin, dir, ["plan", "-input=false", "-detailed-exitcode"], env);
    const destroy = tofu(bin, dir, ["destroy", "-auto-approve", "-input=false"], env);
    return { apply, plan, destroy };
  } finally {
    spawnSync("docker", ["rm", "-f", "-v", `${PREFIX}-vault`, `${PREFIX}-postgres`], {
      stdio: "ignore",
    });
    spawnSync("docker", ["volume", "rm", "-f", `${PREFIX}-logs`, `${PREFIX}-postgres`], {
      stdio: "ignore",
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
