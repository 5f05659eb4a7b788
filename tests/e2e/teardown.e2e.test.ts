/**
 * Tier 2: the teardown of a pull-request environment that runs its own server and Postgres
 * (cli/recovery/teardown.ts). Its containers and volumes are removed and what lived only inside them is
 * dropped from the state in one write, instead of deleting it one API call at a time. Each of its
 * steps interrupted, then recovered with the project's own commands: the state whole but the
 * containers gone, the state already trimmed. Nothing is left at the end.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT, pulumiSearchPath } from "../../cli/engine/workspace";
import { dockerLeftovers, flavorOnly, pulumiCli, removeNpmStack } from "./helpers";
import { openTestStack } from "./claims";
import { expectSucceeded, npmRun, Run } from "./npm-run";
import { E2E_FLAVOR, requireToolchain } from "./toolchain";

const STACK = `pr-${5500 + (process.pid % 400)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-teardown-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: pulumiSearchPath(),
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE_FILE: path.join(stateDir, "passphrase"),
};
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
let removed = false;

/** Volumes no container uses (an image's anonymous ones are left so by a removal without -v). */
function danglingVolumes(): string[] {
  return execFileSync("docker", ["volume", "ls", "-q", "--filter", "dangling=true"], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
}
const danglingBefore = new Set<string>();

/** The files the file backend holds under the stack's name (its state, history, backups). */
function stackFilesInBackend(): string[] {
  const backend = path.join(stateDir, ".pulumi");
  return (fs.readdirSync(backend, { recursive: true }) as string[]).filter(
    (entry) =>
      entry.split(path.sep).some((part) => part.startsWith(STACK)) &&
      fs.statSync(path.join(backend, entry)).isFile(),
  );
}

/** The string values of the state's secrets, read with --show-secrets. */
function secretValues(node: unknown, found: string[] = []): string[] {
  if (typeof node === "object" && node !== null) {
    const plaintext = (node as { plaintext?: unknown }).plaintext;
    if (typeof plaintext === "string") {
      const leaves = (value: unknown): void => {
        if (typeof value === "string") {
          found.push(value);
        } else if (typeof value === "object" && value !== null) {
          Object.values(value).forEach(leaves);
        }
      };
      leaves(JSON.parse(plaintext));
    } else {
      Object.values(node).forEach((child) => secretValues(child, found));
    }
  }
  return found;
}

/** How many of the state's secrets the state as stored shows in plain text. */
function secretsInPlainText(): number {
  const cli = pulumiCli(opts);
  const secrets = secretValues(JSON.parse(cli("stack", "export", "--show-secrets"))).filter(
    (value) => value.length >= 8,
  );
  expect(secrets.length).toBeGreaterThan(0);
  const stored = cli("stack", "export");
  return secrets.filter((secret) => stored.includes(secret)).length;
}

function run(args: string[], killWhen?: RegExp): Promise<Run> {
  return npmRun({ stack: STACK, env }, args, killWhen);
}

/** What a teardown stopped after its first step leaves: the state whole, the containers gone. */
function removeContainersByHand(): void {
  const label = `label=vault-platform.stack=${STACK}`;
  const list = (...args: string[]) =>
    execFileSync("docker", [...args, "--filter", label], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  for (const id of list("ps", "-aq")) {
    execFileSync("docker", ["rm", "-f", "-v", id]);
  }
  for (const id of list("volume", "ls", "-q")) {
    execFileSync("docker", ["volume", "rm", id]);
  }
}

async function upAndVerify(): Promise<void> {
  expectSucceeded(await run(["up"]));
  const verify = await run(["verify"]);
  expectSucceeded(verify);
  expect(verify.output).toMatch(/dynamic Postgres credentials connect/);
}

beforeAll(async () => {
  await requireToolchain();
  danglingVolumes().forEach((volume) => danglingBefore.add(volume));
  const stack = await openTestStack(opts);
  // Its own Postgres: nothing about Postgres is set.
  await stack.setAllConfig(flavorOnly(), true);
}, 120_000);

afterAll(
  () => removeNpmStack(STACK, stateDir, removed, () => run(["destroy", "--remove"])),
  600_000,
);

describe(`teardown of an environment with its own server and Postgres (${E2E_FLAVOR})`, () => {
  it("comes up and passes verify", async () => {
    await upAndVerify();
  }, 600_000);

  it("containers gone, state whole (a teardown stopped after its first step): up rebuilds", async () => {
    removeContainersByHand();
    await upAndVerify();
  }, 600_000);

  it("destroy killed once the state was trimmed: up rebuilds, a second up changes nothing", async () => {
    const killed = await run(["destroy"], /lived only inside them/);
    expect(killed.code).not.toBe(0);
    expect(dockerLeftovers(STACK)).toEqual([]);
    // The trimmed state was written with its secrets encrypted.
    expect(secretsInPlainText()).toBe(0);
    await upAndVerify();
    const again = await run(["up"]);
    expectSucceeded(again);
    expect(again.output).not.toMatch(/[1-9]\d* (to create|created|to update|updated|to replace)/);
  }, 600_000);

  it("containers gone, state whole: destroy finishes and leaves nothing", async () => {
    removeContainersByHand();
    const destroy = await run(["destroy"]);
    expectSucceeded(destroy);
    expect(destroy.output).toContain("already gone");
    expect(dockerLeftovers(STACK)).toEqual([]);
  }, 600_000);

  it("destroy --remove takes the containers and leaves nothing, without deleting inside them", async () => {
    expectSucceeded(await run(["up"]));
    const destroy = await run(["destroy", "--remove"]);
    expectSucceeded(destroy);
    removed = true;
    expect(destroy.output).toMatch(
      new RegExp(`removed container vp-${STACK}-\\S+.*lived only inside them`),
    );
    // Nothing inside Vault or Postgres was deleted one by one.
    expect(destroy.output).not.toMatch(
      /vault:index\/\S+\s+deleting|postgresql:index\/\S+\s+deleting/,
    );
    expect(dockerLeftovers(STACK)).toEqual([]);
    expect(
      execFileSync(
        "docker",
        ["network", "ls", "-q", "--filter", `label=vault-platform.stack=${STACK}`],
        {
          encoding: "utf8",
        },
      ).trim(),
    ).toBe("");
    expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`))).toBe(false);
    // Nor a copy of its state in the backend (history, backups, the last state's .bak).
    expect(stackFilesInBackend()).toEqual([]);
    // Nor an anonymous volume of its containers.
    expect(danglingVolumes().filter((volume) => !danglingBefore.has(volume))).toEqual([]);
  }, 600_000);
});
