import { EphemeralStack, selectExpired, sweep } from "../../cli/gitops/sweeper";
import { parseEnvArgs, policyOptions } from "../../cli/commands/env";

const NOW = new Date("2026-11-23T12:00:00Z");
const DAY = 86400;

const STACKS: EphemeralStack[] = [
  { name: "pr-1", expiresAt: "2026-11-23T11:59:59Z" }, // expired a second ago
  { name: "pr-2", expiresAt: "2026-11-23T12:00:01Z" }, // a second to go
  { name: "pr-3", lastUpdate: "2026-11-19T12:00:00Z" }, // untagged, untouched for 4 days
  { name: "pr-4", lastUpdate: "2026-11-22T12:00:00Z" }, // untagged, updated yesterday
  { name: "pr-5" }, // nothing to go by: kept
  { name: "pr-6", expiresAt: "not a date", lastUpdate: "2026-11-01T00:00:00Z" },
  { name: "staging", expiresAt: "2020-01-01T00:00:00Z" }, // never swept
  { name: "prod", lastUpdate: "2020-01-01T00:00:00Z" },
  { name: "pr-x", expiresAt: "2020-01-01T00:00:00Z" }, // not an ephemeral stack name
];

describe("sweeper", () => {
  it("selects only pr-<n> stacks past their time to live", () => {
    expect(selectExpired(STACKS, NOW, 3 * DAY)).toEqual(["pr-1", "pr-3", "pr-6"]);
  });

  it("destroys the expired ones and keeps the fresh ones", async () => {
    const destroyed: string[] = [];
    const result = await sweep(
      { list: async () => STACKS, destroyAndRemove: async (name) => void destroyed.push(name) },
      NOW,
      3 * DAY,
    );
    expect(destroyed).toEqual(["pr-1", "pr-3", "pr-6"]);
    expect(result).toEqual({ destroyed: ["pr-1", "pr-3", "pr-6"], skipped: [] });
  });

  it("is safe to run twice at once: a locked or vanished stack is skipped", async () => {
    const result = await sweep(
      {
        list: async () => STACKS,
        destroyAndRemove: async (name) => {
          if (name === "pr-1") {
            throw new Error("the stack is currently locked by 1 lock(s)");
          }
          if (name === "pr-3") {
            throw new Error("no stack named 'pr-3' found");
          }
        },
      },
      NOW,
      3 * DAY,
    );
    expect(result.destroyed).toEqual(["pr-6"]);
    expect(result.skipped.map((s) => s.name)).toEqual(["pr-1", "pr-3"]);
  });

  it("is idempotent: a second run finds nothing left", async () => {
    let stacks = [...STACKS];
    const operations = {
      list: async () => stacks,
      destroyAndRemove: async (name: string) => {
        stacks = stacks.filter((stack) => stack.name !== name);
      },
    };
    await sweep(operations, NOW, 3 * DAY);
    expect(await sweep(operations, NOW, 3 * DAY)).toEqual({ destroyed: [], skipped: [] });
  });

  it("fails loudly on any other error", async () => {
    await expect(
      sweep(
        {
          list: async () => STACKS,
          destroyAndRemove: async () => Promise.reject(new Error("boom")),
        },
        NOW,
        DAY,
      ),
    ).rejects.toThrow("boom");
  });
});

describe("env command line", () => {
  it.each([
    [
      ["preview", "--stack", "staging", "--stack", "prod", "--base", "origin/main", "--policy"],
      {
        command: "preview",
        stacks: ["staging", "prod"],
        base: "origin/main",
        policy: true,
        ttl: "72h",
      },
    ],
    [
      ["up", "--stack", "pr-7", "--ttl", "24h"],
      { command: "up", stacks: ["pr-7"], policy: false, ttl: "24h" },
    ],
    [
      ["sweep", "--default-ttl", "48h"],
      { command: "sweep", stacks: [], policy: false, ttl: "48h" },
    ],
  ])("parses %j", (argv, expected) => {
    expect(parseEnvArgs(argv)).toEqual(expected);
  });

  it.each([
    [
      ["deploy"],
      'usage: npm run env -- <preview|up|destroy|sweep|drift> [flags] (each with --help); got "deploy"',
    ],
    [["up"], "up needs --stack <name>"],
    [
      ["up", "--stack"],
      "npm run env -- up: Option '-s, --stack <value>' argument missing (see npm run env -- up --help)",
    ],
    [
      ["up", "--stack", "pr-1", "--ttl", "1 day"],
      '"1 day" is not a duration like "30s", "15m", "1h30m" or "7d"',
    ],
    [
      ["up", "--stack", "pr-1", "--force"],
      "npm run env -- up: Unknown option '--force' (see npm run env -- up --help)",
    ],
    [["sweep", "--stack", "pr-1"], "npm run env -- sweep: Unknown option '--stack'"],
    [
      ["preview", "--stack", "prod", "--pr", "seven"],
      '--pr: expected a pull request number, got "seven"',
    ],
  ])("rejects %j", (argv, message) => {
    expect(() => parseEnvArgs(argv)).toThrow(message);
  });

  it("makes the policy pack mandatory for staging/prod and advisory elsewhere", () => {
    expect(policyOptions("prod").policyPackConfigs[0]).toMatch(
      /guardrails\/config\.mandatory\.json$/,
    );
    expect(policyOptions("staging").policyPackConfigs[0]).toMatch(/config\.mandatory\.json$/);
    expect(policyOptions("pr-7").policyPackConfigs[0]).toMatch(/config\.advisory\.json$/);
    expect(policyOptions("dev").policyPackConfigs[0]).toMatch(/config\.advisory\.json$/);
  });
});
