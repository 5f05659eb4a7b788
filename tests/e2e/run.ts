/**
 * npm run test:e2e: runs tier 2 where the toolchain is present, once per flavor whose image is in
 * the local engine (E2E_FLAVOR selects one). What cannot run is named in one line and marked NOT
 * RUN; it is never reported as passed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sweepClaims } from "./claims";
import { failureLines, JestReport } from "./failures";
import { E2E_FLAVORS, E2eFlavor, missingImage, preflightShared } from "./toolchain";

function flavorsAsked(): readonly E2eFlavor[] {
  const asked = process.env.E2E_FLAVOR;
  if (asked === undefined) {
    return E2E_FLAVORS;
  }
  if (!E2E_FLAVORS.includes(asked as E2eFlavor)) {
    throw new Error(`E2E_FLAVOR must be one of ${E2E_FLAVORS.join(", ")}, not "${asked}"`);
  }
  return [asked as E2eFlavor];
}

/** Sweeps what a killed run left behind, and says so. */
async function sweep(when: string): Promise<void> {
  const swept = await sweepClaims();
  if (swept.length > 0) {
    console.log(`tier 2: swept what ${when} left behind: ${swept.join(", ")}`);
  }
}

function readReport(file: string): JestReport {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as JestReport;
  } catch {
    return {};
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Passed, failed, or interrupted by a signal (then no further flavor runs). */
function runFlavor(flavor: E2eFlavor): {
  outcome: "passed" | "failed" | "interrupted";
  failures: string[];
} {
  const jest = path.join(__dirname, "..", "..", "node_modules", ".bin", "jest");
  const report = path.join(os.tmpdir(), `vault-platform-e2e-${process.pid}-${flavor}.json`);
  const started = Date.now();
  const result = spawnSync(
    jest,
    [
      "-c",
      "jest.e2e.config.js",
      "--runInBand",
      "--json",
      `--outputFile=${report}`,
      ...process.argv.slice(2),
    ],
    {
      stdio: "inherit",
      cwd: path.join(__dirname, "..", ".."),
      env: { ...process.env, E2E_FLAVOR: flavor },
    },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `tier 2 (end-to-end, ${flavor}): ${result.status === 0 ? "PASSED" : "FAILED"} in ${seconds}s`,
  );
  return {
    outcome: result.signal ? "interrupted" : result.status === 0 ? "passed" : "failed",
    failures: failureLines(flavor, readReport(report)),
  };
}

async function main(): Promise<number> {
  const required = process.env.E2E_REQUIRED === "1";
  const missing = await preflightShared();
  if (missing) {
    console.log(`tier 2 (end-to-end): NOT RUN, ${missing}`);
    return required ? 1 : 0;
  }
  await sweep("an earlier, interrupted run");
  // Interrupted now (Ctrl-C, a cancelled job): jest gets the signal too; what it claimed goes.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void sweep("this interrupted run").finally(() => process.exit(130));
    });
  }
  let failed = false;
  let ran = 0;
  const failures: string[] = [];
  for (const flavor of flavorsAsked()) {
    const noImage = missingImage(flavor);
    if (noImage) {
      console.log(`tier 2 (end-to-end, ${flavor}): NOT RUN, ${noImage}`);
      failed ||= required;
      continue;
    }
    ran += 1;
    const { outcome, failures: failedTests } = runFlavor(flavor);
    failures.push(...failedTests);
    failed ||= outcome !== "passed";
    if (outcome === "interrupted") {
      break;
    }
    // A file's own cleanup releases what it claimed; anything still claimed was left behind.
    await sweep(`the ${flavor} run`);
  }
  for (const line of failures) {
    console.log(`tier 2 failed: ${line}`);
  }
  console.log(
    `tier 2 (end-to-end): ${failed ? "FAILED" : ran === 0 ? "NOT RUN" : "PASSED"} (${ran} flavor${ran === 1 ? "" : "s"} run)`,
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
