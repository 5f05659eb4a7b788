/**
 * Tier 2: production data is not lost (issue 27). A pr-<n> stack on a single-node server-mode
 * server (raft on a volume) with a seed, a second KV version, a transit-encrypted value and
 * apps: `npm run backup`; the server's container and data volume removed by hand (the
 * disaster); `npm run up` starts an empty server; a truncated snapshot is refused and changes
 * nothing; `npm run restore --yes` brings back every KV version, the transit key (the old
 * ciphertext decrypts to the same plaintext) and the apps' logins, and verify passes.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { vaultHttp } from "../../infra/vault-http";
import {
  dockerLeftovers,
  flavorAndPostgres,
  postgresRoles,
  removeNpmStack,
  reveal,
} from "./helpers";
import { expectSucceeded, npmRun, Run } from "./npm-run";
import { E2E_FLAVOR, requireToolchain } from "./toolchain";
import { openTestStack } from "./claims";

const STACK = `pr-${2100 + (process.pid % 700)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-disaster-"));
const backups = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-backups-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE_FILE: path.join(stateDir, "passphrase"),
};
const SEED = `disaster-seed-${process.pid}-x7k2`;
const SECOND = `disaster-second-${process.pid}-p4m9`;
const PLAINTEXT = Buffer.from(`order 42 paid ${process.pid}`).toString("base64");
/** Every run's output, searched for secrets at the end. */
const outputs: string[] = [];
let stack: Stack;
let removed = false;

function cli(args: string[]): Promise<Run> {
  return npmRun({ stack: STACK, env, outputs }, args);
}

/** The state as `pulumi stack export --show-secrets` shows it. */
function exported(): {
  deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] };
} {
  return JSON.parse(
    execFileSync("pulumi", ["stack", "export", "--show-secrets", "--stack", STACK], {
      env: { ...env, PATH: `${os.homedir()}/.pulumi/bin:${process.env.PATH}` },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
}

/** The current root token the stack holds for its server. */
function rootToken(): string {
  const init = exported().deployment.resources.find((r) => r.type.endsWith(":ServerInit"));
  return reveal(init?.outputs?.rootToken) as string;
}

/** A call with the provisioner token (KV), or with the root token (transit encrypt/decrypt). */
async function admin(method: string, apiPath: string, body?: unknown, asRoot = false) {
  const out = await stack.outputs();
  return vaultHttp({
    address: out.vaultAddress.value as string,
    caCert: out.vaultCaCertificate?.value as string | undefined,
    method,
    path: apiPath,
    token: asRoot ? rootToken() : (out.provisionerToken.value as string),
    body,
  });
}

async function kvVersions(): Promise<string[]> {
  const versions: string[] = [];
  for (let version = 1; version <= 3; version++) {
    const read = await admin("GET", `secret/data/orders/config?version=${version}`);
    if (read.status === 200 && read.body?.data?.data) {
      versions.push(read.body.data.data.api_key as string);
    }
  }
  return versions;
}

async function decrypt(ciphertext: string) {
  return admin("POST", "transit/decrypt/orders", { ciphertext }, true);
}

function containerAndDataVolume(): { container: string; volume: string } {
  const label = `label=vault-platform.stack=${STACK}`;
  const list = (...args: string[]) =>
    execFileSync("docker", [...args, "--filter", label, "--format", "{{.Names}}"], {
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean);
  const volumes = execFileSync("docker", ["volume", "ls", "-q", "--filter", label], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  return {
    container: list("ps", "-a")[0],
    volume: volumes.find((name) => /-data$/.test(name)) as string,
  };
}

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack(opts);
  const port = 20000 + 2 * Number(STACK.slice(3));
  await stack.setAllConfig(
    {
      ...flavorAndPostgres(),
      "vault-platform:server.mode": { value: "server" },
      "vault-platform:server.network": { value: "host" },
      "vault-platform:server.port": { value: String(port) },
      "vault-platform:apps[0].name": { value: "orders" },
      "vault-platform:apps[0].database": { value: "readwrite" },
      "vault-platform:apps[0].transitKeys[0]": { value: "orders" },
      "vault-platform:apps[1].name": { value: "reporting" },
      "vault-platform:apps[1].database": { value: "readonly" },
      'vault-platform:seeds["orders/config"].data.api_key': { value: SEED, secret: true },
      'vault-platform:seeds["orders/config"].mode': { value: "create-once" },
    },
    true,
  );
}, 120_000);

afterAll(async () => {
  await removeNpmStack(STACK, stateDir, removed, () => cli(["destroy", "--remove"]));
  fs.rmSync(backups, { recursive: true, force: true });
}, 600_000);

describe(`backup, the data volume lost, restore (${E2E_FLAVOR})`, () => {
  let snapshot = "";
  let ciphertext = "";
  let keyset = "";

  it("goes up on a server-mode server with a seed, a second KV version and a ciphertext", async () => {
    expectSucceeded(await cli(["up"]));
    keyset = (await stack.outputs()).unsealKeyset.value as string;
    expect(keyset).toMatch(/^[0-9a-f]{16}$/);
    expect(
      (await admin("POST", "secret/data/orders/config", { data: { api_key: SECOND } })).status,
    ).toBe(200);
    const encrypted = await admin("POST", "transit/encrypt/orders", { plaintext: PLAINTEXT }, true);
    ciphertext = encrypted.body.data.ciphertext as string;
    expect(ciphertext).toMatch(/^(vault|openbao|bao):v1:/);
    expect(await kvVersions()).toEqual([SEED, SECOND]);
  }, 600_000);

  it("npm run backup writes a 0600 snapshot beside a record with nothing secret in it", async () => {
    const run = await cli(["backup", "--to", backups]);
    expectSucceeded(run);
    const files = fs.readdirSync(backups);
    snapshot = path.join(backups, files.find((file) => file.endsWith(".snap")) as string);
    expect(run.output).toContain(`${STACK}: snapshot ${snapshot}`);
    expect(fs.statSync(snapshot).mode & 0o777).toBe(0o600);
    expect(fs.statSync(snapshot).size).toBeGreaterThan(1000);
    const record = JSON.parse(fs.readFileSync(snapshot.replace(/\.snap$/, ".json"), "utf8"));
    expect(record).toMatchObject({
      stack: STACK,
      flavor: E2E_FLAVOR,
      keyset,
      bytes: fs.statSync(snapshot).size,
      reason: "npm run backup",
    });
    expect(record.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(files.filter((file) => !file.endsWith(".snap") && !file.endsWith(".json"))).toEqual([]);
  }, 300_000);

  it("the data volume removed by hand: up starts an empty server with new unseal keys", async () => {
    const { container, volume } = containerAndDataVolume();
    execFileSync("docker", ["rm", "-f", container]);
    execFileSync("docker", ["volume", "rm", volume]);
    const run = await cli(["up"]);
    expectSucceeded(run);
    expect(run.output).toContain(`the server's container and its data volume ${volume} are gone`);
    const after = (await stack.outputs()).unsealKeyset.value as string;
    expect(after).not.toBe(keyset);
    // An empty server, configured again: the seed only, the old ciphertext undecryptable.
    expect(await kvVersions()).toEqual([SEED]);
    expect((await decrypt(ciphertext)).status).toBe(400);
  }, 600_000);

  it("a truncated snapshot is refused and changes nothing", async () => {
    const truncated = path.join(backups, "truncated", path.basename(snapshot));
    fs.mkdirSync(path.dirname(truncated));
    fs.copyFileSync(snapshot.replace(/\.snap$/, ".json"), truncated.replace(/\.snap$/, ".json"));
    fs.writeFileSync(truncated, fs.readFileSync(snapshot).subarray(0, 4096));
    const before = (await stack.outputs()).unsealKeyset.value;
    const run = await cli(["restore", "--from", truncated, "--yes"]);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("truncated or changed");
    expect(run.output).toContain("nothing was restored");
    expect((await stack.outputs()).unsealKeyset.value).toBe(before);
    expect(await kvVersions()).toEqual([SEED]);
  }, 300_000);

  it("without --yes restore says what it would do and changes nothing", async () => {
    const run = await cli(["restore", "--from", snapshot]);
    expectSucceeded(run);
    expect(run.output).toContain(`unseal keys ${keyset}`);
    expect(run.output).toContain("nothing was changed: run again with --yes to restore");
    expect(await kvVersions()).toEqual([SEED]);
  }, 300_000);

  it("restore --yes brings back every KV version, the transit key and the apps' logins", async () => {
    const started = Date.now();
    const run = await cli(["restore", "--from", snapshot, "--yes"]);
    console.log(
      `[disaster] restore --yes (with up, up --refresh, verify): ${Math.round((Date.now() - started) / 1000)}s`,
    );
    expectSucceeded(run);
    expect(run.output).toContain("snapshot installed");
    expect((await stack.outputs()).unsealKeyset.value).toBe(keyset);
    expect(await kvVersions()).toEqual([SEED, SECOND]);
    const decrypted = await decrypt(ciphertext);
    expect(decrypted.status).toBe(200);
    expect(decrypted.body.data.plaintext).toBe(PLAINTEXT);
    const results = await runChecks(await environmentOf(stack));
    expect(results.filter((result) => !result.ok).map((result) => formatResults([result]))).toEqual(
      [],
    );
  }, 900_000);

  it("a second up changes nothing", async () => {
    const run = await cli(["up"]);
    expectSucceeded(run);
    expect(run.output).not.toMatch(/\b\d+ (created|updated|replaced|deleted)\b/);
  }, 600_000);

  it("no secret in the runs' output or in the backup record; destroy leaves nothing", async () => {
    const plain = exported();
    const init = plain.deployment.resources.find((r) => r.type.endsWith(":ServerInit"));
    const secrets = [
      SEED,
      SECOND,
      reveal(init?.outputs?.rootToken) as string,
      ...(reveal(init?.outputs?.unsealKeys) as string[]),
      (await stack.outputs()).provisionerToken.value as string,
    ];
    const records = fs
      .readdirSync(backups)
      .filter((file) => file.endsWith(".json"))
      .map((file) => fs.readFileSync(path.join(backups, file), "utf8"));
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      for (const text of [...outputs, ...records]) {
        expect(text).not.toContain(secret);
      }
    }
    expectSucceeded(await cli(["destroy", "--remove"]));
    removed = true;
    expect(dockerLeftovers(STACK)).toEqual([]);
    expect(await postgresRoles(`vp_${STACK.replace("-", "_")}`)).toEqual([]);
  }, 600_000);
});
