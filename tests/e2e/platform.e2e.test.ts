/**
 * Tier 2: the ephemeral profile against the real engine, Docker, OpenBao/Vault and Postgres.
 * Two pr-<n> environments go up side by side; one is checked in depth from the outside, brought
 * up again (zero changes), its state export searched for secrets; both are destroyed and the
 * host is searched for anything left behind.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import type { Stack } from "@pulumi/pulumi/automation";
import {
  appLogin,
  databaseCredentials,
  freshSecretId,
  formatResults,
  runChecks,
  vaultRequest,
} from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { pulumiEnv, PROJECT_ROOT } from "../../cli/engine/workspace";
import { reveal, stepTimer } from "./helpers";
import { openTestStack } from "./claims";
import { E2E_FLAVOR, E2E_IMAGE, E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";

const base = 2000 + (process.pid % 500) * 2;
const STACKS = [`pr-${base}`, `pr-${base + 1}`];
const SEEDS: Record<string, Record<string, string>> = {
  "orders/config": { api_key: `seed-orders-${process.pid}-a1b2c3` },
  "reporting/config": { report_token: `seed-reporting-${process.pid}-d4e5f6` },
};
const PROBE_TABLE = "vp_probe";
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-e2e-state-"));
const stacks = new Map<string, Stack>();
const { timings, timed } = stepTimer();
const opts = (stackName: string) => ({ stackName, backendUrl: `file://${stateDir}`, stateDir });

async function adminSql<T extends object>(database: string, sql: string): Promise<T[]> {
  const client = new Client({ host: "127.0.0.1", port: E2E_PG_PORT, database, ...E2E_PG_ADMIN });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function dockerObjects(stackName: string): string[] {
  const label = `label=vault-platform.stack=${stackName}`;
  const list = (args: string[]) =>
    execFileSync("docker", args, { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.trim().length > 0);
  return [
    ...list(["ps", "-a", "--filter", label, "--format", "container {{.Names}}"]),
    ...list(["network", "ls", "--filter", label, "--format", "network {{.Name}}"]),
    ...list(["volume", "ls", "--filter", label, "--format", "volume {{.Name}}"]),
  ];
}

function stackConfigFile(stackName: string): string {
  return path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`);
}

beforeAll(async () => {
  await requireToolchain();
  for (const stackName of STACKS) {
    const stack = await openTestStack(opts(stackName));
    // Set the way a user would: `pulumi config set [--secret] --path <key> <value>`.
    const seedConfig = Object.fromEntries(
      Object.entries(SEEDS).flatMap(([seedPath, data]) => [
        [`vault-platform:seeds["${seedPath}"].mode`, { value: "overwrite" }],
        ...Object.entries(data).map(([field, value]) => [
          `vault-platform:seeds["${seedPath}"].data.${field}`,
          { value, secret: true },
        ]),
      ]),
    );
    await stack.setAllConfig(
      {
        "vault-platform:server.flavor": { value: E2E_FLAVOR },
        "vault-platform:server.image": { value: E2E_IMAGE },
        "vault-platform:postgres.host": { value: "127.0.0.1" },
        "vault-platform:postgres.port": { value: String(E2E_PG_PORT) },
        "vault-platform:postgresAdminPassword": { value: E2E_PG_ADMIN.password, secret: true },
        ...seedConfig,
      },
      true,
    );
    stacks.set(stackName, stack);
  }
}, 120_000);

afterAll(async () => {
  for (const [stackName, stack] of stacks) {
    try {
      await stack.destroy();
      await stack.workspace.removeStack(stackName);
    } catch {
      // Already destroyed and removed by the test, or never created.
    }
    fs.rmSync(stackConfigFile(stackName), { force: true });
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
  console.log(`[e2e] timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

describe(`ephemeral environments (${E2E_FLAVOR}, ${E2E_IMAGE})`, () => {
  const [first, second] = STACKS;

  it("a+f: two pr-<n> environments go up from empty stacks at the same time", async () => {
    const results = await timed("up (two stacks in parallel)", () =>
      Promise.all(STACKS.map((name) => stacks.get(name)!.up({ onOutput: () => undefined }))),
    );
    for (const result of results) {
      expect(result.summary.result).toBe("succeeded");
    }
    const addresses = results.map((result) => result.outputs.vaultAddress.value as string);
    expect(new Set(addresses).size).toBe(2);
    for (const address of addresses) {
      const health = await vaultRequest(address, "GET", "sys/health");
      expect(health.body).toMatchObject({ initialized: true, sealed: false });
    }
  });

  it("b: works from the outside (AppRole, KV, Postgres creds, transit, audit, denials)", async () => {
    const stack = stacks.get(first)!;
    const env = await environmentOf(stack, PROBE_TABLE);
    await adminSql(
      env.postgres.database,
      `CREATE TABLE ${PROBE_TABLE} (id serial PRIMARY KEY, note text)`,
    );

    const results = await timed("verify", () => runChecks(env));
    console.log(formatResults(results));
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(12);

    // The seed values themselves, read with each app's own token.
    for (const app of env.apps) {
      const token = await appLogin(env, app);
      const response = await vaultRequest(
        env.address,
        "GET",
        `secret/data/${app.name}/config`,
        token,
      );
      expect(response.status).toBe(200);
      expect(response.body.data.data).toEqual(SEEDS[`${app.name}/config`]);
    }

    // The explicit access matrix of the default apps.
    const orders = env.apps.find((app) => app.name === "orders")!;
    // The checks' secret-ids are good for one login: the second is refused.
    const secretId = await freshSecretId(env, orders.name);
    const login = (id: string) =>
      vaultRequest(env.address, "POST", "auth/approle/login", undefined, {
        role_id: orders.roleId,
        secret_id: id,
      });
    expect((await login(secretId)).status).toBe(200);
    expect((await login(secretId)).status).toBe(400);
    const token = await appLogin(env, orders);
    const matrix = await vaultRequest(env.address, "POST", "sys/capabilities-self", token, {
      paths: [
        "secret/data/orders/config",
        "secret/data/reporting/config",
        "database/creds/orders",
        "database/creds/reporting",
        "transit/encrypt/orders",
        "transit/encrypt/reporting",
        "sys/mounts",
        "sys/policies/acl/app-orders",
      ],
    });
    expect(matrix.status).toBe(200);
    expect(
      Object.fromEntries(Object.entries(matrix.body.data).filter(([key]) => key.includes("/"))),
    ).toEqual({
      "secret/data/orders/config": ["read"],
      "secret/data/reporting/config": ["deny"],
      "database/creds/orders": ["read"],
      "database/creds/reporting": ["deny"],
      "transit/encrypt/orders": ["update"],
      "transit/encrypt/reporting": ["deny"],
      "sys/mounts": ["deny"],
      "sys/policies/acl/app-orders": ["deny"],
    });

    // The second environment answers on its own address with its own credentials.
    const secondEnv = await environmentOf(stacks.get(second)!);
    expect(secondEnv.address).not.toBe(env.address);
    const secondResults = await runChecks(secondEnv);
    expect(secondResults.filter((result) => !result.ok)).toEqual([]);
  });

  it("c: a second up changes nothing", async () => {
    const lines: string[] = [];
    const result = await timed("second up", () =>
      stacks.get(first)!.up({ diff: true, onOutput: (text) => lines.push(text) }),
    );
    const changes = Object.entries(result.summary.resourceChanges ?? {}).filter(
      ([kind, count]) => kind !== "same" && (count ?? 0) > 0,
    );
    if (changes.length > 0) {
      // The diff of what changed (secrets show as [secret] in it).
      console.log(lines.join(""));
    }
    expect(changes).toEqual([]);
  });

  it("d: the state export holds no seed value, password or token in plain text", async () => {
    // `pulumi stack export` as a user runs it (the Automation API's exportStack shows secrets).
    const exported = execFileSync("pulumi", ["stack", "export", "--stack", first], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...pulumiEnv(opts(first)) },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const plain = execFileSync("pulumi", ["stack", "export", "--show-secrets", "--stack", first], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...pulumiEnv(opts(first)) },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const deployment = JSON.parse(plain) as {
      deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] };
    };
    const generated = deployment.deployment.resources
      .filter((resource) => resource.type === "random:index/randomPassword:RandomPassword")
      .map((resource) => reveal(resource.outputs?.result) as string);
    expect(generated.length).toBe(2);
    const known: [string, string][] = [
      ...Object.entries(SEEDS).flatMap(([seedPath, data]) =>
        Object.entries(data).map(([field, value]): [string, string] => [
          `seed ${seedPath}.${field}`,
          value,
        ]),
      ),
      ...generated.map((value, index): [string, string] => [`generated password ${index}`, value]),
      ["Postgres admin password", E2E_PG_ADMIN.password],
    ];
    // Booleans, so that a failure never prints the state (or a secret) into the log.
    expect(known.filter(([, secret]) => !plain.includes(secret)).map(([label]) => label)).toEqual(
      [],
    );
    expect(known.filter(([, secret]) => exported.includes(secret)).map(([label]) => label)).toEqual(
      [],
    );
  });

  it("e: destroy leaves no container, network, volume, Postgres role or stack behind", async () => {
    // Leave a lease open, as a running app would: teardown must still drop its Postgres user.
    const env = await environmentOf(stacks.get(first)!);
    const orders = env.apps.find((app) => app.name === "orders")!;
    const open = await databaseCredentials(env, await appLogin(env, orders), "orders");
    const before = await adminSql<{ rolname: string }>(
      "postgres",
      `SELECT rolname FROM pg_roles WHERE rolname = '${open.username}'`,
    );
    expect(before).toHaveLength(1);
    for (const stackName of STACKS) {
      const stack = stacks.get(stackName)!;
      await timed(`destroy ${stackName}`, () => stack.destroy({ onOutput: () => undefined }));
      await stack.workspace.removeStack(stackName);
      expect(dockerObjects(stackName)).toEqual([]);
      const stackNames = (await stack.workspace.listStacks()).map((summary) => summary.name);
      expect(stackNames).not.toContain(stackName);
    }
    const prefixes = STACKS.map((name) => `vp_${name.replace("-", "_")}`);
    const roles = await adminSql<{ rolname: string }>(
      "postgres",
      `SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%' OR ${prefixes.map((p) => `rolname LIKE '${p}%'`).join(" OR ")}`,
    );
    expect(roles).toEqual([]);
    const databases = await adminSql<{ datname: string }>(
      "postgres",
      `SELECT datname FROM pg_database WHERE ${prefixes.map((p) => `datname = '${p}'`).join(" OR ")}`,
    );
    expect(databases).toEqual([]);
  });
});
