import {
  postgresSettings,
  recordedContainers,
  recordedPostgresObjects,
  refreshTargetsFor,
  withoutLostDevServer,
} from "../../cli/recovery/missing-objects";
import { recordedMounts } from "../../cli/recovery/lost-state";
import type { Deployment, StateResource } from "../../cli/recovery/state-graph";

const urn = (type: string, name: string) => `urn:pulumi:pr-7::vault-platform::${type}::${name}`;
const secret = (value: string) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  plaintext: JSON.stringify(value),
});

const stackRoot = urn("pulumi:pulumi:Stack", "vault-platform-pr-7");
const server = urn("vaultplatform:index:VaultServer", "platform-server");
const container = urn("docker:index/container:Container", "platform-server-container");
const vaultProvider = urn("pulumi:providers:vault", "platform-vault");
const pgProvider = urn("pulumi:providers:postgresql", "platform-postgres-admin");
const vaultRole = urn("postgresql:index/role:Role", "platform-database-vault-role");
const readonly = urn("postgresql:index/role:Role", "platform-database-readonly");
const grant = urn("postgresql:index/grant:Grant", "platform-database-readonly-schema");
const mount = urn("vault:index/mount:Mount", "platform-database-mount");
const connection = urn(
  "vault:database/secretBackendConnection:SecretBackendConnection",
  "platform-database-connection",
);
const policy = urn("vault:index/policy:Policy", "platform-app-orders");
const audit = urn("vault:index/audit:Audit", "platform-audit-file");
const databaseComponent = urn("vaultplatform:index:Database", "platform-database");

function resource(
  type: string,
  name: string,
  more: Partial<StateResource> & { outputs?: Record<string, unknown> } = {},
): StateResource {
  return { urn: urn(type, name), type, custom: true, ...more };
}

const state: Deployment = {
  deployment: {
    resources: [
      {
        urn: stackRoot,
        type: "pulumi:pulumi:Stack",
        custom: false,
        outputs: { serverMode: "dev" },
      },
      { urn: server, type: "vaultplatform:index:VaultServer", custom: false, parent: stackRoot },
      resource("docker:index/container:Container", "platform-server-container", {
        parent: server,
        outputs: { name: "vp-pr-7-vault" },
      }),
      resource("pulumi:providers:vault", "platform-vault", { dependencies: [container] }),
      resource("vault:index/audit:Audit", "platform-audit-file", {
        provider: `${vaultProvider}::b2`,
      }),
      // Waits for the audit devices (platform.ts); its children are Postgres objects.
      {
        urn: databaseComponent,
        type: "vaultplatform:index:Database",
        custom: false,
        parent: stackRoot,
        dependencies: [audit],
      },
      resource("pulumi:providers:postgresql", "platform-postgres-admin", {
        inputs: {
          host: "127.0.0.1",
          port: 55432,
          username: "postgres",
          password: secret("admin-password"),
        } as StateResource["inputs"],
      }),
      resource("postgresql:index/role:Role", "platform-database-vault-role", {
        parent: databaseComponent,
        provider: `${pgProvider}::a1`,
        outputs: { name: "vp_pr_7_vault" },
      }),
      resource("postgresql:index/role:Role", "platform-database-readonly", {
        provider: `${pgProvider}::a1`,
        outputs: { name: "vp_pr_7_readonly" },
      }),
      resource("postgresql:index/database:Database", "platform-database-db", {
        provider: `${pgProvider}::a1`,
        outputs: { name: "vp_pr_7" },
      }),
      resource("postgresql:index/grant:Grant", "platform-database-readonly-schema", {
        provider: `${pgProvider}::a1`,
        dependencies: [readonly],
      }),
      resource("vault:index/mount:Mount", "platform-database-mount", {
        provider: `${vaultProvider}::b2`,
        outputs: { path: "database" },
      }),
      resource(
        "vault:database/secretBackendConnection:SecretBackendConnection",
        "platform-database-connection",
        {
          provider: `${vaultProvider}::b2`,
          dependencies: [mount, vaultRole],
          propertyDependencies: { backend: [mount] },
        },
      ),
      resource("vault:index/policy:Policy", "platform-app-orders", {
        provider: `${vaultProvider}::b2`,
      }),
    ],
  },
};

describe("what the state lists, as the checks before up look for it", () => {
  it("names containers, mounts, Postgres roles and databases", () => {
    expect(recordedContainers(state).map((object) => object.what)).toEqual([
      "container vp-pr-7-vault",
    ]);
    expect(recordedMounts(state).map((object) => object.what)).toEqual(["mount database/"]);
    expect(recordedPostgresObjects(state).map((object) => object.what)).toEqual([
      "role vp_pr_7_vault",
      "role vp_pr_7_readonly",
      "database vp_pr_7",
    ]);
  });

  it("reaches Postgres as the state's admin does", () => {
    expect(postgresSettings(state)).toEqual({
      host: "127.0.0.1",
      port: 55432,
      user: "postgres",
      password: "admin-password",
      database: "postgres",
      ssl: false,
    });
    expect(postgresSettings({ deployment: { resources: [] } })).toBeUndefined();
  });
});

describe("what is refreshed for an object found gone", () => {
  it.each([
    ["a dropped role: it and its grants", [readonly], [readonly, grant]],
    ["a disabled mount: it and its connection", [mount], [mount, connection]],
    [
      "the Vault role: it and the connection logging in with it",
      [vaultRole],
      [vaultRole, connection],
    ],
  ])("%s", (_case, gone, targets) => {
    const objects = gone.map((each) => ({ urn: each, what: each, name: each }));
    expect(refreshTargetsFor(state, objects)).toEqual(targets);
  });
});

describe("a dev server's container gone", () => {
  const gone = recordedContainers(state);

  it("forgets the container and what the server held, keeps Postgres objects and components", () => {
    const lost = withoutLostDevServer(state, gone);
    expect(lost?.dropped).toBe(6);
    expect(lost?.state.deployment.resources?.map((each) => each.urn)).toEqual([
      stackRoot,
      server,
      databaseComponent,
      pgProvider,
      vaultRole,
      readonly,
      urn("postgresql:index/database:Database", "platform-database-db"),
      grant,
    ]);
    // The component stays, without its wait for the audit device that went.
    expect(lost?.state.deployment.resources?.[2].dependencies).toEqual([]);
    expect(lost?.state.deployment.resources).not.toContainEqual(
      expect.objectContaining({ urn: policy }),
    );
  });

  it("is not for a server-mode node (its data is in a volume) nor a container of another kind", () => {
    const serverMode: Deployment = {
      deployment: {
        resources: (state.deployment.resources ?? []).map((each) =>
          each.urn === stackRoot ? { ...each, outputs: { serverMode: "server" } } : each,
        ),
      },
    };
    expect(withoutLostDevServer(serverMode, gone)).toBeUndefined();
    expect(
      withoutLostDevServer(state, [{ urn: grant, what: "container x", name: "x" }]),
    ).toBeUndefined();
  });
});
