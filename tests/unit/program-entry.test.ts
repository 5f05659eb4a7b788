import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

/** Loads the program as the language host does, under mocks; what the fixture saw. */
function runProgram(env: Record<string, string> = {}) {
  const output = execFileSync(
    process.execPath,
    // Sucrase for the fixture itself, as `npm run` scripts load TypeScript.
    ["-r", "sucrase/register/ts", path.join(ROOT, "tests/fixtures/run-program-entry.ts")],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } },
  );
  return JSON.parse(output.trim().split("\n").pop() as string);
}

describe("the program's entry point (program.js, Pulumi.yaml main)", () => {
  it("loads index.ts in a plain node process and keeps V8's stack traces, with .ts lines", () => {
    const seen = runProgram({ VAULT_PLATFORM_SDK_DEBUG: "" });
    expect(seen.profile).toBe("ephemeral");
    expect(seen.outputs).toEqual(expect.arrayContaining(["vaultAddress", "mounts", "apps"]));
    expect(seen.policies).toContain("platform-policies-app-web");
    // The language host's source-map-support is switched off: frames are formatted by V8...
    expect(seen.prepareStackTrace).toBe("undefined");
    // ...and still name the .ts file and the line the frame is on (Sucrase keeps lines).
    expect(seen.where).toMatch(/run-program-entry\.ts:27:\d+\)$/);
    // A resource's stack trace in the state keeps the program's own frames only: here the
    // probe module's, not the loader's below it.
    expect(seen.trace.length).toBeGreaterThanOrEqual(1);
    for (const uri of seen.trace) {
      expect(uri).toMatch(/^file:\/\/.*\/tests\/fixtures\/stack-trace-probe\.ts$/);
    }
    // The SDK's per-registration debug messages do not reach the engine...
    expect(seen.debugLogs).toBe(0);
    // ...and the stack traces the SDK takes for its promises are kept short.
    expect(seen.stackTraceLimit).toBe(4);
  });

  it("leaves the SDK as it is when VAULT_PLATFORM_SDK_DEBUG=true", () => {
    const seen = runProgram({ VAULT_PLATFORM_SDK_DEBUG: "true" });
    // The probe sees the debug messages: the SDK sends some for every resource it registers.
    expect(seen.debugLogs).toBeGreaterThan(10);
    expect(seen.stackTraceLimit).toBe(10);
  });
});
