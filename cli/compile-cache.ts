/**
 * Node's compile cache for the project: V8's compiled code of every module a process loads, kept
 * between runs under node_modules/.cache. The program (program.js) turns it on for itself, and
 * the commands pass it to the engine's node processes (the program, the dynamic provider, the
 * policy pack) as NODE_COMPILE_CACHE.
 */
import * as nodeModule from "module";
import * as path from "path";

export const COMPILE_CACHE_DIR = path.join(
  __dirname,
  "..",
  "node_modules",
  ".cache",
  "node-compile-cache",
);

/** Turns the cache on for this process (a no-op when NODE_COMPILE_CACHE already did). */
export function enableCompileCache(): void {
  nodeModule.enableCompileCache?.(COMPILE_CACHE_DIR);
}
