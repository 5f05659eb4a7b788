/**
 * The Pulumi program's entry point (Pulumi.yaml `main`): index.ts, transpiled as it loads.
 *
 * Sucrase strips the types and keeps every line where it was, so stack traces point at the right
 * lines of the .ts files without source maps. The language host installs source-map-support
 * before it loads a program, and the SDK formats a stack trace for every resource and for every
 * promise it creates: mapping each frame through source maps cost about 5 s of CPU per `up`,
 * `preview` or no-op `up` at 300 apps (measured with --cpu-prof). With the lines kept, V8's own
 * formatting gives the same positions, so the program uses it.
 */
require("sucrase/register/ts");
Error.prepareStackTrace = undefined;
module.exports = require("./index.ts");
