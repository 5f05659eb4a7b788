/**
 * Tier 2: the staging profile on a server-mode OpenBao the program initializes itself: raft on a
 * volume, a TLS-only listener on a generated certificate, init and unseal as a resource, a scoped provisioner token with the root token revoked,
 * the database root credential rotated; then a container restart and an `up` that only unseals.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks, vaultRequest } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { restoreTrustFile } from "../../cli/engine/trust-file";
import { trustFilePath } from "../../infra/tls";
import { vaultHttp } from "../../infra/vault-http";
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
import { E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";
import { openTestStack } from "./claims";

const STACK = `srv-${process.pid % 100000}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-server-state-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const SEED = `server-seed-${process.pid}-q9w8`;
let stack: Stack;
const { timings, timed } = stepTimer();

const cli = pulumiCli(opts);

async function pgLogin(user: string, password: string): Promise<string> {
  const client = new Client({
    host: "127.0.0.1",
    port: E2E_PG_PORT,
    database: "postgres",
    user,
    password,
  });
  try {
    await client.connect();
    return "ok";
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack(opts);
  await stack.setAllConfig(
    {
      ...stagingOnLoopback(21000 + (process.pid % 1000) * 2),
      "vault-platform:server.unsealKeyShares": { value: "3" },
      "vault-platform:server.unsealKeyThreshold": { value: "2" },
      "vault-platform:server.revokeRootToken": { value: "true" },
      // Nested mount paths: the provisioner policy is derived from them.
      "vault-platform:approle.path": { value: "team/approle" },
      "vault-platform:kv.path": { value: "team/kv" },
      'vault-platform:seeds["orders/config"].data.api_key': { value: SEED, secret: true },
    },
    true,
  );
}, 120_000);

let destroyed = false;

afterAll(async () => {
  await cleanUpStack(stack, opts, destroyed);
  console.log(`[server e2e] timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

describe("server mode (OpenBao, staging profile)", () => {
  /** The API over TLS, trusting the CA the stack exports. */
  let address = { address: "", caCert: "" };
  let provisioner = "";

  it("goes up from an empty stack: initialized, unsealed, configured, TLS only", async () => {
    const result = await timed("up", () => stack.up({ onOutput: () => undefined }));
    expect(result.summary.result).toBe("succeeded");
    address = {
      address: result.outputs.vaultAddress.value as string,
      caCert: result.outputs.vaultCaCertificate.value as string,
    };
    expect(address.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    provisioner = result.outputs.provisionerToken.value as string;
    const health = await vaultRequest(address, "GET", "sys/health");
    expect(health.body).toMatchObject({ initialized: true, sealed: false });
    expect(result.outputs.rootToken).toBeUndefined();
  });

  it("refuses plain HTTP and clients that do not trust its CA", async () => {
    const plain = await fetch(`${address.address.replace("https:", "http:")}/v1/sys/health`);
    expect(plain.status).toBe(400);
    expect(await plain.text()).toContain("Client sent an HTTP request to an HTTPS server");
    await expect(
      vaultHttp({ address: address.address, method: "GET", path: "sys/health" }),
    ).rejects.toThrow(/certificate/);
  });

  it("passes the outside-in checks with the provisioner token", async () => {
    const results = await timed("verify", async () => runChecks(await environmentOf(stack)));
    console.log(formatResults(results));
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it("keeps the root token, unseal keys and database password out of state, and they work as designed", async () => {
    const plain = JSON.parse(cli("stack", "export", "--show-secrets")) as {
      deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] };
    };
    const init = plain.deployment.resources.find((r) =>
      r.type.endsWith("vaultplatform:ServerInit"),
    );
    const rootToken = reveal(init?.outputs?.rootToken) as string;
    const unsealKeys = reveal(init?.outputs?.unsealKeys) as string[];
    const password = reveal(
      plain.deployment.resources.find(
        (r) => r.type === "random:index/randomPassword:RandomPassword",
      )?.outputs?.result,
    ) as string;
    const tlsKey = reveal(
      plain.deployment.resources.find((r) => r.type.endsWith("vaultplatform:GeneratedCertificate"))
        ?.outputs?.keyPem,
    ) as string;
    expect(tlsKey).toContain("-----BEGIN PRIVATE KEY-----");
    expect(unsealKeys).toHaveLength(3);
    const known: [string, string][] = [
      ["root token", rootToken],
      ...unsealKeys.map((key, i): [string, string] => [`unseal key ${i}`, key]),
      ["generated Postgres password", password],
      ["provisioner token", provisioner],
      ["seed", SEED],
      ["TLS private key", tlsKey.split("\n")[1]],
    ];
    const exported = cli("stack", "export");
    expect(known.filter(([, secret]) => exported.includes(secret)).map(([label]) => label)).toEqual(
      [],
    );

    // Root revoked after bootstrap; the provisioner token works.
    expect((await vaultRequest(address, "GET", "auth/token/lookup-self", rootToken)).status).toBe(
      403,
    );
    expect((await vaultRequest(address, "GET", "auth/token/lookup-self", provisioner)).status).toBe(
      200,
    );
    // After rotate-root only Vault knows its Postgres password: the generated one is refused.
    const vaultRole = (await stack.outputs()).postgres.value.vaultRole as string;
    expect(await pgLogin(vaultRole, password)).toMatch(/password authentication failed/);
  });

  it("a second up changes nothing", async () => {
    const result = await timed("second up", () => stack.up({ onOutput: () => undefined }));
    expect(changesOf(result.summary)).toEqual({});
  });

  it("after a container restart: sealed, then up unseals and changes nothing else; data intact", async () => {
    const written = await vaultRequest(
      address,
      "POST",
      "team/kv/data/orders/before-restart",
      provisioner,
      {
        data: { note: "written before the restart" },
      },
    );
    expect(written.status).toBe(200);
    const container = (await stack.outputs()).container.value as string;
    execFileSync("docker", ["restart", container]);
    let sealed: boolean | undefined;
    for (let i = 0; i < 60 && sealed === undefined; i++) {
      sealed = await vaultRequest(address, "GET", "sys/seal-status")
        .then((r) => r.body?.sealed as boolean | undefined)
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(sealed).toBe(true);

    const lines: string[] = [];
    const result = await timed("up after restart", () =>
      stack.up({ diff: true, onOutput: (text) => lines.push(text) }),
    );
    const changes = changesOf(result.summary);
    if (JSON.stringify(changes) !== JSON.stringify({ update: 1 })) {
      console.log(lines.join(""));
    }
    // The one update is the unseal.
    expect(changes).toEqual({ update: 1 });
    expect(lines.join("")).toMatch(/~ pulumi-nodejs:dynamic\/vaultplatform:ServerInit/);
    expect((await vaultRequest(address, "GET", "sys/seal-status")).body.sealed).toBe(false);

    const before = await vaultRequest(
      address,
      "GET",
      "team/kv/data/orders/before-restart",
      provisioner,
    );
    expect(before.body.data.data).toEqual({ note: "written before the restart" });
    const seed = await vaultRequest(address, "GET", "team/kv/data/orders/config", provisioner);
    expect(seed.body.data.data).toEqual({ api_key: SEED });
    const results = await runChecks(await environmentOf(stack));
    expect(results.filter((r) => !r.ok)).toEqual([]);

    const again = await stack.up({ onOutput: () => undefined });
    expect(changesOf(again.summary)).toEqual({});
  });

  it("destroy (after unprotecting) leaves no container, volume or Postgres role behind", async () => {
    releaseForTeardown(cli);
    // As on a fresh machine: the trust file the Vault provider reads comes back from the outputs.
    const trustFile = path.join(PROJECT_ROOT, trustFilePath(STACK));
    fs.rmSync(trustFile);
    await restoreTrustFile(stack);
    expect(fs.readFileSync(trustFile, "utf8")).toBe(address.caCert);
    const lines: string[] = [];
    try {
      await timed("destroy", () =>
        stack.destroy({ refresh: true, onOutput: (text) => lines.push(text) }),
      );
    } catch (error) {
      console.log(lines.join(""));
      throw error;
    }
    destroyed = true;
    await stack.workspace.removeStack(STACK);
    expect(dockerLeftovers(STACK)).toEqual([]);
    const client = new Client({
      host: "127.0.0.1",
      port: E2E_PG_PORT,
      database: "postgres",
      ...E2E_PG_ADMIN,
    });
    await client.connect();
    const roles = await client.query(
      `SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%' OR rolname LIKE 'vp_${STACK.replace("-", "_")}%'`,
    );
    await client.end();
    expect(roles.rows).toEqual([]);
  });
});
