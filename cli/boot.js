/**
 * What every node process of the project loads first: the program (program.js) and the commands
 * (`node -r ./cli/boot.js` in the npm scripts).
 *
 * Node's compile cache keeps V8's compiled code of every module a process loads between runs,
 * under node_modules/.cache; the commands pass it on to the engine's node processes (the
 * program, the dynamic provider, the policy pack) as NODE_COMPILE_CACHE (cli/engine/workspace.ts). In
 * a no-op `pulumi up` at 100 apps the program's CPU went from 3.2 to 2.6 s with it; loading a
 * command's modules from 0.83-0.91 to 0.59-0.70 s.
 *
 * Then Sucrase, which transpiles the TypeScript as it loads and keeps every line where it was
 * (`npm test` type-checks with tsc).
 */
require("module").enableCompileCache?.(
  require("path").join(__dirname, "..", "node_modules", ".cache", "node-compile-cache"),
);
require("sucrase/register/ts");
