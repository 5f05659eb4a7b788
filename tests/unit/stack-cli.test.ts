import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import {
  refreshVaultObjects,
  StackCliError,
  streamStackCli,
  upStack,
} from "../../cli/engine/stack-cli";
import { isTransient } from "../../cli/recovery/transient";

// A stand-in for the Pulumi CLI: logs its arguments and environment, answers as the real one.
const FAKE = `#!/bin/sh
echo "$*|$PULUMI_AUTOMATION_API|$FAKE_MODE" >> "$FAKE_LOG"
case "$1" in
  up)
    if [ "$FAKE_MODE" = fail ]; then
      echo "Updating (s):"
      echo "error: pq: tuple concurrently updated" >&2
      exit 255
    fi
    echo "Updating (s):"
    echo "Resources: 3 unchanged"
    ;;
  stack)
    if [ "$2" = export ]; then
      echo '{"deployment":{"resources":[{"urn":"u:stack","type":"pulumi:pulumi:Stack"},{"urn":"u:container","type":"docker:index/container:Container","custom":true},{"urn":"u:policy","type":"vault:index/policy:Policy","custom":true},{"urn":"u:provider","type":"pulumi:providers:vault","custom":true},{"urn":"u:group","type":"vault:identity/group:Group","custom":true}]}}'
    else
      echo '{"vaultAddress":"http://127.0.0.1:8200","rootToken":"[secret]"}'
    fi ;;
  refresh) echo "Refreshing (s):" ;;
esac
`;

let dir: string;
let log: string;

function fakeStack(mode: string): Stack {
  return {
    name: "pr-5",
    workspace: {
      pulumiCommand: { command: path.join(dir, "pulumi") },
      workDir: dir,
      envVars: { FAKE_LOG: log, FAKE_MODE: mode },
    },
  } as unknown as Stack;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-cli-test-"));
  log = path.join(dir, "calls.log");
  fs.writeFileSync(path.join(dir, "pulumi"), FAKE, { mode: 0o755 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeEach(() => fs.rmSync(log, { force: true }));

const calls = () => fs.readFileSync(log, "utf8").trim().split("\n");

describe("the CLI run on a stack (cli/engine/stack-cli.ts)", () => {
  it("streams the output of a run, non-interactive, on the stack, as the Automation API", async () => {
    const seen: string[] = [];
    const result = await streamStackCli(fakeStack("ok"), ["up", "--yes"], (text) =>
      seen.push(text),
    );
    expect(seen.join("")).toBe("Updating (s):\nResources: 3 unchanged\n");
    expect(result.stdout).toBe(seen.join(""));
    expect(calls()).toEqual(["up --yes --non-interactive --stack pr-5|true|ok"]);
  });

  it("fails with what the CLI printed, stderr included, so a transient error is recognised", async () => {
    const failed = streamStackCli(fakeStack("fail"), ["up"], () => undefined);
    await expect(failed).rejects.toBeInstanceOf(StackCliError);
    const error = (await failed.catch((e: unknown) => e)) as StackCliError;
    expect(error.code).toBe(255);
    expect(error.message).toContain("Updating (s):");
    expect(error.message).toContain("tuple concurrently updated");
    expect(isTransient(error)).toBe(true);
  });

  it("up: one update, then the outputs read once, secrets masked", async () => {
    const outputs = await upStack(fakeStack("ok"), () => undefined);
    expect(outputs).toEqual({ vaultAddress: "http://127.0.0.1:8200", rootToken: "[secret]" });
    expect(calls()).toEqual([
      "up --yes --skip-preview --exec-kind auto.local --non-interactive --stack pr-5|true|ok",
      "stack output --json --stack pr-5||ok",
    ]);
  });

  it("refreshes exactly the stack's Vault objects: not its containers, not the providers", async () => {
    expect(await refreshVaultObjects(fakeStack("ok"), () => undefined)).toBe(2);
    expect(calls()).toEqual([
      "stack export --stack pr-5||ok",
      "refresh --yes --skip-preview --target u:policy --target u:group --non-interactive --stack pr-5|true|ok",
    ]);
  });
});
