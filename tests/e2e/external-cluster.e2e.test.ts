/**
 * Tier 2: a cluster the program does not run. The test starts an "existing" 3-node OpenBao raft
 * cluster with TLS by plain `docker run`, initializes and unseals it, gives it an unrelated
 * namespace with a secret, and sets up the program's login as a platform admin would (a policy,
 * an AppRole and a JWT role). Then two pr-<n> stacks in external mode, each in its own
 * namespace, one logging in with AppRole and one with a JWT (on the shared-cluster setting):
 * verify, isolation, second up, state export, failover during verify, destroy, leftovers.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import type { Stack } from "@pulumi/pulumi/automation";
import { appLogin, formatResults, runChecks } from "../../cli/checks/run-checks";
import { prepareRun } from "../../cli/engine/preflight";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { destroyStack } from "../../cli/recovery/destroy";
import { vaultHttp } from "../../infra/vault-http";
import { changesOf, postgresRoles, pulumiCli, removeLeftovers, stepTimer } from "./helpers";
import {
  ADDRESSES,
  adminSetup,
  admin,
  APPROLE_STACK,
  caCert,
  configureStacks,
  credentials,
  docker,
  health,
  initCluster,
  JWT_STACK,
  LABEL,
  NODES,
  opts,
  OTHER_NAMESPACE,
  OTHER_SECRET,
  STACKS,
  startCluster,
  unseal,
  until,
  workDir,
} from "./existing-cluster";
import { E2E_FLAVOR, E2E_IMAGE, requireToolchain } from "./toolchain";

const execFileAsync = promisify(execFile);
const stacks = new Map<string, Stack>();
const destroyed = new Set<string>();
const { timings, timed } = stepTimer();

let dynamicUsersBefore: string[] = [];

beforeAll(async () => {
  await requireToolchain();
  if (E2E_FLAVOR !== "openbao") {
    return;
  }
  await timed("start the existing cluster (docker run, init, unseal, 3 voters)", async () => {
    startCluster();
    await initCluster();
  });
  const roleId = await adminSetup();
  await configureStacks(roleId, stacks);
  dynamicUsersBefore = await postgresRoles("v-");
}, 300_000);

afterAll(async () => {
  for (const [stackName, stack] of stacks) {
    if (!destroyed.has(stackName)) {
      await destroyStack(stack, { remove: true }).catch(() => undefined);
      await removeLeftovers(stackName).catch(() => undefined);
    }
    fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`), { force: true });
  }
  const containers = docker("ps", "-aq", "--filter", `label=${LABEL}`).split("\n").filter(Boolean);
  if (containers.length > 0) {
    docker("rm", "-f", "-v", ...containers);
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  console.log(`[e2e] timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

// Namespaces: OpenBao 2.3+ and Vault Enterprise; the Vault image here is Vault Community.
const describeNamespaces = E2E_FLAVOR === "openbao" ? describe : describe.skip;
if (E2E_FLAVOR !== "openbao") {
  // Straight to the terminal: jest shows a file's console output only when a test of it ran.
  process.stdout.write(
    `[e2e] external-cluster: NOT RUN on ${E2E_FLAVOR} (namespaces need OpenBao 2.3+ or Vault Enterprise; Vault Community has none)\n`,
  );
}

describeNamespaces(`an existing cluster, one namespace per environment (${E2E_IMAGE})`, () => {
  it("brings both environments up, each in its own namespace", async () => {
    for (const stackName of STACKS) {
      const stack = stacks.get(stackName) as Stack;
      const result = await timed(`up ${stackName}`, async () => {
        await prepareRun(stack);
        return stack.up({ onOutput: () => undefined });
      });
      expect(result.summary.result).toBe("succeeded");
      expect(result.outputs.namespace.value).toBe(stackName);
      expect(result.outputs.container?.value).toBeUndefined();
    }
    const namespaces = await admin("LIST", "sys/namespaces");
    expect(namespaces.body.data.keys).toEqual(
      expect.arrayContaining([`${APPROLE_STACK}/`, `${JWT_STACK}/`, `${OTHER_NAMESPACE}/`]),
    );
  }, 600_000);

  it("passes verify in both, logging in as the program with AppRole and with the JWT", async () => {
    for (const stackName of STACKS) {
      const results = await timed(`verify ${stackName}`, async () =>
        runChecks(await environmentOf(stacks.get(stackName) as Stack)),
      );
      console.log(`[e2e] ${stackName}\n${formatResults(results)}`);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expect(results.length).toBeGreaterThanOrEqual(10);
    }
  }, 300_000);

  it("denies an app of one environment everything in the other namespaces", async () => {
    const env = await environmentOf(stacks.get(APPROLE_STACK) as Stack);
    const token = await appLogin(env, env.apps[0]);
    for (const namespace of [JWT_STACK, OTHER_NAMESPACE]) {
      for (const [method, apiPath] of [
        ["GET", "secret/data/orders/config"],
        ["GET", "secret/data/keep"],
        ["GET", "database/creds/orders"],
        ["POST", "transit/encrypt/orders"],
        ["GET", "sys/mounts"],
        ["LIST", "auth/approle/role"],
      ]) {
        const answer = await vaultHttp({
          address: env.address,
          caCert,
          method,
          path: apiPath,
          token,
          namespace,
          body: method === "POST" ? { plaintext: "eA==" } : undefined,
        });
        expect(`${namespace} ${method} ${apiPath}: ${answer.status}`).toBe(
          `${namespace} ${method} ${apiPath}: 403`,
        );
      }
    }
  }, 120_000);

  it("shows zero changes on a second up, and keeps no token, secret-id or JWT in state", async () => {
    for (const stackName of STACKS) {
      const stack = stacks.get(stackName) as Stack;
      const result = await timed(`second up ${stackName}`, async () => {
        await prepareRun(stack);
        return stack.up({ onOutput: () => undefined });
      });
      expect(changesOf(result.summary)).toEqual({});
      const cli = pulumiCli(opts(stackName));
      const exported = cli("stack", "export");
      for (const secret of [
        credentials.secretId,
        credentials.jwt,
        credentials.rootToken,
        credentials.unsealKey,
      ]) {
        expect(exported.includes(secret)).toBe(false);
      }
      // The JWT never reaches state at all, not even encrypted.
      expect(cli("stack", "export", "--show-secrets").includes(credentials.jwt)).toBe(false);
    }
  }, 600_000);

  it("keeps verify passing while the active node stops (fails over within 30 s)", async () => {
    const before = await health();
    const active = before.indexOf(200);
    expect(active).toBeGreaterThanOrEqual(0);
    const env = await environmentOf(stacks.get(APPROLE_STACK) as Stack);
    // The node stops while one verify runs (without blocking it), and the next verify starts
    // at once, while the remaining nodes elect a new active one.
    const during = runChecks(env);
    await execFileAsync("docker", ["stop", "-t", "0", NODES[active].name]);
    try {
      const started = Date.now();
      const after = await runChecks(env);
      const seconds = (Date.now() - started) / 1000;
      const results = [...(await during), ...after];
      console.log(
        `[e2e] verify right after the active node (${NODES[active].name}) stopped: ${seconds.toFixed(1)}s\n${formatResults(after)}`,
      );
      timings["verify across a failover"] = Math.round(seconds);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expect(seconds).toBeLessThan(30 + 10);
      const statuses = await health();
      console.log(`[e2e] sys/health of the nodes after the failover: ${JSON.stringify(statuses)}`);
      expect(statuses[active]).toBe(0);
      await until("a new active node", 30, async () =>
        (await health()).some((status, node) => node !== active && status === 200),
      );
    } finally {
      // The node comes back (sealed, as any restarted node), is unsealed and rejoins as standby.
      docker("start", NODES[active].name);
      await until("stopped node listening", 60, async () => (await health())[active] === 503);
      await unseal(ADDRESSES[active]);
      await until("stopped node back as standby", 60, async () => (await health())[active] === 429);
    }
  }, 300_000);

  it("destroys both, leaving the namespaces gone, Postgres clean and the other data intact", async () => {
    for (const stackName of STACKS) {
      await timed(`destroy ${stackName}`, () =>
        destroyStack(stacks.get(stackName) as Stack, { remove: true }),
      );
      destroyed.add(stackName);
    }
    const namespaces = await admin("LIST", "sys/namespaces");
    const keys: string[] = namespaces.body?.data?.keys ?? [];
    expect(keys).not.toContain(`${APPROLE_STACK}/`);
    expect(keys).not.toContain(`${JWT_STACK}/`);
    const other = await admin("GET", "secret/data/keep", undefined, OTHER_NAMESPACE);
    expect(other.status).toBe(200);
    expect(other.body.data.data.value).toBe(OTHER_SECRET);
    // The cluster's own auth methods and policy are the admin's: untouched.
    expect((await admin("GET", "sys/policies/acl/vault-platform")).status).toBe(200);
    expect((await admin("GET", "auth/approle/role/vault-platform")).status).toBe(200);
    for (const stackName of STACKS) {
      expect(await postgresRoles(`vp_${stackName.replace("-", "_")}`)).toEqual([]);
    }
    expect(await postgresRoles("v-")).toEqual(dynamicUsersBefore);
    for (const stackName of STACKS) {
      expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`))).toBe(false);
    }
  }, 600_000);
});
