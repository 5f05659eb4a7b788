/**
 * A server-mode server whose container and data volume are gone (cli/recovery/lost-server-data.ts):
 * what the state forgets, and that the unseal keys stay for a restore.
 */
import { withoutLostServerData } from "../../cli/recovery/lost-server-data";
import type { Deployment, StateResource } from "../../cli/recovery/state-graph";
import { withoutDroppedKeepingKeys } from "../../cli/recovery/state-graph";

const urn = (type: string, name: string) => `urn:pulumi:staging::vault-platform::${type}::${name}`;

const stackRoot = urn("pulumi:pulumi:Stack", "vault-platform-staging");
const server = urn("vaultplatform:index:VaultServer", "platform-server");
const container = urn("docker:index/container:Container", "platform-server-container");
const data = urn("docker:index/volume:Volume", "platform-server-data");
const logs = urn("docker:index/volume:Volume", "platform-server-logs");
const init = urn("pulumi-nodejs:vaultplatform:ServerInit", "platform-server-init");
const provisioner = urn(
  "pulumi-nodejs:vaultplatform:ProvisionerToken",
  "platform-bootstrap-provisioner",
);
const vaultProvider = urn("pulumi:providers:vault", "platform-vault");
const mount = urn("vault:index/mount:Mount", "platform-kv-mount");
const pgProvider = urn("pulumi:providers:postgresql", "platform-postgres-admin");
const vaultRole = urn("postgresql:index/role:Role", "platform-database-vault-role");

function resource(type: string, at: string, more: Partial<StateResource> = {}): StateResource {
  return { urn: at, type, custom: true, ...more };
}

const state: Deployment = {
  deployment: {
    resources: [
      {
        urn: stackRoot,
        type: "pulumi:pulumi:Stack",
        custom: false,
        outputs: { serverMode: "server" },
      },
      { urn: server, type: "vaultplatform:index:VaultServer", custom: false, parent: stackRoot },
      resource("docker:index/volume:Volume", logs, {
        parent: server,
        outputs: { name: "vp-staging-logs" },
      }),
      resource("docker:index/volume:Volume", data, {
        parent: server,
        outputs: { name: "vp-staging-data" },
      }),
      resource("docker:index/container:Container", container, {
        parent: server,
        dependencies: [logs, data],
        outputs: { name: "vp-staging-vault" },
      }),
      resource("pulumi-nodejs:vaultplatform:ServerInit", init, {
        parent: server,
        dependencies: [container],
        propertyDependencies: { address: [container] },
      }),
      resource("pulumi-nodejs:vaultplatform:ProvisionerToken", provisioner, {
        dependencies: [init, container],
      }),
      resource("pulumi:providers:vault", vaultProvider, { dependencies: [provisioner] }),
      resource("vault:index/mount:Mount", mount, { provider: `${vaultProvider}::id-1` }),
      resource("pulumi:providers:postgresql", pgProvider),
      resource("postgresql:index/role:Role", vaultRole, {
        provider: `${pgProvider}::id-2`,
        dependencies: [mount],
      }),
    ],
  },
};

const gone = [{ urn: container, what: "container vp-staging-vault", name: "vp-staging-vault" }];
const volumeGone = (args: readonly string[]) =>
  args[0] === "volume" && args[2] === "vp-staging-data" ? undefined : "[{}]";

describe("a server-mode server whose container and data volume are gone", () => {
  it("forgets what it held, keeps its unseal keys (without their wait for the container) and Postgres", () => {
    const lost = withoutLostServerData(state, gone, volumeGone);
    expect(lost?.volumes).toEqual(["vp-staging-data"]);
    expect(lost?.dropped).toBe(5);
    const kept = lost?.state.deployment.resources ?? [];
    expect(kept.map((each) => each.urn)).toEqual([
      stackRoot,
      server,
      logs,
      init,
      pgProvider,
      vaultRole,
    ]);
    expect(kept.find((each) => each.urn === init)).toMatchObject({
      dependencies: [],
      propertyDependencies: { address: [] },
    });
    expect(kept.find((each) => each.urn === vaultRole)?.dependencies).toEqual([]);
  });

  it("is not for a data volume that is still there, a dev server, or a container still running", () => {
    expect(withoutLostServerData(state, gone, () => "[{}]")).toBeUndefined();
    const dev: Deployment = {
      deployment: {
        resources: (state.deployment.resources ?? []).map((each) =>
          each.urn === stackRoot ? { ...each, outputs: { serverMode: "dev" } } : each,
        ),
      },
    };
    expect(withoutLostServerData(dev, gone, volumeGone)).toBeUndefined();
    expect(withoutLostServerData(state, [], volumeGone)).toBeUndefined();
  });

  it("keeps the unseal keys when the whole environment is forgotten too", () => {
    const everything = new Set((state.deployment.resources ?? []).map((each) => each.urn));
    const kept = withoutDroppedKeepingKeys(state, everything).deployment.resources ?? [];
    // With the components it is a child of: a state needs a child's parent.
    expect(kept.map((each) => each.urn)).toEqual([stackRoot, server, init]);
  });
});
