/**
 * What keeps the engine quick: settings the project's commands give the Pulumi CLI and the
 * processes it starts. Each one is measured (docs/benchmarks.md: "What keeps the commands
 * quick"), changes no result, and yields to the user's own setting.
 */
import { getCompileCacheDir } from "module";

type Env = Readonly<Record<string, string | undefined>>;

export function engineTuning(
  environment: Env = process.env,
  compileCacheDir: string | undefined = getCompileCacheDir?.(),
): Record<string, string> {
  const tuning: Record<string, string> = {};
  // A file or bucket backend writes the whole checkpoint, and a backup copy of the one before,
  // twice per resource: compressed with zstd, it is 70 KB instead of 2.6 MB of JSON at 300 apps
  // (an `up` there: the CLI's CPU 68-70 to 58-59 s, 75-77 to 65-67 s in all). Any Pulumi CLI
  // reads either form. PULUMI_DIY_BACKEND_GZIP=true asks for gzip instead.
  if (!/^(1|true)$/i.test(environment.PULUMI_DIY_BACKEND_GZIP ?? "")) {
    tuning.PULUMI_DIY_BACKEND_ZSTD = environment.PULUMI_DIY_BACKEND_ZSTD ?? "true";
  }
  // The CLI encodes the whole checkpoint after every step, and the Go runtime collects the
  // garbage of it every time the heap doubles. Collecting at five times the live heap, under a
  // 1 GiB soft limit: an `up` at 300 apps 50.7-51.8 to 48.3-48.8 s (the CLI's peak memory 270
  // to 590 MB), a no-op `up` 9.2-9.8 to 8.7-9.1 s. GOGC or GOMEMLIMIT set by the user wins.
  if (environment.GOGC === undefined && environment.GOMEMLIMIT === undefined) {
    tuning.GOGC = "400";
    tuning.GOMEMLIMIT = "1GiB";
  }
  // The compile cache this process was started with (cli/boot.js), for the engine's node processes.
  const compileCache = environment.NODE_COMPILE_CACHE ?? compileCacheDir;
  if (compileCache !== undefined) {
    tuning.NODE_COMPILE_CACHE = compileCache;
  }
  return tuning;
}
