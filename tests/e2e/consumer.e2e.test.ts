/**
 * Tier 2: the example app (examples/consumer) against a pr-<n> environment: it unwraps its
 * secret-id, logs in, loads its KV secret, connects with dynamic Postgres credentials that it
 * renews and replaces, and encrypts with its transit key; /health reports all four, and nothing
 * secret reaches its logs.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { destroyStack } from "../../cli/recovery/destroy";
import { flavorAndPostgres, removeLeftovers } from "./helpers";
import { openTestStack } from "./claims";
import { E2E_FLAVOR, E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";

const STACK = `pr-${1000 + (process.pid % 900)}`;
const PORT = 30000 + (process.pid % 1000);
const SEED = `consumer-seed-${process.pid}-q7`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-consumer-"));
let stack: Stack;
let consumer: ChildProcess | undefined;
let logs = "";

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack({ stackName: STACK, backendUrl: `file://${stateDir}`, stateDir });
  await stack.setAllConfig(
    {
      ...flavorAndPostgres(),
      "vault-platform:apps[0].name": { value: "orders" },
      "vault-platform:apps[0].database": { value: "readwrite" },
      "vault-platform:apps[0].transitKeys[0]": { value: "orders" },
      "vault-platform:apps[0].issueSecretId": { value: "true" },
      // Short credentials, so that renewal and replacement happen while the test watches.
      "vault-platform:database.defaultTtl": { value: "6s" },
      "vault-platform:database.maxTtl": { value: "12s" },
      'vault-platform:seeds["orders/config"].data.api_key': { value: SEED, secret: true },
    },
    true,
  );
  await stack.up({ onOutput: () => undefined });
}, 600_000);

afterAll(async () => {
  consumer?.kill("SIGKILL");
  if (stack) {
    await destroyStack(stack, { remove: true }).catch(() => undefined);
    await removeLeftovers(STACK).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
}, 600_000);

async function health(): Promise<{ status: number; body: Record<string, string> } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${PORT}/health`);
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  } catch {
    return undefined;
  }
}

describe(`the example app consumes a pr-<n> environment (${E2E_FLAVOR})`, () => {
  it("reports login, KV, database (renewed and replaced) and transit healthy, logging no secret", async () => {
    const outputs = await stack.outputs();
    const apps = outputs.apps.value as Record<string, { roleId: string }>;
    const wrapped = (outputs.wrappedSecretIds.value as Record<string, string>).orders;
    const postgres = outputs.postgres.value as { database: string };
    consumer = spawn(
      path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
      [path.join(PROJECT_ROOT, "examples", "consumer", "src", "main.ts")],
      {
        env: {
          ...process.env,
          VAULT_ADDR: outputs.vaultAddress.value as string,
          APP_NAME: "orders",
          VAULT_ROLE_ID: apps.orders.roleId,
          VAULT_WRAPPED_SECRET_ID: wrapped,
          PGHOST: "127.0.0.1",
          PGPORT: String(E2E_PG_PORT),
          PGDATABASE: postgres.database,
          PORT: String(PORT),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    consumer.stdout?.on("data", (chunk: Buffer) => (logs += chunk.toString()));
    consumer.stderr?.on("data", (chunk: Buffer) => (logs += chunk.toString()));

    let last: Awaited<ReturnType<typeof health>>;
    const renewedAndReplaced = (body: Record<string, string>) => {
      const counts = /rotations (\d+), renewals (\d+)/.exec(body.database ?? "");
      return counts !== null && Number(counts[1]) >= 2 && Number(counts[2]) >= 1;
    };
    for (let i = 0; i < 60; i++) {
      last = await health();
      if (last?.status === 200 && renewedAndReplaced(last.body)) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    console.log(`[consumer] /health: ${JSON.stringify(last?.body)}`);
    expect(last?.status).toBe(200);
    expect(last?.body.vault).toMatch(/^logged in with AppRole/);
    expect(last?.body.kv).toBe("loaded 1 field(s) from secret/orders/config");
    expect(renewedAndReplaced(last?.body ?? {})).toBe(true);
    expect(last?.body.transit).toMatch(/^encrypted with key orders \(vault:v1/);
    for (const secret of [wrapped, SEED, E2E_PG_ADMIN.password]) {
      expect(logs.includes(secret)).toBe(false);
    }
  }, 180_000);
});
