/**
 * Tier 2: the example app (examples/consumer) against a pr-<n> environment: it unwraps its
 * secret-id, logs in, loads its KV secret, connects with dynamic Postgres credentials that it
 * renews and replaces, and encrypts with its transit key; /health reports all four, and nothing
 * secret reaches its logs. It also issues itself a certificate from the stack's CA and serves
 * /health over HTTPS with it, which a client trusting only the stack's CA accepts, and renews
 * it before it expires.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type { DetailedPeerCertificate, TLSSocket } from "tls";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { destroyStack } from "../../cli/recovery/destroy";
import { flavorAndPostgres, removeLeftovers } from "./helpers";
import { openTestStack } from "./claims";
import { E2E_FLAVOR, E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";

const STACK = `pr-${1000 + (process.pid % 900)}`;
const PORT = 30000 + (process.pid % 1000);
const HTTPS_PORT = PORT + 1000;
/** The app's one certificate name: no IP SAN, so clients connect to 127.0.0.1 with servername. */
const CERT_NAME = "orders.e2e.internal";
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
      "vault-platform:pki.mode": { value: "internal" },
      "vault-platform:apps[0].pki.names[0]": { value: CERT_NAME },
      // The role's default; the app asks for less (CERT_TTL), so that it renews while watched.
      "vault-platform:apps[0].pki.ttl": { value: "1m" },
      // Short credentials, so that renewal and replacement happen while the test watches.
      "vault-platform:database.defaultTtl": { value: "6s" },
      "vault-platform:database.maxTtl": { value: "12s" },
      'vault-platform:seeds["orders/config"].data.api_key': { value: SEED, secret: true },
    },
    true,
  );
  await stack.up({ onOutput: () => undefined });
  startConsumer(await stack.outputs());
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

interface StackPki {
  readonly path: string;
  readonly caCertificate: string;
  readonly chain: string;
}

/** The example app, configured from the stack outputs as its README says. */
function startConsumer(outputs: Awaited<ReturnType<Stack["outputs"]>>): void {
  const apps = outputs.apps.value as Record<string, { roleId: string; pki: { names: string[] } }>;
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
        VAULT_WRAPPED_SECRET_ID: (outputs.wrappedSecretIds.value as Record<string, string>).orders,
        PGHOST: "127.0.0.1",
        PGPORT: String(E2E_PG_PORT),
        PGDATABASE: postgres.database,
        PORT: String(PORT),
        PKI_MOUNT: (outputs.pki.value as StackPki).path,
        CERT_NAME: apps.orders.pki.names[0],
        CERT_TTL: "30s",
        HTTPS_PORT: String(HTTPS_PORT),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  consumer.stdout?.on("data", (chunk: Buffer) => (logs += chunk.toString()));
  consumer.stderr?.on("data", (chunk: Buffer) => (logs += chunk.toString()));
}

interface HttpsAnswer {
  readonly status: number;
  readonly body: Record<string, string>;
  readonly peer: DetailedPeerCertificate;
}

/** GET /health over HTTPS on a new connection (no session reuse), trusting `ca` only. */
function httpsHealth(ca: string | undefined, servername = CERT_NAME): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: "127.0.0.1",
        port: HTTPS_PORT,
        path: "/health",
        servername,
        ca,
        rejectUnauthorized: true,
        agent: false,
        timeout: 5000,
      },
      (response) => {
        const peer = (response.socket as TLSSocket).getPeerCertificate(true);
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), peer }),
        );
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer within 5s")));
    request.on("error", reject);
    request.end();
  });
}

function pemBlocks(pem: string): x509.X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  return (blocks ?? []).map((block) => new x509.X509Certificate(block));
}

describe(`the example app consumes a pr-<n> environment (${E2E_FLAVOR})`, () => {
  it("reports login, KV, database (renewed and replaced) and transit healthy, logging no secret", async () => {
    const outputs = await stack.outputs();
    const wrapped = (outputs.wrappedSecretIds.value as Record<string, string>).orders;

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

  it("serves /health over HTTPS with a certificate a client trusting only the stack's CA accepts, and renews it", async () => {
    const pki = (await stack.outputs()).pki.value as StackPki;
    const [root] = pemBlocks(pki.caCertificate);
    const [intermediate] = pemBlocks(pki.chain);
    let first: HttpsAnswer | undefined;
    for (let i = 0; i < 30 && !first; i++) {
      if (i > 0) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      first = await httpsHealth(pki.caCertificate).catch(() => undefined);
    }
    if (!first) {
      throw new Error(`no HTTPS answer; the app logged:\n${logs}`);
    }
    expect(first.status).toBe(200);
    expect(first.body.certificate).toMatch(/^serving orders\.e2e\.internal \(serial /);

    // The leaf: the app's one name, no IP SAN; the server sends the intermediate with it.
    const leaf = new x509.X509Certificate(first.peer.raw);
    const names = leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
    expect(names.map((name) => [name.type, name.value])).toEqual([["dns", CERT_NAME]]);
    // CERT_TTL took: the certificate lives 30s, not the role's default minute.
    expect(leaf.notAfter.getTime()).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(Buffer.from(first.peer.issuerCertificate.raw)).toEqual(
      Buffer.from(intermediate.rawData),
    );
    const built = await new x509.X509ChainBuilder({ certificates: [intermediate, root] }).build(
      leaf,
    );
    expect(built.map((cert) => cert.subject)).toEqual(
      [leaf, intermediate, root].map((c) => c.subject),
    );
    expect(await leaf.verify({ publicKey: intermediate.publicKey, signatureOnly: true })).toBe(
      true,
    );
    expect(await intermediate.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(
      true,
    );

    // The stack's CA is what makes it trusted: without it, or for another name, no connection.
    await expect(httpsHealth(undefined)).rejects.toThrow(/certificate/i);
    await expect(httpsHealth(pki.caCertificate, "payments.e2e.internal")).rejects.toThrow(
      /altnames|does not match/i,
    );

    // CERT_TTL 30s: the app renews at two thirds; every request on the way is answered.
    const serials = new Set([first.peer.serialNumber]);
    let answers = 0;
    for (let i = 0; i < 45 && serials.size < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const answer = await httpsHealth(pki.caCertificate);
      expect(answer.status).toBe(200);
      serials.add(answer.peer.serialNumber);
      answers += 1;
    }
    const renewed = await httpsHealth(pki.caCertificate);
    console.log(
      `[consumer] HTTPS: ${answers} answers, serials ${[...serials].join(", ")}; ${renewed.body.certificate}`,
    );
    expect(serials.size).toBeGreaterThanOrEqual(2);
    expect(renewed.body.certificate).toMatch(/renewals [1-9]/);
    expect(logs).not.toMatch(/PRIVATE KEY/);
  }, 120_000);
});
