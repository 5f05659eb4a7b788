/**
 * npm run test:bench: the quick benchmark (10 apps) where the tier-2 toolchain is present, else
 * one line saying it did not run. Reports times; never fails on one.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { missingImage, preflightShared } from "../tests/e2e/toolchain";

async function main(): Promise<number> {
  const missing = (await preflightShared()) ?? missingImage("openbao");
  if (missing) {
    console.log(`bench (quick): NOT RUN, ${missing}`);
    return 0;
  }
  const run = path.join(__dirname, "run.ts");
  const result = spawnSync(
    process.execPath,
    ["-r", path.join(__dirname, "..", "cli", "boot.js"), run, "--quick"],
    {
      stdio: "inherit",
      cwd: path.join(__dirname, ".."),
      env: { ...process.env, BENCH_FLAVOR: "openbao" },
    },
  );
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
