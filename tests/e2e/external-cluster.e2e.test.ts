/**
 * Tier 2: a cluster the program does not run. The test starts an "existing" 3-node OpenBao raft
 * cluster with TLS by plain `docker run`, initializes and unseals it, gives it an unrelated
 * namespace with a secret, and sets up the program's login as a platform admin would (a policy,
 * an AppRole and a JWT role). Then two pr-<n> stacks in external mode, each in its own
 * namespace, one logging in with AppRole and one with a JWT (on the shared-cluster setting):
 * verify, isolation, second up, state export, failover during verify, destroy, leftovers.
 */
import { execFile, execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import type { Stack } from "@pulumi/pulumi/automation";
import { appLogin, formatResults, runChecks } from "../../cli/checks";
import { prepareRun } from "../../cli/preflight";
import { environmentOf } from "../../cli/verify";
import { destroyStack, PROJECT_ROOT } from "../../cli/workspace";
import { generateCertificates } from "../../infra/tls";
import { vaultHttp, VaultHttpResponse } from "../../infra/vault-http";
import { changesOf, postgresRoles, pulumiCli, removeLeftovers, stepTimer } from "./helpers";
import { openTestStack } from "./claims";
import { E2E_FLAVOR, E2E_IMAGE, E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";

const execFileAsync = promisify(execFile);
const RUN = `ext-${process.pid}`;
const LABEL = `vault-platform.e2e=${RUN}`;
// Below Linux's ephemeral ports (32768 and up) and clear of the test stacks' embedded Postgres.
const BASE_PORT = 17000 + (process.pid % 400) * 6;
const NODES = [0, 1, 2].map((i) => ({
  name: `vp-${RUN}-${i}`,
  port: BASE_PORT + 2 * i,
  address: `https://127.0.0.1:${BASE_PORT + 2 * i}`,
}));
const ADDRESSES = NODES.map((node) => node.address);
const prBase = 5000 + (process.pid % 4000);
const APPROLE_STACK = `pr-${prBase}`;
const JWT_STACK = `pr-${prBase + 1}`;
const STACKS = [APPROLE_STACK, JWT_STACK];
const OTHER_NAMESPACE = `other-${process.pid}`;
const OTHER_SECRET = `unrelated-${process.pid}-k3y`;
const ISSUER = "https://ci.example.test";
const REPOSITORY = "example/vault-platform";

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-external-"));
const stateDir = path.join(workDir, "state");
const jwtFile = path.join(workDir, "ci.jwt");
const opts = (stackName: string) => ({ stackName, backendUrl: `file://${stateDir}`, stateDir });
const certificates = generateCertificates({
  commonName: "vault.external.test",
  dnsNames: ["localhost"],
  ipAddresses: ["127.0.0.1"],
  validityHours: 24,
});
const caCert = certificates.caCertPem;
const signingKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const stacks = new Map<string, Stack>();
const destroyed = new Set<string>();
const { timings, timed } = stepTimer();
let rootToken = "";
let unsealKey = "";
let secretId = "";
let jwt = "";

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

/** A request as the cluster's admin (root token), optionally inside a namespace. */
async function admin(
  method: string,
  apiPath: string,
  body?: unknown,
  namespace?: string,
  address = ADDRESSES[0],
): Promise<VaultHttpResponse> {
  return vaultHttp({ address, caCert, method, path: apiPath, token: rootToken, body, namespace });
}

async function expectOk(
  answer: Promise<VaultHttpResponse>,
  what: string,
): Promise<VaultHttpResponse["body"]> {
  const { status, body } = await answer;
  if (status < 200 || status >= 300) {
    throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body?.errors ?? "")}`);
  }
  return body;
}

async function until(what: string, seconds: number, ready: () => Promise<boolean>) {
  for (let i = 0; i < seconds; i++) {
    if (await ready().catch(() => false)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: not ready after ${seconds}s`);
}

/** sys/health of every node: 200 active, 429 standby, 503 sealed, 0 unreachable. */
async function health(): Promise<number[]> {
  return Promise.all(
    ADDRESSES.map((address) =>
      vaultHttp({ address, caCert, method: "GET", path: "sys/health" }).then(
        (answer) => answer.status,
        () => 0,
      ),
    ),
  );
}

function signJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
  const signature = crypto.sign("sha256", Buffer.from(unsigned), signingKey.privateKey);
  return `${unsigned}.${signature.toString("base64url")}`;
}

/** Three OpenBao nodes on the host network, TLS, raft, joined to the first. */
function startCluster(): void {
  const configDir = path.join(workDir, "config");
  fs.mkdirSync(configDir, { mode: 0o755 });
  fs.writeFileSync(path.join(configDir, "ca.pem"), caCert, { mode: 0o644 });
  fs.writeFileSync(path.join(configDir, "server.pem"), certificates.certPem, { mode: 0o644 });
  // Readable by the server's own user inside the container; the directory is this test's.
  fs.writeFileSync(path.join(configDir, "server-key.pem"), certificates.keyPem, { mode: 0o644 });
  for (const node of NODES) {
    const config = {
      ui: false,
      disable_mlock: true,
      storage: {
        raft: {
          path: "/openbao/file",
          node_id: node.name,
          retry_join: NODES.filter((peer) => peer !== node).map((peer) => ({
            leader_api_addr: peer.address,
            leader_ca_cert_file: "/openbao/config/ca.pem",
          })),
        },
      },
      listener: [
        {
          tcp: {
            address: `127.0.0.1:${node.port}`,
            cluster_address: `127.0.0.1:${node.port + 1}`,
            tls_cert_file: "/openbao/config/server.pem",
            tls_key_file: "/openbao/config/server-key.pem",
          },
        },
      ],
      api_addr: node.address,
      cluster_addr: `https://127.0.0.1:${node.port + 1}`,
    };
    fs.writeFileSync(path.join(configDir, `${node.name}.json`), JSON.stringify(config), {
      mode: 0o644,
    });
    docker(
      "run",
      "-d",
      "--name",
      node.name,
      "--label",
      LABEL,
      "--network",
      "host",
      "--cap-add",
      "IPC_LOCK",
      "-v",
      `${configDir}:/openbao/config:ro`,
      "--entrypoint",
      "bao",
      E2E_IMAGE,
      "server",
      `-config=/openbao/config/${node.name}.json`,
    );
  }
}

async function unseal(address: string): Promise<void> {
  await expectOk(
    vaultHttp({ address, caCert, method: "PUT", path: "sys/unseal", body: { key: unsealKey } }),
    `unseal ${address}`,
  );
}

/** Init, unseal, three voters; then what a platform admin sets up once for the program. */
async function initCluster(): Promise<void> {
  await until("first node listening", 60, async () => (await health())[0] === 501);
  const init = await expectOk(
    vaultHttp({
      address: ADDRESSES[0],
      caCert,
      method: "PUT",
      path: "sys/init",
      body: { secret_shares: 1, secret_threshold: 1 },
    }),
    "sys/init",
  );
  rootToken = init.root_token;
  unsealKey = init.keys_base64[0];
  await unseal(ADDRESSES[0]);
  await until("first node active", 120, async () => (await health())[0] === 200);
  for (const address of ADDRESSES.slice(1)) {
    // A follower joins (retry_join) while sealed, then takes the same key.
    await until(`${address} joined`, 180, async () => {
      const seal = await vaultHttp({ address, caCert, method: "GET", path: "sys/seal-status" });
      return seal.body?.initialized === true;
    });
    await unseal(address);
  }
  await until("three voters", 120, async () => {
    const state = await admin("GET", "sys/storage/raft/autopilot/state");
    return (state.body?.data?.voters ?? []).length === 3 && state.body?.data?.healthy === true;
  });
}

const PROGRAM_POLICY = `
path "sys/namespaces/pr-*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "pr-*" { capabilities = ["create", "read", "update", "delete", "list", "sudo", "patch"] }
path "auth/token/create" { capabilities = ["create", "update"] }
path "auth/token/lookup-self" { capabilities = ["read"] }
`;

async function adminSetup(): Promise<string> {
  // Someone else's data the program must never touch.
  await expectOk(admin("POST", `sys/namespaces/${OTHER_NAMESPACE}`, {}), "other namespace");
  await expectOk(
    admin("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } }, OTHER_NAMESPACE),
    "other KV",
  );
  await expectOk(
    admin("POST", "secret/data/keep", { data: { value: OTHER_SECRET } }, OTHER_NAMESPACE),
    "other secret",
  );
  // The program's policy and its two logins (README: Use your existing cluster).
  await expectOk(
    admin("PUT", "sys/policies/acl/vault-platform", { policy: PROGRAM_POLICY }),
    "policy",
  );
  await expectOk(admin("POST", "sys/auth/approle", { type: "approle" }), "approle");
  await expectOk(
    admin("POST", "auth/approle/role/vault-platform", {
      token_policies: ["vault-platform"],
      token_ttl: "20m",
      token_max_ttl: "1h",
      secret_id_ttl: "2h",
    }),
    "approle role",
  );
  const roleId = (await expectOk(admin("GET", "auth/approle/role/vault-platform/role-id"), "id"))
    .data.role_id as string;
  secretId = (
    await expectOk(admin("POST", "auth/approle/role/vault-platform/secret-id", {}), "secret-id")
  ).data.secret_id as string;
  await expectOk(admin("POST", "sys/auth/jwt", { type: "jwt" }), "jwt");
  await expectOk(
    admin("POST", "auth/jwt/config", {
      jwt_validation_pubkeys: [
        signingKey.publicKey.export({ type: "spki", format: "pem" }).toString(),
      ],
      bound_issuer: ISSUER,
    }),
    "jwt config",
  );
  await expectOk(
    admin("POST", "auth/jwt/role/vault-platform-pr", {
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: ["vault-platform"],
      bound_claims: { repository: REPOSITORY },
      token_policies: ["vault-platform"],
      token_ttl: "20m",
    }),
    "jwt role",
  );
  const now = Math.floor(Date.now() / 1000);
  jwt = signJwt({
    iss: ISSUER,
    aud: "vault-platform",
    sub: `repo:${REPOSITORY}:pull_request`,
    repository: REPOSITORY,
    iat: now,
    nbf: now - 5,
    exp: now + 3600,
  });
  fs.writeFileSync(jwtFile, jwt, { mode: 0o600 });
  return roleId;
}

async function configureStacks(roleId: string): Promise<void> {
  const common = {
    "vault-platform:postgres.host": { value: "127.0.0.1" },
    "vault-platform:postgres.port": { value: String(E2E_PG_PORT) },
    "vault-platform:postgresAdminPassword": { value: E2E_PG_ADMIN.password, secret: true },
    'vault-platform:seeds["orders/config"].data.api_key': {
      value: `seed-${process.pid}-x9`,
      secret: true,
    },
  };
  const cluster = (key: string) => ({
    [`vault-platform:${key}.flavor`]: { value: E2E_FLAVOR },
    [`vault-platform:${key}.tls.caCertificate`]: { value: caCert },
    ...Object.fromEntries(
      ADDRESSES.map((address, i) => [`vault-platform:${key}.address[${i}]`, { value: address }]),
    ),
  });
  const approle = await openTestStack(opts(APPROLE_STACK));
  await approle.setAllConfig(
    {
      ...common,
      ...cluster("server"),
      "vault-platform:server.mode": { value: "external" },
      "vault-platform:server.auth.method": { value: "approle" },
      "vault-platform:server.auth.roleId": { value: roleId },
      "vault-platform:vaultSecretId": { value: secretId, secret: true },
    },
    true,
  );
  stacks.set(APPROLE_STACK, approle);
  // The other one as a pull-request environment on the shared cluster, logging in as CI does.
  const jwtStack = await openTestStack(opts(JWT_STACK));
  await jwtStack.setAllConfig(
    {
      ...common,
      ...cluster("sharedCluster"),
      "vault-platform:sharedCluster.auth.method": { value: "jwt" },
      "vault-platform:sharedCluster.auth.role": { value: "vault-platform-pr" },
      "vault-platform:sharedCluster.auth.jwtFile": { value: jwtFile },
    },
    true,
  );
  stacks.set(JWT_STACK, jwtStack);
}

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
  await configureStacks(roleId);
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
    docker("rm", "-f", ...containers);
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
      for (const secret of [secretId, jwt, rootToken, unsealKey]) {
        expect(exported.includes(secret)).toBe(false);
      }
      // The JWT never reaches state at all, not even encrypted.
      expect(cli("stack", "export", "--show-secrets").includes(jwt)).toBe(false);
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
