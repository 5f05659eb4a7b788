import { formatDuration, isDuration, parseDuration } from "../../infra/duration";
import { dockerPrefix, pgIdentifier } from "../../infra/naming";

describe("parseDuration", () => {
  it.each([
    ["0s", 0],
    ["30s", 30],
    ["15m", 900],
    ["1h", 3600],
    ["1h30m", 5400],
    ["7d", 604800],
    ["720h", 2592000],
    ["1d2h3m4s", 93784],
  ])("%s = %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
    expect(isDuration(text)).toBe(true);
  });

  it.each(["", "1", "h", "1 h", "1hour", "-1h", "1.5h", "1w"])("rejects %p", (text) => {
    expect(isDuration(text)).toBe(false);
    expect(() => parseDuration(text)).toThrow(
      `"${text}" is not a duration like "30s", "15m", "1h30m" or "7d"`,
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [5400, "1h30m"],
    [172800, "48h"],
    [93784, "26h3m4s"],
  ])("%i seconds = %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
    expect(parseDuration(text)).toBe(seconds);
  });
});

describe("names", () => {
  it.each([
    ["dev", "vp-dev"],
    ["pr-7", "vp-pr-7"],
    ["team/x", "vp-team-x"],
  ])("docker prefix of %s is %s", (stack, prefix) => {
    expect(dockerPrefix(stack)).toBe(prefix);
  });

  it.each([
    [["vp", "pr-7", "vault"], "vp_pr_7_vault"],
    [["vp", "Dev"], "vp_dev"],
    [["x".repeat(70)], "x".repeat(63)],
  ])("postgres identifier of %j is %s", (parts, identifier) => {
    expect(pgIdentifier(...parts)).toBe(identifier);
  });
});
