/**
 * npm run test:e2e: runs tier 2 where the toolchain is present. Where it is not, prints one line
 * naming what is missing and that tier 2 was NOT RUN (it is never reported as passed).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { preflight } from "./toolchain";

async function main(): Promise<number> {
  const missing = await preflight();
  if (missing) {
    console.log(`tier 2 (end-to-end): NOT RUN, ${missing}`);
    return process.env.E2E_REQUIRED === "1" ? 1 : 0;
  }
  const jest = path.join(__dirname, "..", "..", "node_modules", ".bin", "jest");
  const result = spawnSync(
    jest,
    ["-c", "jest.e2e.config.js", "--runInBand", ...process.argv.slice(2)],
    {
      stdio: "inherit",
      cwd: path.join(__dirname, "..", ".."),
    },
  );
  console.log(`tier 2 (end-to-end): ${result.status === 0 ? "PASSED" : "FAILED"}`);
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
