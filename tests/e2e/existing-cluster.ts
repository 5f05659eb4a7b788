/**
 * The "existing" cluster of external-cluster.e2e.test.ts, one the program does not run: three
 * raft nodes of the tested flavor with TLS, started by plain `docker run`, initialized and unsealed
 * here, set up as a platform admin would, and the config of the two pr-<n> stacks that use it.
 * OpenBao 2.3+ has namespaces: each stack gets its own. The Vault image is Vault Community, which
 * has none: the stacks share its root namespace by path prefix (tenancy "prefix").
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { FLAVOR_TRAITS } from "../../infra/server-config";
import { generateCertificates } from "../../infra/tls";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { vaultHttp, VaultHttpResponse } from "../../infra/vault-http";
import { openTestStack } from "./claims";
import { E2E_FLAVOR, E2E_IMAGE, E2E_PG_ADMIN, E2E_PG_PORT } from "./toolchain";

/** How the two stacks share the cluster: the tested Vault image has no namespaces. */
export const TENANCY: "namespace" | "prefix" = E2E_FLAVOR === "openbao" ? "namespace" : "prefix";
const TRAITS = FLAVOR_TRAITS[E2E_FLAVOR];

const RUN = `ext-${process.pid}`;
export const LABEL = `vault-platform.e2e=${RUN}`;
// Below Linux's ephemeral ports (32768 and up) and clear of the test stacks' embedded Postgres.
const BASE_PORT = 17000 + (process.pid % 400) * 6;
export const NODES = [0, 1, 2].map((i) => ({
  name: `vp-${RUN}-${i}`,
  port: BASE_PORT + 2 * i,
  address: `https://127.0.0.1:${BASE_PORT + 2 * i}`,
}));
export const ADDRESSES = NODES.map((node) => node.address);
const prBase = 5000 + (process.pid % 4000);
export const APPROLE_STACK = `pr-${prBase}`;
export const JWT_STACK = `pr-${prBase + 1}`;
export const STACKS = [APPROLE_STACK, JWT_STACK];
/** The stack that also runs a CA on the existing cluster (its mounts under its namespace or prefix). */
export const PKI_STACK = JWT_STACK;

/** The project's two default apps, each with a certificate name: PKI_STACK's apps. */
const PKI_APPS = {
  "vault-platform:pki.mode": { value: "internal" },
  "vault-platform:apps[0].name": { value: "orders" },
  "vault-platform:apps[0].database": { value: "readwrite" },
  "vault-platform:apps[0].transitKeys[0]": { value: "orders" },
  "vault-platform:apps[0].pki.names[0]": { value: "orders.pr.internal" },
  "vault-platform:apps[1].name": { value: "reporting" },
  "vault-platform:apps[1].database": { value: "readonly" },
  "vault-platform:apps[1].transitKeys[0]": { value: "reporting" },
  "vault-platform:apps[1].pki.names[0]": { value: "reporting.pr.internal" },
};
/** Someone else's namespace (where the cluster has namespaces) and data the program must not touch. */
export const OTHER_NAMESPACE = `other-${process.pid}`;
export const OTHER_SECRET = `unrelated-${process.pid}-k3y`;
/** A KV mount of the cluster's own in the root namespace, beside the stacks' mounts. */
export const CLUSTER_KV = "secret";
const ISSUER = "https://ci.example.test";
const REPOSITORY = "example/vault-platform";

export const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-external-"));
const stateDir = path.join(workDir, "state");
const jwtFile = path.join(workDir, "ci.jwt");
export const opts = (stackName: string) => ({
  stackName,
  backendUrl: `file://${stateDir}`,
  stateDir,
});
const certificates = generateCertificates({
  commonName: "vault.external.test",
  dnsNames: ["localhost"],
  ipAddresses: ["127.0.0.1"],
  validityHours: 24,
});
export const caCert = certificates.caCertPem;
const signingKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });

/** Handed out by the cluster's init and the admin's setup; none of them may reach a stack's state. */
export const credentials = { rootToken: "", unsealKey: "", secretId: "", jwt: "" };

export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

/** A request as the cluster's admin (root token), optionally inside a namespace. */
export async function admin(
  method: string,
  apiPath: string,
  body?: unknown,
  namespace?: string,
  address = ADDRESSES[0],
): Promise<VaultHttpResponse> {
  return vaultHttp({
    address,
    caCert,
    method,
    path: apiPath,
    token: credentials.rootToken,
    body,
    namespace,
  });
}

/**
 * A request to a KV v2 mount just enabled: Vault answers 400 "Upgrading from non-versioned to
 * versioned data" until the mount has set itself up (a moment, longer on a busy host).
 */
async function whenKvReady(
  request: () => Promise<VaultHttpResponse>,
  seconds = 30,
): Promise<VaultHttpResponse> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const answer = await request();
    const upgrading =
      answer.status === 400 && JSON.stringify(answer.body?.errors ?? "").includes("Upgrading");
    if (!upgrading || Date.now() > deadline) {
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
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

export async function until(what: string, seconds: number, ready: () => Promise<boolean>) {
  for (let i = 0; i < seconds; i++) {
    if (await ready().catch(() => false)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: not ready after ${seconds}s`);
}

/** sys/health of every node: 200 active, 429 standby, 503 sealed, 0 unreachable. */
export async function health(): Promise<number[]> {
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

/** Three nodes on the host network, TLS, raft, joined to the first. */
export function startCluster(): void {
  const home = TRAITS.home;
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
          path: `${home}/file`,
          node_id: node.name,
          retry_join: NODES.filter((peer) => peer !== node).map((peer) => ({
            leader_api_addr: peer.address,
            leader_ca_cert_file: `${home}/config/ca.pem`,
          })),
        },
      },
      listener: [
        {
          tcp: {
            address: `127.0.0.1:${node.port}`,
            cluster_address: `127.0.0.1:${node.port + 1}`,
            tls_cert_file: `${home}/config/server.pem`,
            tls_key_file: `${home}/config/server-key.pem`,
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
      `${configDir}:${home}/config:ro`,
      "--entrypoint",
      TRAITS.binary,
      E2E_IMAGE,
      "server",
      `-config=${home}/config/${node.name}.json`,
    );
  }
}

export async function unseal(address: string): Promise<void> {
  await expectOk(
    vaultHttp({
      address,
      caCert,
      method: "PUT",
      path: "sys/unseal",
      body: { key: credentials.unsealKey },
    }),
    `unseal ${address}`,
  );
}

/** Init, unseal, three voters; then what a platform admin sets up once for the program. */
export async function initCluster(): Promise<void> {
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
  credentials.rootToken = init.root_token;
  credentials.unsealKey = init.keys_base64[0];
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

/**
 * The program's policy as docs/existing-clusters.md gives it (the ```hcl block whose first line
 * starts with `heading`), so that the tier-2 run proves the documented policy is enough.
 */
function documentedPolicy(heading: string): string {
  const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "existing-clusters.md"), "utf8");
  const block = [...page.matchAll(/```hcl\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .find((text) => text.startsWith(heading));
  if (block === undefined) {
    throw new Error(`docs/existing-clusters.md has no hcl block starting with "${heading}"`);
  }
  return block;
}

const PROGRAM_POLICY_HEADINGS: Readonly<Record<typeof TENANCY, string>> = {
  namespace: "# vault-platform.hcl\n",
  prefix: "# vault-platform.hcl, tenancy prefix",
};

/**
 * What a platform admin sets up once: data of the cluster's own (and, with namespaces, someone
 * else's namespace), the program's policy, an AppRole and a JWT role for it. Returns the
 * AppRole's role-id.
 */
export async function adminSetup(): Promise<string> {
  // Data the program must never touch: a KV mount in the root namespace, beside the stacks'.
  const namespaces = TENANCY === "namespace" ? [undefined, OTHER_NAMESPACE] : [undefined];
  if (TENANCY === "namespace") {
    await expectOk(admin("POST", `sys/namespaces/${OTHER_NAMESPACE}`, {}), "other namespace");
  }
  for (const namespace of namespaces) {
    await expectOk(
      admin(
        "POST",
        `sys/mounts/${CLUSTER_KV}`,
        { type: "kv", options: { version: "2" } },
        namespace,
      ),
      `the cluster's KV in ${namespace ?? "the root namespace"}`,
    );
    await expectOk(
      whenKvReady(() =>
        admin("POST", `${CLUSTER_KV}/data/keep`, { data: { value: OTHER_SECRET } }, namespace),
      ),
      `the cluster's secret in ${namespace ?? "the root namespace"}`,
    );
  }
  // The program's policy and its two logins (docs/existing-clusters.md).
  await expectOk(
    admin("PUT", "sys/policies/acl/vault-platform", {
      policy: documentedPolicy(PROGRAM_POLICY_HEADINGS[TENANCY]),
    }),
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
  credentials.secretId = (
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
  credentials.jwt = signJwt({
    iss: ISSUER,
    aud: "vault-platform",
    sub: `repo:${REPOSITORY}:pull_request`,
    repository: REPOSITORY,
    iat: now,
    nbf: now - 5,
    exp: now + 3600,
  });
  fs.writeFileSync(jwtFile, credentials.jwt, { mode: 0o600 });
  return roleId;
}

/** Both test stacks' config, as their users would set it; each stack goes into `stacks` once open. */
export async function configureStacks(roleId: string, stacks: Map<string, Stack>): Promise<void> {
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
    ...(TENANCY === "prefix" ? { [`vault-platform:${key}.tenancy`]: { value: "prefix" } } : {}),
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
      "vault-platform:vaultSecretId": { value: credentials.secretId, secret: true },
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
      ...PKI_APPS,
    },
    true,
  );
  stacks.set(JWT_STACK, jwtStack);
}
