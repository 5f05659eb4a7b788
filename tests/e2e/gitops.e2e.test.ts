/**
 * Tier 2: the GitOps CLI against the real engine, run as the workflows run it
 * (`npm run env -- ...`), with a temporary file:// backend.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiSearchPath, PROJECT_ROOT } from "../../cli/engine/workspace";
import { E2E_FLAVOR, E2E_IMAGE, E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";
import { claimStack } from "./claims";

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-gitops-state-"));
const PR = 6300 + (process.pid % 28) * 3;
const env = {
  ...process.env,
  PATH: pulumiSearchPath(),
  PULUMI_BACKEND_URL: `file://${stateDir}`,
  PULUMI_CONFIG_PASSPHRASE: `gitops-e2e-${process.pid}`,
  PULUMI_SKIP_UPDATE_CHECK: "true",
};
const created = new Set<string>();

function pulumi(...args: string[]): string {
  return execFileSync("pulumi", args, { cwd: PROJECT_ROOT, env, encoding: "utf8" });
}

function npmEnv(...args: string[]): { status: number; output: string } {
  const result = spawnSync("npm", ["run", "-s", "env", "--", ...args], {
    cwd: PROJECT_ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

function initStack(
  stack: string,
  config: Record<string, string>,
  secrets: Record<string, string> = {},
) {
  claimStack(stack);
  pulumi("stack", "init", stack, "--non-interactive");
  created.add(stack);
  for (const [key, value] of Object.entries(config)) {
    pulumi("config", "set", "--path", key, value, "--stack", stack);
  }
  for (const [key, value] of Object.entries(secrets)) {
    pulumi("config", "set", "--secret", key, value, "--stack", stack);
  }
}

function labelled(stack: string): string[] {
  return execFileSync(
    "docker",
    ["ps", "-a", "-q", "--filter", `label=vault-platform.stack=${stack}`],
    {
      encoding: "utf8",
    },
  )
    .split("\n")
    .filter(Boolean);
}

function stackNames(): string[] {
  return (JSON.parse(pulumi("stack", "ls", "--json")) as { name: string }[]).map((s) => s.name);
}

beforeAll(async () => {
  await requireToolchain();
}, 120_000);

afterAll(() => {
  for (const stack of created) {
    spawnSync("pulumi", ["destroy", "--yes", "--stack", stack], { cwd: PROJECT_ROOT, env });
    spawnSync("pulumi", ["stack", "rm", "--yes", "--force", stack], { cwd: PROJECT_ROOT, env });
    fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), { force: true });
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
}, 600_000);

describe("GitOps CLI", () => {
  const stack = `pr-${PR}`;

  it("env up of a PR environment, then env preview shows no changes, then env destroy leaves nothing", () => {
    initStack(
      stack,
      {
        "vault-platform:server.flavor": E2E_FLAVOR,
        "vault-platform:server.image": E2E_IMAGE,
        "vault-platform:postgres.host": "127.0.0.1",
        "vault-platform:postgres.port": String(E2E_PG_PORT),
      },
      { "vault-platform:postgresAdminPassword": E2E_PG_ADMIN.password },
    );
    const up = npmEnv("up", "--stack", stack, "--ttl", "2h");
    expect(up.status).toBe(0);
    expect(labelled(stack)).toHaveLength(1);
    const tags = JSON.parse(pulumi("stack", "tag", "ls", "--json", "--stack", stack)) as Record<
      string,
      string
    >;
    expect(tags["vault-platform:pr"]).toBe(String(PR));
    const ttl =
      Date.parse(tags["vault-platform:expires-at"]) - Date.parse(tags["vault-platform:created-at"]);
    expect(Math.round(ttl / 60000)).toBe(120);

    const preview = npmEnv("preview", "--stack", stack);
    expect(preview.status).toBe(0);
    expect(preview.output).toMatch(new RegExp(`\\| ${stack} \\| 0 \\| 0 \\| 0 \\| 0 \\| \\d+ \\|`));
    expect(preview.output).toContain("No app or team gains or loses access.");

    const destroy = npmEnv("destroy", "--stack", stack);
    expect(destroy.status).toBe(0);
    created.delete(stack);
    expect(labelled(stack)).toEqual([]);
    expect(stackNames()).not.toContain(stack);
    expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`))).toBe(false);
  });

  it("the sweeper destroys an expired pr- stack and keeps a fresh one", () => {
    const expired = `pr-${PR + 1}`;
    const fresh = `pr-${PR + 2}`;
    for (const name of [expired, fresh]) {
      claimStack(name);
      pulumi("stack", "init", name, "--non-interactive");
      created.add(name);
    }
    pulumi(
      "stack",
      "tag",
      "set",
      "vault-platform:expires-at",
      "2020-01-01T00:00:00Z",
      "--stack",
      expired,
    );
    pulumi(
      "stack",
      "tag",
      "set",
      "vault-platform:expires-at",
      "2099-01-01T00:00:00Z",
      "--stack",
      fresh,
    );

    const first = npmEnv("sweep");
    expect(first.status).toBe(0);
    expect(first.output).toContain(`"destroyed":["${expired}"]`);
    expect(stackNames()).toContain(fresh);
    expect(stackNames()).not.toContain(expired);
    created.delete(expired);

    // A second run is a no-op.
    const second = npmEnv("sweep");
    expect(second.status).toBe(0);
    expect(second.output).toContain('{"destroyed":[],"skipped":[]}');
  });

  it("a preview of a deliberately weakened prod config fails on the policy pack with the rule's message", () => {
    // Not "prod" itself (its committed stack file stays untouched): a stack whose name implies
    // no profile is held to the mandatory level, like prod.
    const weakened = `prod-weakened-${PR}`;
    initStack(weakened, { "vault-platform:profile": "dev" });
    const preview = npmEnv("preview", "--stack", weakened, "--policy");
    expect(preview.status).toBe(1);
    expect(preview.output).toContain("| vault-server-not-dev-mode | mandatory |");
    expect(preview.output).toContain(
      'container "platform-server-container" starts the server with "-dev"',
    );
  });
});
