/**
 * Tier 2: a first run with nothing but Docker, the Pulumi CLI and the images. No Postgres is
 * named and no PGPASSWORD is set: the pr-<n> stack runs its own Postgres container. `npm run up`,
 * `npm run verify`, a second `up` without changes, and `npm run destroy -- --remove` that leaves
 * no container, volume, network or stack.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT, pulumiSearchPath } from "../../cli/engine/workspace";
import { dockerLeftovers, flavorOnly, removeNpmStack } from "./helpers";
import { openTestStack } from "./claims";
import { expectSucceeded, npmRun, Run } from "./npm-run";
import { E2E_FLAVOR, requireToolchain } from "./toolchain";

const STACK = `pr-${5000 + (process.pid % 1000)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-first-run-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  // The Pulumi CLI where a user has it: on PATH or in ~/.pulumi/bin.
  PATH: pulumiSearchPath(),
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE_FILE: path.join(stateDir, "passphrase"),
};
delete env.PGPASSWORD;
delete env.PGHOST;
const outputs: string[] = [];
let stack: Stack;
let removed = false;
/** The checkout as the test found it: it must leave it so (tracked stack files kept). */
const gitStatus = () =>
  execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
const statusBefore = gitStatus();

function run(args: string[]): Promise<Run> {
  return npmRun({ stack: STACK, env, outputs }, args);
}

beforeAll(async () => {
  await requireToolchain();
  stack = await openTestStack({ stackName: STACK, backendUrl: `file://${stateDir}`, stateDir });
  // The flavor under test; nothing about Postgres.
  await stack.setAllConfig(flavorOnly(), true);
}, 120_000);

afterAll(
  () => removeNpmStack(STACK, stateDir, removed, () => run(["destroy", "--remove"])),
  600_000,
);

describe(`first run: no Postgres named, no PGPASSWORD (${E2E_FLAVOR})`, () => {
  it("npm run up brings the environment up with its own Postgres", async () => {
    const up = await run(["up"]);
    expectSucceeded(up);
    expect(up.output).toMatch(/postgres-server-container\s+created/);
    const inspect = (...args: string[]) =>
      execFileSync("docker", args, { encoding: "utf8" }).trim();
    expect(inspect("inspect", "--format", "{{.State.Health.Status}}", `vp-${STACK}-postgres`)).toBe(
      "healthy",
    );
    // Its admin password is in a file, not in the container's environment.
    expect(
      inspect("inspect", "--format", "{{json .Config.Env}}", `vp-${STACK}-postgres`),
    ).toContain("POSTGRES_PASSWORD_FILE=");
    expect(inspect("volume", "inspect", "--format", "{{.Name}}", `vp-${STACK}-postgres`)).toBe(
      `vp-${STACK}-postgres`,
    );
  }, 600_000);

  it("npm run verify passes, dynamic credentials included", async () => {
    const verify = await run(["verify"]);
    expectSucceeded(verify);
    expect(verify.output).toMatch(/dynamic|database|creds/i);
    expect(verify.output).not.toMatch(/\bFAIL\b/);
  }, 300_000);

  it("a second npm run up changes nothing", async () => {
    const again = await run(["up"]);
    expectSucceeded(again);
    expect(again.output).not.toMatch(/[1-9]\d* (to create|created|to update|updated|to replace)/);
  }, 600_000);

  it("npm run destroy -- --remove leaves no container, volume, network or stack", async () => {
    const destroy = await run(["destroy", "--remove"]);
    expectSucceeded(destroy);
    removed = true;
    expect(dockerLeftovers(STACK)).toEqual([]);
    expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`))).toBe(false);
    // The backend lists no stack (its file backend keeps only dated backups of removed ones).
    const listed = execFileSync("pulumi", ["stack", "ls", "--json"], {
      cwd: PROJECT_ROOT,
      env,
      encoding: "utf8",
    });
    expect((JSON.parse(listed) as { name: string }[]).map((entry) => entry.name)).toEqual([]);
    // git status as before the run: the generated stack file gone, every tracked one kept.
    expect(gitStatus()).toBe(statusBefore);
  }, 600_000);
});
