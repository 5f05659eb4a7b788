/**
 * The Pulumi program's entry point (Pulumi.yaml `main`): index.ts, transpiled as it loads.
 *
 * Sucrase strips the types and keeps every line where it was, so stack traces point at the right
 * lines of the .ts files without source maps. The language host installs source-map-support
 * before it loads a program, and the SDK formats a stack trace for every resource and for every
 * promise it creates: mapping each frame through source maps cost about 5 s of CPU per `up`,
 * `preview` or no-op `up` at 300 apps (measured with --cpu-prof). With the lines kept, V8's own
 * formatting gives the same positions, so the program uses it.
 *
 * The engine keeps each resource's stack trace in the state, which the file backend writes whole
 * twice per step. Past the program's own files (the loader, the language host, the SDK) the
 * frames said nothing and were a fifth of the state at 300 apps: they are left out. The frames
 * from where the resource is declared up to index.ts stay.
 */
// Node's compile cache, then Sucrase.
require("./cli/boot.js");
Error.prepareStackTrace = undefined;

const pulumi = require("@pulumi/pulumi");
const { env } = require("process");

// VAULT_PLATFORM_SDK_DEBUG=true leaves the SDK as it is, for `pulumi up -v=9 --logtostderr`.
const sdkDebug = env.VAULT_PLATFORM_SDK_DEBUG === "true";
// The SDK sends the engine a debug message for each step of every registration (three or more
// per resource), one at a time, each waiting for the engine to take the one before; the CLI
// shows them only when run with -v. They are left out (a no-op `pulumi up` at 100 apps: 7.4 to
// 6.6 s).
if (!sdkDebug) {
  pulumi.log.debug = () => Promise.resolve();
}
// The SDK also formats a stack trace for every promise it creates, read only to report leaked
// promises (PULUMI_DEBUG_PROMISE_LEAKS). With V8's 10 frames that was 1 of the program's 5
// CPU-seconds in a no-op `pulumi up` at 300 apps: an error's trace keeps its top 4 frames (the
// program's CPU 4.8-5.4 to 4.1-4.3 s, three alternated runs). A resource's stack trace in the
// state is taken apart from this limit.
if (!sdkDebug && env.PULUMI_DEBUG_PROMISE_LEAKS === undefined) {
  Error.stackTraceLimit = 4;
}
const { pathToFileURL } = require("url");

const ownFiles = `${pathToFileURL(__dirname).href}/`;
const ownFrame = (frame) =>
  frame !== undefined &&
  frame.uri.startsWith(ownFiles) &&
  !frame.uri.includes("/node_modules/") &&
  !frame.uri.endsWith("/program.js");
// The SDK's own (the pinned @pulumi/pulumi; tests/unit/program-entry.test.ts checks it is there).
const stackTrace = pulumi.Resource.stackTrace;
if (typeof stackTrace === "function") {
  pulumi.Resource.stackTrace = function (skip) {
    // One frame more to skip: this function's own.
    const frames = stackTrace.call(this, skip + 1);
    const end = frames.findIndex((frame) => !ownFrame(frame));
    // The first frame is the resource's source position: kept wherever it is.
    return end < 0 ? frames : frames.slice(0, Math.max(end, 1));
  };
}

module.exports = require("./index.ts");
