/**
 * Tier 2: faults a user meets, recovered with the project's own commands only (npm run up,
 * destroy, verify). Each scenario runs the CLI as a user does, as a child process killed with
 * SIGKILL where the fault is an interrupted run, and prints a table at the end.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import {
  dockerLeftovers,
  flavorAndPostgres,
  postgresRoles,
  pulumiCli,
  removeLeftovers,
  reveal,
} from "./helpers";
import { describeRun, expectSucceeded, npmRun, Run, Trigger } from "./npm-run";
import {
  E2E_FLAVOR,
  E2E_PG_ADMIN,
  E2E_PG_PORT,
  requireToolchain,
  startPostgres,
  stopPostgres,
} from "./toolchain";
import { openTestStack } from "./claims";

const STACK = `pr-${4000 + (process.pid % 1000)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-faults-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE_FILE: path.join(stateDir, "passphrase"),
};
const outputs: string[] = [];
const table: {
  fault: string;
  recovered: boolean;
  dataLost: string;
  manual: string;
  seconds: number;
}[] = [];
let stack: Stack;
let removed = false;

/** `npm run <command> -- --stack STACK ...` on this suite's stack (see npmRun). */
function cli(args: string[], killWhen?: RegExp, trigger?: Trigger): Promise<Run> {
  return npmRun({ stack: STACK, env, outputs }, args, killWhen, trigger);
}

async function verifyPasses(): Promise<void> {
  const results = await runChecks(await environmentOf(stack));
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) {
    throw new Error(formatResults(results));
  }
}

async function scenario(fault: string, dataLost: string, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  let recovered = false;
  try {
    await body();
    recovered = true;
  } finally {
    table.push({
      fault,
      recovered,
      dataLost,
      manual: "none",
      seconds: Math.round((Date.now() - started) / 1000),
    });
  }
}

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack(opts);
  await stack.setAllConfig(
    {
      ...flavorAndPostgres(),
    },
    true,
  );
}, 120_000);

afterAll(async () => {
  if (!removed) {
    await cli(["destroy", "--remove"]);
    await removeLeftovers(STACK).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
  console.log(
    [
      "[faults] fault | recovered | data lost | manual steps | seconds",
      ...table.map(
        (row) =>
          `[faults] ${row.fault} | ${row.recovered ? "yes" : "NO"} | ${row.dataLost} | ${row.manual} | ${row.seconds}`,
      ),
    ].join("\n"),
  );
}, 600_000);

describe(`faults, recovered with npm run commands only (${E2E_FLAVOR})`, () => {
  it("up killed before the container step: the next up releases the lock and converges", async () => {
    await scenario("kill -9 of up before the container step", "none", async () => {
      const killed = await cli(["up"], /Updating \(/);
      expect(killed.code).not.toBe(0);
      const next = await cli(["up"]);
      expectSucceeded(next);
      await verifyPasses();
    });
  }, 600_000);

  it("dev container restarted: the next up sees the empty server and rebuilds it", async () => {
    await scenario(
      "docker restart of the dev server",
      "in-memory data (by design of dev mode); config restored",
      async () => {
        execFileSync("docker", ["restart", `vp-${STACK}-vault`]);
        const next = await cli(["up"]);
        expectSucceeded(next);
        expect(next.output).toContain("lost its state");
        await verifyPasses();
        const again = await cli(["up"]);
        expect(again.output).not.toMatch(/[1-9]\d* (to create|created|to update|updated)/);
      },
    );
  }, 600_000);

  it("destroy killed half-way: the next destroy finishes and leaves nothing", async () => {
    await scenario("kill -9 of destroy half-way", "none", async () => {
      const killed = await cli(["destroy"], /deleting/);
      expect(killed.code).not.toBe(0);
      const next = await cli(["destroy"]);
      expectSucceeded(next);
      expect(dockerLeftovers(STACK)).toEqual([]);
    });
  }, 600_000);

  it("up killed while the container is being created: the next up converges", async () => {
    await scenario("kill -9 of up during the container step", "none", async () => {
      const killed = await cli(["up"], /platform-server-container creating/);
      expect(killed.code).not.toBe(0);
      const next = await cli(["up"]);
      expectSucceeded(next);
      await verifyPasses();
    });
  }, 600_000);

  it("up killed right after the container step: the next up converges", async () => {
    await scenario("kill -9 of up after the container step", "none", async () => {
      expectSucceeded(await cli(["destroy"]));
      const killed = await cli(["up"], /platform-server-container created/);
      expect(killed.code).not.toBe(0);
      const next = await cli(["up"]);
      expectSucceeded(next);
      await verifyPasses();
    });
  }, 600_000);

  it("Vault container killed during up: a clear error, the next up converges", async () => {
    await scenario(
      "docker kill of the server during up",
      "in-memory data (by design of dev mode); config restored",
      async () => {
        expectSucceeded(await cli(["destroy"]));
        const failed = await cli(["up"], undefined, {
          when: /platform-kv\S* creating/,
          act: () => execFileSync("docker", ["kill", `vp-${STACK}-vault`]),
        });
        expect(failed.code).not.toBe(0);
        expect(failed.output).toMatch(/connection refused|no such host|error/i);
        const next = await cli(["up"]);
        expectSucceeded(next);
        await verifyPasses();
      },
    );
  }, 600_000);

  it("two ups at once: one stops on the lock, state stays intact", async () => {
    await scenario("two concurrent ups", "none", async () => {
      const [first, second] = await Promise.all([cli(["up"]), cli(["up"])]);
      if ([first.code, second.code].sort().join() !== "0,1") {
        // What each run said, for the failure (the outputs hold no secret: see the last test).
        console.log(
          `[faults] two ups at once:\n${describeRun(first)}\n---\n${describeRun(second)}`,
        );
      }
      expect([first.code, second.code].sort()).toEqual([0, 1]);
      expect(`${first.output}${second.output}`).toMatch(/locked/);
      const again = await cli(["up"]);
      expectSucceeded(again);
      await verifyPasses();
    });
  }, 600_000);

  it("Postgres stopped: the preflight names the key and address, nothing is created", async () => {
    await scenario("Postgres stopped at up", "none", async () => {
      expectSucceeded(await cli(["destroy"]));
      expect(stopPostgres()).toBeUndefined();
      let refused: Run;
      try {
        refused = await cli(["up"]);
      } finally {
        expect(startPostgres()).toBeUndefined();
      }
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(
        `vault-platform:postgres.host: cannot connect to Postgres at 127.0.0.1:${E2E_PG_PORT}`,
      );
      expect(dockerLeftovers(STACK)).toEqual([]);
      const next = await cli(["up"]);
      expectSucceeded(next);
      await verifyPasses();
    });
  }, 600_000);

  it("no command printed a secret and the state holds none in plain text", async () => {
    const cliOf = pulumiCli(opts);
    const exported = cliOf("stack", "export");
    const plain = JSON.parse(cliOf("stack", "export", "--show-secrets")) as {
      deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] };
    };
    const known = [
      E2E_PG_ADMIN.password,
      ...plain.deployment.resources
        .filter((resource) => resource.type === "random:index/randomPassword:RandomPassword")
        .map((resource) => reveal(resource.outputs?.result) as string),
    ];
    expect(known.length).toBeGreaterThan(1);
    // Counts, so that a failure never prints a secret into the log.
    expect(known.filter((secret) => exported.includes(secret)).length).toBe(0);
    expect(known.filter((secret) => outputs.some((output) => output.includes(secret))).length).toBe(
      0,
    );
  }, 120_000);

  it("tears down completely", async () => {
    const last = await cli(["destroy", "--remove"]);
    expectSucceeded(last);
    removed = true;
    expect(dockerLeftovers(STACK)).toEqual([]);
    expect(await postgresRoles(`vp_${STACK.replace("-", "_")}`)).toEqual([]);
    expect(table.every((row) => row.recovered)).toBe(true);
  }, 600_000);
});
