/**
 * Tier 2: a cluster the program does not run. The test starts an "existing" 3-node raft cluster
 * of the tested flavor with TLS by plain `docker run`, initializes and unseals it, gives it data
 * of its own (a KV mount in the root namespace; on OpenBao also an unrelated namespace), and sets
 * up the program's login as a platform admin would (a policy, an AppRole and a JWT role). Then two
 * pr-<n> stacks in external mode, one logging in with AppRole and one with a JWT (on the
 * shared-cluster setting). OpenBao 2.3+ gives each its own namespace; the Vault image is Vault
 * Community, without namespaces, where both share the root namespace by path prefix. Either way:
 * verify, isolation, second up, state export, failover during verify, destroy, leftovers. Tests
 * about one way of sharing are skipped by name under the other.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import type { Stack } from "@pulumi/pulumi/automation";
import {
  appLogin,
  databaseCredentials,
  formatResults,
  runChecks,
} from "../../cli/checks/run-checks";
import { prepareRun } from "../../cli/engine/preflight";
import { programToken, resolvedConfig } from "../../cli/engine/program-login";
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
  CLUSTER_KV,
  configureStacks,
  credentials,
  docker,
  health,
  initCluster,
  JWT_STACK,
  PKI_STACK,
  LABEL,
  NODES,
  opts,
  OTHER_NAMESPACE,
  OTHER_SECRET,
  STACKS,
  startCluster,
  TENANCY,
  unseal,
  until,
  workDir,
} from "./existing-cluster";
import { E2E_FLAVOR, E2E_IMAGE, requireToolchain } from "./toolchain";

const execFileAsync = promisify(execFile);
const stacks = new Map<string, Stack>();
const destroyed = new Set<string>();
const { timings, timed } = stepTimer();

beforeAll(async () => {
  await requireToolchain();
  await timed("start the existing cluster (docker run, init, unseal, 3 voters)", async () => {
    startCluster();
    await initCluster();
  });
  const roleId = await adminSetup();
  await configureStacks(roleId, stacks);
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

// A test about one way of sharing the cluster runs where the tested flavor shares it that way.
const withNamespaces = TENANCY === "namespace" ? it : it.skip;
const byPrefix = TENANCY === "prefix" ? it : it.skip;
// Straight to the terminal: jest shows a file's console output only when a test of it ran.
process.stdout.write(
  TENANCY === "namespace"
    ? `[e2e] external-cluster on ${E2E_FLAVOR}: a namespace per environment; the path-prefix tests are skipped (they run on Vault Community, which has no namespaces)\n`
    : `[e2e] external-cluster on ${E2E_FLAVOR}: Vault Community has no namespaces, the environments share the root namespace by path prefix; the namespace tests are skipped (they run on OpenBao 2.3+)\n`,
);

const stackOf = (stackName: string) => stacks.get(stackName) as Stack;
/** The program's own token, as verify logs it in. */
const programTokenOf = async (stackName: string) =>
  programToken(stackOf(stackName), await resolvedConfig(stackOf(stackName)));

/** Mount paths (secrets engines or auth methods) of the root namespace, as Vault lists them. */
async function rootMounts(kind: "mounts" | "auth"): Promise<string[]> {
  const answer = await admin("GET", `sys/${kind}`);
  return Object.keys(answer.body.data ?? answer.body).filter((key) => key.endsWith("/"));
}

describe(`an existing cluster, ${TENANCY === "namespace" ? "one namespace" : "one path prefix"} per environment (${E2E_IMAGE})`, () => {
  byPrefix(
    "stops a pr-<n> stack that would get a namespace of its own, naming sharedCluster.tenancy",
    async () => {
      const stack = stackOf(JWT_STACK);
      const version = (await admin("GET", "sys/health")).body.version as string;
      await stack.removeConfig("vault-platform:sharedCluster.tenancy", true);
      try {
        await expect(prepareRun(stack)).rejects.toThrow(
          `Stopped before changing anything:\n  - vault-platform:sharedCluster.tenancy: this Vault (${version}) is not Vault Enterprise or HCP Vault and has no namespaces, and a pr-<n> stack lives in a namespace of its own (${JWT_STACK}) unless it shares the cluster by path prefix; set sharedCluster.tenancy to "prefix" (mounts and auth paths under ${JWT_STACK}/, policies named ${JWT_STACK}-...), or point it at an Enterprise cluster`,
        );
      } finally {
        await stack.setConfig("vault-platform:sharedCluster.tenancy", { value: "prefix" }, true);
      }
    },
    120_000,
  );

  it("brings both environments up, each in its own namespace or under its own prefix", async () => {
    for (const stackName of STACKS) {
      const stack = stackOf(stackName);
      const result = await timed(`up ${stackName}`, async () => {
        await prepareRun(stack);
        return stack.up({ onOutput: () => undefined });
      });
      expect(result.summary.result).toBe("succeeded");
      expect(result.outputs.container?.value).toBeUndefined();
      if (TENANCY === "namespace") {
        expect(result.outputs.namespace.value).toBe(stackName);
        expect(result.outputs.pathPrefix?.value).toBeUndefined();
      } else {
        expect(result.outputs.namespace?.value).toBeUndefined();
        expect(result.outputs.pathPrefix.value).toBe(stackName);
        expect(result.outputs.mounts.value).toEqual({
          kv: `${stackName}/secret`,
          database: `${stackName}/database`,
          transit: `${stackName}/transit`,
          approle: `${stackName}/approle`,
          ...(stackName === PKI_STACK ? { pki: `${stackName}/pki` } : {}),
        });
      }
    }
  }, 600_000);

  withNamespaces("lists both environments' namespaces beside the other one", async () => {
    const namespaces = await admin("LIST", "sys/namespaces");
    expect(namespaces.body.data.keys).toEqual(
      expect.arrayContaining([`${APPROLE_STACK}/`, `${JWT_STACK}/`, `${OTHER_NAMESPACE}/`]),
    );
  });

  byPrefix(
    "lists both environments' mounts, auth methods and policies beside the cluster's own",
    async () => {
      const mounts = await rootMounts("mounts");
      const auth = await rootMounts("auth");
      const policies: string[] = (await admin("LIST", "sys/policies/acl")).body.data.keys;
      for (const stackName of STACKS) {
        const pkiMounts = stackName === PKI_STACK ? ["pki", "pki-root"] : [];
        expect(mounts.filter((mount) => mount.startsWith(`${stackName}/`)).sort()).toEqual(
          ["database", ...pkiMounts, "secret", "transit"]
            .map((mount) => `${stackName}/${mount}/`)
            .sort(),
        );
        expect(auth.filter((mount) => mount.startsWith(`${stackName}/`))).toEqual([
          `${stackName}/approle/`,
        ]);
        expect(policies.filter((policy) => policy.startsWith(`${stackName}-`)).sort()).toEqual([
          `${stackName}-app-orders`,
          `${stackName}-app-reporting`,
        ]);
      }
      expect(mounts).toContain(`${CLUSTER_KV}/`);
      expect(auth).toEqual(expect.arrayContaining(["approle/", "jwt/", "token/"]));
    },
    60_000,
  );

  it("passes verify in both, logging in as the program with AppRole and with the JWT", async () => {
    for (const stackName of STACKS) {
      const results = await timed(`verify ${stackName}`, async () =>
        runChecks(await environmentOf(stackOf(stackName))),
      );
      console.log(`[e2e] ${stackName}\n${formatResults(results)}`);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expect(results.length).toBeGreaterThanOrEqual(10);
      if (stackName === PKI_STACK) {
        // The CA in the environment's namespace or under its prefix: issued, refused, revoked.
        const certificateChecks = results.filter((result) =>
          /certificate|CRL|names it does not own/.test(result.check),
        );
        expect(certificateChecks.map((result) => result.ok)).toEqual(Array(8).fill(true));
      }
    }
  }, 300_000);

  it("denies an app of one environment everything of the other and of the cluster's own", async () => {
    const env = await environmentOf(stackOf(APPROLE_STACK));
    const token = await appLogin(env, env.apps[0]);
    // [namespace, mount prefix]: the other environment, then the cluster's own data.
    const elsewhere: [string | undefined, string][] =
      TENANCY === "namespace"
        ? [
            [JWT_STACK, ""],
            [OTHER_NAMESPACE, ""],
            [undefined, ""],
          ]
        : [
            [undefined, `${JWT_STACK}/`],
            [undefined, ""],
          ];
    const asked: string[] = [];
    for (const [namespace, prefix] of elsewhere) {
      for (const [method, apiPath] of [
        ["GET", `${prefix}secret/data/orders/config`],
        ["GET", `${prefix}${CLUSTER_KV}/data/keep`],
        ["GET", `${prefix}database/creds/orders`],
        ["POST", `${prefix}transit/encrypt/orders`],
        ["GET", "sys/mounts"],
        ["LIST", `auth/${prefix}approle/role`],
        ["GET", `sys/policies/acl/${prefix.replace(/\/$/, "-")}app-orders`],
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
        const where = `${namespace ?? "root"} ${method} ${apiPath}`;
        asked.push(where);
        expect(`${where}: ${answer.status}`).toBe(`${where}: 403`);
      }
    }
    console.log(`[e2e] denied (403) to an app of ${APPROLE_STACK}:\n  ${asked.join("\n  ")}`);
  }, 120_000);

  it("keeps the program's own login out of the cluster's mounts and the admin's setup", async () => {
    const token = await programTokenOf(APPROLE_STACK);
    for (const [method, apiPath] of [
      ["GET", `${CLUSTER_KV}/data/keep`],
      ["PUT", `${CLUSTER_KV}/data/keep`],
      ["DELETE", `sys/mounts/${CLUSTER_KV}`],
      ["GET", "sys/policies/acl/vault-platform"],
      ["LIST", "auth/approle/role"],
      ["DELETE", "sys/auth/jwt"],
    ]) {
      const answer = await vaultHttp({
        address: ADDRESSES[0],
        caCert,
        method,
        path: apiPath,
        token,
        body: method === "PUT" ? { data: { value: "overwritten" } } : undefined,
      });
      expect(`${method} ${apiPath}: ${answer.status}`).toBe(`${method} ${apiPath}: 403`);
    }
  }, 60_000);

  it("shows zero changes on a second up, and keeps no token, secret-id or JWT in state", async () => {
    for (const stackName of STACKS) {
      const stack = stackOf(stackName);
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
    const env = await environmentOf(stackOf(APPROLE_STACK));
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
      // Vault's standby answers its health before it forwards requests to the active node (it
      // answered a login with HTTP 500 meanwhile); the next tests send to this node first.
      await until(
        "stopped node forwarding requests",
        60,
        async () =>
          (await admin("LIST", "sys/policies/acl", undefined, undefined, ADDRESSES[active]))
            .status === 200,
      );
    }
  }, 300_000);

  it("destroys both, leaving Postgres clean and the cluster's own mount, data and setup intact", async () => {
    // A lease each environment leaves open: destroy revokes it, and Vault drops the user.
    const openLeaseUsers: string[] = [];
    for (const stackName of STACKS) {
      const env = await environmentOf(stackOf(stackName));
      const app = env.apps.find((candidate) => candidate.databaseRole !== undefined);
      if (app?.databaseRole === undefined) {
        throw new Error(`${stackName}: no app with a database role`);
      }
      const token = await appLogin(env, app);
      const creds = await databaseCredentials(env, token, app.databaseRole);
      openLeaseUsers.push(creds.username);
    }
    for (const user of openLeaseUsers) {
      expect(await postgresRoles(user)).toEqual([user]);
    }
    for (const stackName of STACKS) {
      await timed(`destroy ${stackName}`, () => destroyStack(stackOf(stackName), { remove: true }));
      destroyed.add(stackName);
    }
    const kept = await admin("GET", `${CLUSTER_KV}/data/keep`);
    expect(kept.status).toBe(200);
    expect(kept.body.data.data.value).toBe(OTHER_SECRET);
    // The cluster's own auth methods and policy are the admin's: untouched.
    expect((await admin("GET", "sys/policies/acl/vault-platform")).status).toBe(200);
    expect((await admin("GET", "auth/approle/role/vault-platform")).status).toBe(200);
    expect((await admin("GET", "auth/jwt/role/vault-platform-pr")).status).toBe(200);
    for (const stackName of STACKS) {
      expect(await postgresRoles(`vp_${stackName.replace("-", "_")}`)).toEqual([]);
    }
    for (const user of openLeaseUsers) {
      expect(await postgresRoles(user)).toEqual([]);
    }
    for (const stackName of STACKS) {
      expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`))).toBe(false);
    }
  }, 600_000);

  withNamespaces("has deleted both namespaces, the other namespace's data intact", async () => {
    const namespaces = await admin("LIST", "sys/namespaces");
    const keys: string[] = namespaces.body?.data?.keys ?? [];
    expect(keys).not.toContain(`${APPROLE_STACK}/`);
    expect(keys).not.toContain(`${JWT_STACK}/`);
    const other = await admin("GET", `${CLUSTER_KV}/data/keep`, undefined, OTHER_NAMESPACE);
    expect(other.status).toBe(200);
    expect(other.body.data.data.value).toBe(OTHER_SECRET);
  });

  byPrefix("leaves no mount, auth method or policy under either prefix", async () => {
    const mounts = await rootMounts("mounts");
    const auth = await rootMounts("auth");
    const policies: string[] = (await admin("LIST", "sys/policies/acl")).body.data.keys;
    for (const stackName of STACKS) {
      expect(mounts.filter((mount) => mount.startsWith(`${stackName}/`))).toEqual([]);
      expect(auth.filter((mount) => mount.startsWith(`${stackName}/`))).toEqual([]);
      expect(policies.filter((policy) => policy.startsWith(`${stackName}-`))).toEqual([]);
    }
    expect(mounts).toContain(`${CLUSTER_KV}/`);
  });
});
