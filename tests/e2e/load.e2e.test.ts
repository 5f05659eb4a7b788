/**
 * Tier 2: 200 concurrent dynamic-credential requests spread over the apps of one environment,
 * with the default pool settings. Every request is served, Vault's connections to Postgres stay
 * within its pool (postgres.maxOpenConnections), and teardown leaves no Postgres user behind.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { appLogin, vaultRequest } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { destroyStack } from "../../cli/recovery/destroy";
import { adminQuery, postgresRoles, removeLeftovers, flavorAndPostgres } from "./helpers";
import { openTestStack } from "./claims";
import { E2E_FLAVOR, requireToolchain } from "./toolchain";

const STACK = `pr-${6000 + (process.pid % 300)}`;
const REQUESTS = 200;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-load-"));
let stack: Stack;
let destroyed = false;

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack({ stackName: STACK, backendUrl: `file://${stateDir}`, stateDir });
  await stack.setAllConfig(
    {
      ...flavorAndPostgres(),
    },
    true,
  );
  await stack.up({ onOutput: () => undefined });
}, 600_000);

afterAll(async () => {
  if (!destroyed && stack) {
    await destroyStack(stack, { remove: true }).catch(() => undefined);
    await removeLeftovers(STACK).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
}, 600_000);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

describe(`load: ${REQUESTS} concurrent dynamic-credential requests (${E2E_FLAVOR})`, () => {
  it("serves every request within Vault's pool and leaves no user after teardown", async () => {
    const env = await environmentOf(stack);
    const apps = env.apps.filter((app) => app.databaseRole);
    const tokens = await Promise.all(apps.map((app) => appLogin(env, app)));
    const vaultRole = ((await stack.outputs()).postgres.value as { vaultRole: string }).vaultRole;
    const before = new Set(await postgresRoles("v-"));
    const newUsers = async () => (await postgresRoles("v-")).filter((role) => !before.has(role));
    const maxOpen = 4; // postgres.maxOpenConnections default
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await adminQuery<{ count: string }>(
          "SELECT count(*) FROM pg_stat_activity WHERE usename = $1",
          [vaultRole],
        );
        peak = Math.max(peak, Number(row.count));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const app = apps[i % apps.length];
        const begin = Date.now();
        const answer = await vaultRequest(
          env,
          "GET",
          `${env.mounts.database}/creds/${app.databaseRole}`,
          tokens[i % apps.length],
        ).catch(() => ({ status: 0, body: undefined }));
        return { ok: answer.status === 200, ms: Date.now() - begin };
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    const latencies = results.map((result) => result.ms).sort((a, b) => a - b);
    const failures = results.filter((result) => !result.ok).length;
    const created = (await newUsers()).length;
    await destroyStack(stack, { remove: true });
    destroyed = true;
    const left = (await newUsers()).length;
    console.log(
      [
        `[load] requests ${REQUESTS}, failures ${failures}, ${seconds.toFixed(1)}s`,
        `[load] latency p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms`,
        `[load] Vault's connections to Postgres at most ${peak} (pool ${maxOpen})`,
        `[load] Postgres users created ${created}, left after teardown ${left}`,
      ].join("\n"),
    );
    expect(failures).toBe(0);
    expect(created).toBe(REQUESTS);
    expect(peak).toBeLessThanOrEqual(maxOpen);
    expect(left).toBe(0);
  }, 600_000);
});
