/**
 * Tier 2: a stack made by an earlier commit of the program, brought up by this one, changes
 * nothing: resources the code moved or renamed keep their URNs. The earlier commit is taken from
 * this checkout's git history into a temporary folder and run with its own npm scripts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { flavorAndPostgres, removeLeftovers, secondUp } from "./helpers";
import { expectSucceeded, npmRun } from "./npm-run";
import { openTestStack } from "./claims";
import { E2E_FLAVOR, requireToolchain } from "./toolchain";

/** The last commit before apps moved to the center of the code (infra/apps.ts, stacks/config/). */
const BASELINE = "c36d2da";

const STACK = `pr-${6300 + (process.pid % 80)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-upgrade-"));
const baselineRoot = path.join(stateDir, "baseline");
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE_FILE: path.join(stateDir, "passphrase"),
};
const stackFile = `Pulumi.${STACK}.yaml`;

function hasBaseline(): boolean {
  try {
    execFileSync("git", ["cat-file", "-e", `${BASELINE}^{commit}`], {
      cwd: PROJECT_ROOT,
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}

const runnable = hasBaseline();
if (!runnable) {
  // Straight to the terminal: jest shows a file's console output only when a test of it ran.
  process.stdout.write(
    `[e2e] upgrade: NOT RUN (commit ${BASELINE} is not in this checkout's history: a shallow clone?)\n`,
  );
}

let stack: Stack | undefined;
let destroyed = false;

beforeAll(async () => {
  if (!runnable) {
    return;
  }
  await requireToolchain();
  fs.mkdirSync(baselineRoot);
  const archive = execFileSync("git", ["archive", BASELINE], {
    cwd: PROJECT_ROOT,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync("tar", ["-x", "-C", baselineRoot], { input: archive });
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(baselineRoot, "node_modules"));
  stack = await openTestStack({
    stackName: STACK,
    backendUrl: `file://${stateDir}`,
    stateDir,
  });
  await stack.setAllConfig(flavorAndPostgres(), true);
  // The baseline reads the same stack settings (secrets encrypted with the same passphrase).
  fs.copyFileSync(path.join(PROJECT_ROOT, stackFile), path.join(baselineRoot, stackFile));
}, 180_000);

afterAll(async () => {
  if (stack && !destroyed) {
    await npmRun({ stack: STACK, env }, ["destroy", "--remove"]);
    await removeLeftovers(STACK).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, stackFile), { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
}, 600_000);

(runnable ? describe : describe.skip)(`upgrade from ${BASELINE} (${E2E_FLAVOR})`, () => {
  it("a stack the baseline brought up shows no change on this commit's up, and works", async () => {
    expectSucceeded(await npmRun({ stack: STACK, env, cwd: baselineRoot }, ["up"]));
    expect(await secondUp(stack as Stack)).toEqual({});
    const results = await runChecks(await environmentOf(stack as Stack));
    if (results.some((result) => !result.ok)) {
      throw new Error(formatResults(results));
    }
    expectSucceeded(await npmRun({ stack: STACK, env }, ["destroy", "--remove"]));
    destroyed = true;
  }, 900_000);
});
