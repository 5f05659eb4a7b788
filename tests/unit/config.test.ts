import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig } from "../../stacks/config";
import { stackConfigSource } from "./harness";
import { MOUNT_BAD_INPUTS } from "./config-mount-cases";
import { SERVER_BAD_INPUTS } from "./config-server-cases";

function problemsOf(
  stack: string,
  overrides: Record<string, unknown>,
  secrets?: Record<string, unknown>,
): string[] {
  const secretConfig = secrets ?? (stack === "dev" ? {} : { vaultToken: "t" });
  try {
    loadConfig(stackConfigSource(stack, overrides, secretConfig), "vault-platform", stack);
  } catch (error) {
    if (error instanceof ConfigError) {
      return [...error.problems];
    }
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const BAD_INPUTS = [...SERVER_BAD_INPUTS, ...MOUNT_BAD_INPUTS];

describe("loadConfig rejects bad config with a message naming key, value and expectation", () => {
  it.each(BAD_INPUTS)("%s", (_case, stack, overrides, message) => {
    expect(problemsOf(stack, overrides)).toEqual([message]);
  });

  it("has at least 25 cases", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
  });

  // Secret keys: the value must never appear in the message.
  const SECRET_CASES: [string, Record<string, unknown>, string][] = [
    [
      "seed without data",
      { seeds: { "a/b": { mode: "overwrite" } } },
      "vault-platform:seeds.a/b.data: expected an object; got nothing",
    ],
    [
      "seed with unknown mode",
      { seeds: { "a/b": { mode: "always", data: { k: "hunter2" } } } },
      'vault-platform:seeds.a/b.mode: expected one of "overwrite", "create-once"; got [secret]',
    ],
    [
      "seed path with leading slash",
      { seeds: { "/a": { data: { k: "hunter2" } } } },
      'vault-platform:seeds./a: expected a KV path like "orders/config"; got [secret]',
    ],
  ];
  it.each(SECRET_CASES)("%s (secret value hidden)", (_case, secrets, message) => {
    const problems = problemsOf("dev", {}, secrets);
    expect(problems).toEqual([message]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("reports every problem at once", () => {
    const problems = problemsOf("dev", {
      server: { flavor: "x", port: 0 },
      kv: { maxVersions: 5000 },
    });
    expect(problems).toHaveLength(3);
    expect(() =>
      loadConfig(stackConfigSource("dev", { server: { flavor: "x" } }), "vault-platform", "dev"),
    ).toThrow(/^Invalid stack config:\n {2}- vault-platform:server.flavor: /);
  });
});

describe("empty values (the declared defaults in Pulumi.yaml) mean unset", () => {
  it("treats empty secrets, profile, protect and seeds as not configured", () => {
    const config = loadConfig(
      stackConfigSource(
        "dev",
        { profile: "", protect: "", seeds: {} },
        { vaultToken: "", postgresAdminPassword: "" },
      ),
      "vault-platform",
      "dev",
    );
    expect(config.profile).toBe("dev");
    expect(config.protect).toBe(false);
    expect(config.vaultToken).toBeUndefined();
    expect(config.postgres.adminPassword).toBeUndefined();
    expect(config.seeds).toEqual([]);
  });

  it("refuses a password stored in plain text, without showing it", () => {
    expect(problemsOf("dev", { postgresAdminPassword: "hunter2" })).toEqual([
      "vault-platform:postgresAdminPassword: must be stored encrypted: set it with `pulumi config set --secret`; got [secret]",
    ]);
  });
});

describe("loadConfig resolves profiles", () => {
  it("gives dev its defaults", () => {
    const config = loadConfig(stackConfigSource("dev"), "vault-platform", "dev");
    expect(config.profile).toBe("dev");
    expect(config.protect).toBe(false);
    expect(config.server).toEqual({
      flavor: "vault",
      image: "hashicorp/vault:1.20.4",
      mode: "dev",
      network: "host",
      bindAddress: "127.0.0.1",
      port: 8200,
      unsealKeyShares: 3,
      unsealKeyThreshold: 2,
      revokeRootToken: false,
      unsealPgpKeys: [],
      nodes: 1,
      tls: { mode: "disabled" },
    });
    expect(config.postgres).toMatchObject({
      host: "127.0.0.1",
      database: "vp_dev",
      createDatabase: true,
    });
    expect(config.approle).toEqual({
      path: "approle",
      tokenTtlSeconds: 3600,
      tokenMaxTtlSeconds: 14400,
      secretIdTtlSeconds: 86400,
      secretIdNumUses: 10,
      secretIdWrapTtl: "5m",
    });
    expect(config.apps.map((app) => [app.name, app.database, app.kv.read])).toEqual([
      ["orders", "readwrite", ["orders/*"]],
      ["reporting", "readonly", ["reporting/*"]],
    ]);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it.each([
    ["pr-1", 20002],
    ["pr-7", 20014],
    ["pr-42", 20084],
  ])("gives %s its own port and database", (stack, port) => {
    const config = loadConfig(stackConfigSource(stack), "vault-platform", stack);
    expect(config.profile).toBe("ephemeral");
    expect(config.server.port).toBe(port);
    expect(config.postgres.database).toBe(`vp_${stack.replace("-", "_")}`);
  });

  it("lets an explicit value win over the profile", () => {
    const config = loadConfig(
      stackConfigSource("dev", {
        server: { flavor: "openbao", port: 18200 },
        kv: { maxVersions: 3 },
      }),
      "vault-platform",
      "dev",
    );
    expect(config.server.image).toBe("openbao/openbao:2.6.2");
    expect(config.server.port).toBe(18200);
    expect(config.kv.maxVersions).toBe(3);
  });

  it("keeps seeds and passwords secret", async () => {
    const config = loadConfig(
      stackConfigSource(
        "dev",
        {},
        {
          seeds: { "orders/config": { data: { api_key: "k1" } } },
          postgresAdminPassword: "pw",
        },
      ),
      "vault-platform",
      "dev",
    );
    expect(config.seeds.map((seed) => [seed.path, seed.mode])).toEqual([
      ["orders/config", "overwrite"],
    ]);
    expect(await pulumi.isSecret(config.seeds[0].dataJson)).toBe(true);
    expect(await pulumi.isSecret(config.postgres.adminPassword as pulumi.Output<string>)).toBe(
      true,
    );
  });

  it("takes a non-JSON profile string", () => {
    const source = stackConfigSource("pr-3");
    const config = loadConfig(
      {
        get: (key) => (key === "vault-platform:profile" ? "ephemeral" : source.get(key)),
        isSecret: () => false,
      },
      "vault-platform",
      "pr-3",
    );
    expect(config.profile).toBe("ephemeral");
  });
});
