/**
 * Tier 2: the staging profile as a three-node raft cluster on one Docker host (server.nodes = 3):
 * one active node and two standbys after the first up, the outside-in checks pass, a second up
 * changes nothing; the active node stops, another takes over and serves the data; the stopped
 * node comes back sealed and the next up unseals it (one update) and changes nothing else.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { runChecks, vaultRequest } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";

import {
  changesOf,
  pulumiCli,
  releaseForTeardown,
  cleanUpStack,
  dockerLeftovers,
  reveal,
  stagingOnLoopback,
  stepTimer,
} from "./helpers";
import { requireToolchain } from "./toolchain";
import { openTestStack } from "./claims";

const STACK = `raft-${process.pid % 100000}`;
const PORT = 25000 + (process.pid % 500) * 6;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-raft-state-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const cli = pulumiCli(opts);
let stack: Stack;
let destroyed = false;
const { timings, timed } = stepTimer();

let caCert = "";
let provisioner = "";
let containers: string[] = [];
const nodeAddress = (i: number) => ({ address: `https://127.0.0.1:${PORT + 2 * i}`, caCert });

/** sys/health of every node: 200 active, 429 standby, 503 sealed, 0 unreachable. */
async function health(): Promise<number[]> {
  return Promise.all(
    containers.map((_, i) =>
      vaultRequest(nodeAddress(i), "GET", "sys/health")
        .then((response) => response.status)
        .catch(() => 0),
    ),
  );
}

async function until(
  condition: (statuses: number[]) => boolean,
  seconds: number,
): Promise<number[]> {
  let statuses = await health();
  for (let i = 0; i < seconds && !condition(statuses); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    statuses = await health();
  }
  return statuses;
}

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack(opts);
  await stack.setAllConfig(
    { ...stagingOnLoopback(PORT), "vault-platform:server.nodes": { value: "3" } },
    true,
  );
}, 120_000);

afterAll(async () => {
  await cleanUpStack(stack, opts, destroyed);
  console.log(`[raft e2e] timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

describe("three-node raft cluster (OpenBao, staging profile)", () => {
  it("goes up with one active node and two standbys", async () => {
    const result = await timed("up", () => stack.up({ onOutput: () => undefined }));
    expect(result.summary.result).toBe("succeeded");
    caCert = result.outputs.vaultCaCertificate.value as string;
    provisioner = result.outputs.provisionerToken.value as string;
    containers = result.outputs.containers.value as string[];
    expect(containers).toEqual([`vp-${STACK}-vault`, `vp-${STACK}-vault-1`, `vp-${STACK}-vault-2`]);
    const statuses = await until((s) => s.filter((x) => x === 200).length === 1, 30);
    expect([...statuses].sort()).toEqual([200, 429, 429]);

    // Joined nodes start as non-voters; autopilot promotes them once they are stable.
    const plain = JSON.parse(cli("stack", "export", "--show-secrets")) as {
      deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] };
    };
    const rootToken = reveal(
      plain.deployment.resources.find((r) => r.type.endsWith("vaultplatform:ServerInit"))?.outputs
        ?.rootToken,
    ) as string;
    let state: { voters?: string[]; healthy?: boolean } = {};
    for (let i = 0; i < 90 && (state.voters ?? []).length < 3; i++) {
      const response = await vaultRequest(
        nodeAddress(0),
        "GET",
        "sys/storage/raft/autopilot/state",
        rootToken,
      );
      state = response.body?.data ?? response.body ?? {};
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if ((state.voters ?? []).length < 3) {
      console.log(JSON.stringify(state, null, 2));
    }
    expect(state).toMatchObject({ healthy: true });
    expect(state.voters).toHaveLength(3);
  });

  it("passes the outside-in checks; a second up changes nothing", async () => {
    const results = await timed("verify", async () => runChecks(await environmentOf(stack)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const again = await timed("second up", () => stack.up({ onOutput: () => undefined }));
    expect(changesOf(again.summary)).toEqual({});
  });

  it("fails over when the active node stops; the node comes back sealed and up unseals it", async () => {
    const written = await vaultRequest(
      nodeAddress(0),
      "POST",
      "secret/data/orders/replicated",
      provisioner,
      { data: { note: "written before the failover" } },
    );
    expect(written.status).toBe(200);
    const active = (await health()).indexOf(200);
    execFileSync("docker", ["stop", containers[active]]);
    const after = await until(
      (s) => s.filter((x, i) => i !== active && x === 200).length === 1,
      60,
    );
    const successor = after.findIndex((x, i) => i !== active && x === 200);
    expect(successor).toBeGreaterThanOrEqual(0);
    const read = await vaultRequest(
      nodeAddress(successor),
      "GET",
      "secret/data/orders/replicated",
      provisioner,
    );
    expect(read.body?.data?.data).toEqual({ note: "written before the failover" });

    execFileSync("docker", ["start", containers[active]]);
    const back = await until((s) => s[active] === 503, 60);
    expect(back[active]).toBe(503);
    const lines: string[] = [];
    const result = await timed("up after the node's return", () =>
      stack.up({ diff: true, onOutput: (text) => lines.push(text) }),
    );
    if (JSON.stringify(changesOf(result.summary)) !== JSON.stringify({ update: 1 })) {
      console.log(lines.join(""));
    }
    expect(changesOf(result.summary)).toEqual({ update: 1 });
    const statuses = await until((s) => !s.includes(503), 30);
    expect([...statuses].sort()).toEqual([200, 429, 429]);
    const again = await stack.up({ onOutput: () => undefined });
    expect(changesOf(again.summary)).toEqual({});
  });

  it("destroy leaves no container or volume behind", async () => {
    releaseForTeardown(cli);
    await timed("destroy", () => stack.destroy({ refresh: true, onOutput: () => undefined }));
    destroyed = true;
    await stack.workspace.removeStack(STACK);
    expect(dockerLeftovers(STACK)).toEqual([]);
  });
});
