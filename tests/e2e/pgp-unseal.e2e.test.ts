/**
 * Tier 2: unseal keys encrypted to their holders' PGP keys. The first up initializes the server
 * and stops at the sealed server with a message saying who can unseal it; the holders list their
 * encrypted keys (npm run unseal-keys), decrypt them with gpg and unseal; the next up configures
 * everything. After a restart the up stops again (the program never holds a usable key).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { runChecks, vaultRequest } from "../../cli/checks/run-checks";
import { encryptedUnsealKeys } from "../../cli/recovery/unseal-keys";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { SEALED_WITH_PGP_KEYS } from "../../infra/server-init";
import { trustFilePath } from "../../infra/tls";
import {
  changesOf,
  pulumiCli,
  releaseForTeardown,
  cleanUpStack,
  dockerLeftovers,
  stagingOnLoopback,
  stepTimer,
} from "./helpers";
import { requireToolchain } from "./toolchain";
import { openTestStack } from "./claims";

const STACK = `pgp-${process.pid % 100000}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-pgp-state-"));
const gnupgHome = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-pgp-holders-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const cli = pulumiCli(opts);
const HOLDERS = ["holder-1@example.invalid", "holder-2@example.invalid"];
let stack: Stack;
let destroyed = false;
const { timings, timed } = stepTimer();

function gpg(args: string[], input?: Buffer): Buffer {
  return execFileSync("gpg", ["--batch", "--quiet", ...args], {
    env: { ...process.env, GNUPGHOME: gnupgHome },
    input,
  });
}

/** What each key holder does: decrypt their key (base64 -d | gpg -dq). */
function decrypted(): string[] {
  return encryptedUnsealKeysOfStack().map((key) =>
    gpg(["--decrypt"], Buffer.from(key, "base64")).toString("utf8").trim(),
  );
}

let exported: Awaited<ReturnType<Stack["exportStack"]>>;
function encryptedUnsealKeysOfStack(): string[] {
  return encryptedUnsealKeys(exported);
}

/** The server's API, trusting the CA the program wrote for the Vault provider. */
function api(): { address: string; caCert: string } {
  const port = 23000 + (process.pid % 1000) * 2;
  const caCert = fs.readFileSync(path.join(PROJECT_ROOT, trustFilePath(STACK)), "utf8");
  return { address: `https://127.0.0.1:${port}`, caCert };
}

async function sealed(): Promise<boolean | undefined> {
  for (let i = 0; i < 60; i++) {
    const status = await vaultRequest(api(), "GET", "sys/seal-status").catch(() => undefined);
    if (status?.status === 200) {
      return status.body.sealed as boolean;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

async function upFailure(): Promise<string> {
  const lines: string[] = [];
  try {
    await stack.up({ onOutput: (text) => lines.push(text) });
  } catch {
    return lines.join("");
  }
  throw new Error("up succeeded on a sealed server");
}

beforeAll(async () => {
  await requireToolchain();
  const publicKeys = HOLDERS.map((email) => {
    const spec = path.join(gnupgHome, `${email}.spec`);
    fs.writeFileSync(
      spec,
      `%no-protection\nKey-Type: RSA\nKey-Length: 2048\nName-Real: Unseal key holder\nName-Email: ${email}\nExpire-Date: 0\n%commit\n`,
    );
    gpg(["--gen-key", spec]);
    return gpg(["--export", email]).toString("base64");
  });
  stack = await openTestStack(opts);
  await stack.setAllConfig(
    {
      ...stagingOnLoopback(23000 + (process.pid % 1000) * 2),
      "vault-platform:server.unsealKeyShares": { value: "2" },
      "vault-platform:server.unsealKeyThreshold": { value: "2" },
      "vault-platform:server.unsealPgpKeys[0]": { value: publicKeys[0] },
      "vault-platform:server.unsealPgpKeys[1]": { value: publicKeys[1] },
    },
    true,
  );
}, 120_000);

afterAll(async () => {
  await cleanUpStack(stack, opts, destroyed);
  fs.rmSync(gnupgHome, { recursive: true, force: true });
  console.log(`[pgp e2e] timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

describe("unseal keys encrypted to their holders (OpenBao, staging profile)", () => {
  let plainKeys: string[] = [];

  it("first up initializes, then stops at the sealed server saying who can unseal it", async () => {
    const output = await timed("first up", upFailure);
    expect(output).toContain("the server is initialized but sealed: its key holders unseal it");
    expect(await sealed()).toBe(true);
  });

  it("the holders list their encrypted keys, decrypt them and unseal", async () => {
    exported = await stack.exportStack();
    const encrypted = encryptedUnsealKeysOfStack();
    expect(encrypted).toHaveLength(2);
    plainKeys = decrypted();
    expect(plainKeys).toHaveLength(2);
    // Neither the decrypted keys nor anything that unseals is in state.
    const state = cli("stack", "export", "--show-secrets");
    expect(plainKeys.filter((key) => state.includes(key))).toEqual([]);
    for (const key of plainKeys) {
      const response = await vaultRequest(api(), "PUT", "sys/unseal", undefined, { key });
      expect(response.status).toBe(200);
    }
    expect(await sealed()).toBe(false);
  });

  it("the next up configures everything; verify passes; a further up changes nothing", async () => {
    const result = await timed("up after unseal", () => stack.up({ onOutput: () => undefined }));
    expect(result.summary.result).toBe("succeeded");
    const results = await runChecks(await environmentOf(stack));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const again = await timed("second up", () => stack.up({ onOutput: () => undefined }));
    expect(changesOf(again.summary)).toEqual({});
  });

  it("after a restart the up stops at the sealed server; the holders unseal; nothing changes", async () => {
    const container = (await stack.outputs()).container.value as string;
    execFileSync("docker", ["restart", container]);
    expect(await sealed()).toBe(true);
    const output = await timed("up while sealed", upFailure);
    expect(output).toContain(SEALED_WITH_PGP_KEYS);
    for (const key of plainKeys) {
      await vaultRequest(api(), "PUT", "sys/unseal", undefined, { key });
    }
    expect(await sealed()).toBe(false);
    const result = await timed("up after unseal", () => stack.up({ onOutput: () => undefined }));
    expect(changesOf(result.summary)).toEqual({});
  });

  it("destroy leaves no container or volume behind", async () => {
    releaseForTeardown(cli);
    await timed("destroy", () => stack.destroy({ refresh: true, onOutput: () => undefined }));
    destroyed = true;
    await stack.workspace.removeStack(STACK);
    expect(dockerLeftovers(STACK)).toEqual([]);
  });
});
