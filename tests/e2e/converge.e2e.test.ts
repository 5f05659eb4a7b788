/**
 * Tier 2: `npm run up` converges, whatever the last run or a person left (issue 28). One pr-<n>
 * stack against the throwaway Postgres on 127.0.0.1 (an external Postgres to the stack): runs
 * killed at several moments while they create objects in Postgres and in Vault, objects removed
 * by hand between runs. Every scenario is one plain `npm run up`, then verify passes; destroy
 * leaves nothing.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { Client } from "pg";
import { formatResults, runChecks } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { vaultHttp } from "../../infra/vault-http";
import { dockerLeftovers, flavorAndPostgres, postgresRoles, removeNpmStack } from "./helpers";
import { expectSucceeded, npmRun, Run } from "./npm-run";
import { E2E_FLAVOR, E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";
import { openTestStack } from "./claims";

const STACK = `pr-${7000 + (process.pid % 500)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-converge-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE_FILE: path.join(stateDir, "passphrase"),
};
let stack: Stack;
let removed = false;

function cli(args: string[], killWhen?: RegExp, signal?: "SIGINT"): Promise<Run> {
  return npmRun({ stack: STACK, env }, args, killWhen, undefined, signal);
}

async function verifyPasses(): Promise<void> {
  const results = await runChecks(await environmentOf(stack));
  if (results.some((result) => !result.ok)) {
    throw new Error(formatResults(results));
  }
}

/** What recovery and the checks before the run said, for the log and the assertions. */
function recoveryLines(run: Run): string[] {
  return run.output.split("\n").filter((line) => /^(recovered |\S+: .*(gone|missing))/.test(line));
}

/** One plain up that converges, and verify passing after it. */
async function upConverges(what: string): Promise<Run> {
  const started = Date.now();
  const next = await cli(["up"]);
  expectSucceeded(next);
  await verifyPasses();
  console.log(
    `[converge] ${what}: up + verify in ${Math.round((Date.now() - started) / 1000)}s\n${recoveryLines(next).join("\n")}`,
  );
  return next;
}

async function vaultAdmin(method: string, apiPath: string): Promise<number> {
  const outputs = await stack.outputs();
  const response = await vaultHttp({
    address: outputs.vaultAddress.value as string,
    method,
    path: apiPath,
    token: outputs.rootToken.value as string,
  });
  return response.status;
}

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack(opts);
  await stack.setAllConfig(flavorAndPostgres(), true);
}, 120_000);

afterAll(
  () => removeNpmStack(STACK, stateDir, removed, () => cli(["destroy", "--remove"])),
  600_000,
);

describe(`up converges after interrupted runs and hand-made removals (${E2E_FLAVOR})`, () => {
  // Moments across the Postgres and Vault object creation of a first up: the engine prints a
  // step's "creating" line as it asks the provider, so the kill lands before, during or just
  // after the object's create, and before the checkpoint records it.
  it.each([
    ["the Postgres role of Vault", /platform-database-vault-role creating/],
    ["the apps' Postgres roles and grants", /postgresql:index:Grant \S+ creating/],
    ["the database mount", /platform-database-mount creating/],
    ["the database connection", /platform-database-connection creating/],
  ])(
    "kill -9 while up creates %s: one up converges",
    async (what, moment) => {
      if (fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`))) {
        expectSucceeded(await cli(["destroy"]));
      }
      const killed = await cli(["up"], moment);
      expect(killed.code).not.toBe(0);
      await upConverges(`kill -9 at ${what}`);
    },
    600_000,
  );

  it("up interrupted with SIGINT half-way (Ctrl-C): one up converges", async () => {
    expectSucceeded(await cli(["destroy"]));
    const interrupted = await cli(["up"], /postgresql:index:Grant \S+ creating/, "SIGINT");
    expect(interrupted.code).not.toBe(0);
    await upConverges("SIGINT of up half-way");
  }, 600_000);

  it("the checkpoint file truncated by a killed write: one up converges", async () => {
    const stacks = path.join(stateDir, ".pulumi", "stacks", "vault-platform");
    // Compressed (.json.zst) or not, as the backend writes it.
    const checkpoint = path.join(
      stacks,
      fs.readdirSync(stacks).find((file) => /^[^.]+\.json(\.zst)?$/.test(file)) as string,
    );
    const written = fs.readFileSync(checkpoint);
    fs.writeFileSync(checkpoint, written.subarray(0, Math.floor(written.length / 2)));
    const next = await upConverges("checkpoint truncated");
    expect(next.output).toContain("restored");
  }, 600_000);

  it("a Vault mount disabled by hand: up puts it back with what lived in it", async () => {
    expect(await vaultAdmin("DELETE", "sys/mounts/database")).toBe(204);
    const next = await upConverges("database mount disabled by hand");
    expect(next.output).toContain("mount database/ the state lists is gone");
  }, 600_000);

  it("a Postgres role dropped by a DBA: up creates it again with its grants", async () => {
    const role = `vp_${STACK.replace("-", "_")}_readonly`;
    const client = new Client({
      host: "127.0.0.1",
      port: E2E_PG_PORT,
      database: `vp_${STACK.replace("-", "_")}`,
      ...E2E_PG_ADMIN,
    });
    await client.connect();
    try {
      await client.query(`DROP OWNED BY "${role}"`);
      await client.query(`DROP ROLE "${role}"`);
    } finally {
      await client.end();
    }
    const next = await upConverges("Postgres role dropped by hand");
    expect(next.output).toContain(`role ${role} the state lists is gone`);
  }, 600_000);

  it("the server container removed by hand between runs: up creates it again", async () => {
    execFileSync("docker", ["rm", "-f", "-v", `vp-${STACK}-vault`]);
    const next = await upConverges("server container removed by hand");
    expect(next.output).toContain(`server container vp-${STACK}-vault the state lists is gone`);
    const again = await cli(["up"]);
    expectSucceeded(again);
    expect(again.output).not.toMatch(/[1-9]\d* (to create|created|to update|updated)/);
  }, 600_000);

  it("tears down completely", async () => {
    expectSucceeded(await cli(["destroy", "--remove"]));
    removed = true;
    expect(dockerLeftovers(STACK)).toEqual([]);
    expect(await postgresRoles(`vp_${STACK.replace("-", "_")}`)).toEqual([]);
  }, 600_000);
});
