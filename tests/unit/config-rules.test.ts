/**
 * Bad input of every class a user probe found (crash, leaked secret, accepted-but-broken, silent
 * typo, unhelpful message): each refused before anything is created, as a ConfigError with the
 * exact message, never showing a value stored as secret.
 */
import { configProblems } from "./harness";
import { orders } from "./config-fixtures";
import { PLATFORM_CASES } from "./config-rules-platform-cases";
import { VALUE_CASES } from "./config-rules-value-cases";

function problemsOf(
  stack: string,
  overrides: Record<string, unknown>,
  secrets: Record<string, unknown> = stack === "dev" || stack.startsWith("pr-")
    ? {}
    : { vaultToken: "t" },
): string[] {
  return configProblems(stack, overrides, secrets);
}

const CASES = [...VALUE_CASES, ...PLATFORM_CASES];

describe("bad input never gets past loading (exact messages)", () => {
  it.each(CASES)("%s", (_case, stack, overrides, secrets, message) => {
    const problems = problemsOf(stack, overrides, secrets);
    expect(problems).toContain(message);
    // The case is about one thing: nothing else is reported where the base config is valid.
    expect(
      problems.filter(
        (problem) =>
          !problem.startsWith("vault-platform:server.tls.certificate") &&
          !problem.startsWith("vault-platform:tlsPrivateKey"),
      ),
    ).toEqual([message]);
  });

  it("has at least 60 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it("never shows a value stored as secret", () => {
    for (const [, stack, overrides, secrets] of CASES) {
      const text = problemsOf(stack, overrides, secrets).join("\n");
      for (const value of ["hunter2", "Bad-Name", "70000", "db:5432/x"]) {
        if (secrets && JSON.stringify(secrets).includes(value)) {
          expect(text).not.toContain(value);
        }
      }
    }
  });
});

describe("what stays accepted", () => {
  it.each([
    ["IPv6 loopback host", "dev", { postgres: { host: "::1" } }],
    ["IPv4 host", "dev", { postgres: { host: "10.0.0.5" } }],
    ["a long but valid host", "dev", { postgres: { host: "pg-1.prod.eu-west-1.internal" } }],
    ["rotation off", "dev", { transit: { autoRotatePeriod: "0s" } }],
    ["rotation hourly", "dev", { transit: { autoRotatePeriod: "1h" } }],
    ["a large PR number with its own port", "pr-10001", { server: { port: 30000 } }],
    [
      "a digest-pinned image",
      "dev",
      { server: { image: `hashicorp/vault@sha256:${"a".repeat(64)}` } },
    ],
    [
      "a registry with a port",
      "dev",
      { server: { image: "registry.internal:5000/hashicorp/vault:1.20.4" } },
    ],
    ["sibling mounts", "dev", { kv: { path: "team/kv" }, transit: { path: "team/transit" } }],
    [
      "KV paths with dots in names",
      "dev",
      orders({ kv: { read: ["orders/v1.2/*", "orders/.well-known"] } }),
    ],
    [
      "a stronger profile than the stack name",
      "dev",
      {
        profile: "staging",
        postgres: { host: "pg.internal" },
        apps: [{ name: "orders", boundCidrs: ["10.0.0.0/8"] }],
      },
    ],
  ])("%s", (_case, stack, overrides) => {
    expect(problemsOf(stack, overrides)).toEqual([]);
  });

  it("a weaker profile on prod with the loud override", () => {
    const problems = problemsOf("prod", {
      profile: "dev",
      allowWeakerProfile: true,
      server: { flavor: "vault" },
    });
    expect(problems.filter((problem) => problem.startsWith("vault-platform:profile"))).toEqual([]);
  });
});
