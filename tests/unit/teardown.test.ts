import type { Deployment, StateResource } from "../../cli/recovery/state-graph";
import {
  containedTeardown,
  forgetRemovedEnvironment,
  planContainedTeardown,
  withoutDropped,
} from "../../cli/recovery/teardown";

const STACK = "urn:pulumi:pr-7::vault-platform::pulumi:pulumi:Stack::vault-platform-pr-7";
const urn = (type: string, name: string) => `urn:pulumi:pr-7::vault-platform::${type}::${name}`;
const provider = (type: string, name: string) => `${urn(type, name)}::0d2c`;

const network = urn("docker:index/network:Network", "net");
const logs = urn("docker:index/volume:Volume", "logs");
const cert = urn("pulumi-nodejs:dynamic:Resource", "cert");
const vaultContainer = urn("docker:index/container:Container", "vault");
const ownPostgres = urn("vaultplatform:index:EmbeddedPostgres", "pg");
const password = urn("random:index/randomPassword:RandomPassword", "pg-admin");
const pgData = urn("docker:index/volume:Volume", "pgdata");
const pgContainer = urn("docker:index/container:Container", "pg-container");
const vaultProvider = urn("pulumi:providers:vault", "platform-vault");
const pgProvider = urn("pulumi:providers:postgresql", "platform-pg");
const mount = urn("vault:index/mount:Mount", "kv");
const role = urn("postgresql:index/role:Role", "readonly");
const request = urn("pulumi-nodejs:dynamic:Resource", "release-secret");
const policySet = urn("vaultplatform:index:PolicySet", "policies");
const policy = urn("vault:index/policy:Policy", "app-a");

function resources(overrides: Partial<Record<string, Partial<StateResource>>> = {}) {
  const list: StateResource[] = [
    { urn: STACK, type: "pulumi:pulumi:Stack", outputs: { serverMode: "dev" } },
    { urn: urn("pulumi:providers:docker", "default"), type: "pulumi:providers:docker" },
    { urn: network, type: "docker:index/network:Network", outputs: { name: "vp-pr-7" } },
    { urn: logs, type: "docker:index/volume:Volume", inputs: { name: "vp-pr-7-logs" } },
    { urn: cert, type: "pulumi-nodejs:dynamic:Resource" },
    {
      urn: vaultContainer,
      type: "docker:index/container:Container",
      dependencies: [network, logs, cert],
      outputs: { name: "vp-pr-7-vault" },
    },
    { urn: ownPostgres, type: "vaultplatform:index:EmbeddedPostgres", parent: STACK },
    { urn: password, type: "random:index/randomPassword:RandomPassword", parent: ownPostgres },
    { urn: pgData, type: "docker:index/volume:Volume", outputs: { name: "vp-pr-7-postgres" } },
    {
      urn: pgContainer,
      type: "docker:index/container:Container",
      parent: ownPostgres,
      dependencies: [pgData, password],
      outputs: { name: "vp-pr-7-postgres" },
    },
    { urn: vaultProvider, type: "pulumi:providers:vault", dependencies: [vaultContainer] },
    // The Postgres provider reaches the container by port: no reference to it.
    { urn: pgProvider, type: "pulumi:providers:postgresql", dependencies: [password] },
    {
      urn: mount,
      type: "vault:index/mount:Mount",
      provider: provider("pulumi:providers:vault", "platform-vault"),
    },
    {
      urn: role,
      type: "postgresql:index/role:Role",
      provider: provider("pulumi:providers:postgresql", "platform-pg"),
    },
    {
      urn: request,
      type: "pulumi-nodejs:dynamic:Resource",
      propertyDependencies: { path: [mount] },
    },
    { urn: policySet, type: "vaultplatform:index:PolicySet" },
    {
      urn: policy,
      type: "vault:index/policy:Policy",
      parent: policySet,
      provider: provider("pulumi:providers:vault", "platform-vault"),
    },
  ];
  return list.map((resource) => ({ ...resource, ...overrides[resource.urn] }));
}

const deploymentOf = (list: StateResource[], pending: unknown[] = []): Deployment => ({
  version: 3,
  deployment: { manifest: {}, resources: list, pending_operations: pending },
});

describe("teardown of an environment whose server and Postgres are its own containers", () => {
  it("removes containers, then volumes, and drops what lived only inside them", () => {
    const plan = planContainedTeardown(deploymentOf(resources()));
    if ("ordinary" in plan) {
      throw new Error(plan.ordinary);
    }
    expect(plan.objects).toEqual([
      { kind: "container", name: "vp-pr-7-vault" },
      { kind: "container", name: "vp-pr-7-postgres" },
      { kind: "volume", name: "vp-pr-7-logs" },
      { kind: "volume", name: "vp-pr-7-postgres" },
    ]);
    expect([...plan.dropped].sort()).toEqual(
      [
        logs,
        vaultContainer,
        pgData,
        pgContainer,
        vaultProvider,
        pgProvider,
        mount,
        role,
        request,
        policy,
      ].sort(),
    );
    // Kept for the ordinary destroy: what outlives the containers or holds them.
    const kept = withoutDropped(deploymentOf(resources()), plan.dropped).deployment.resources;
    expect(kept?.map((resource) => resource.urn)).toEqual([
      STACK,
      urn("pulumi:providers:docker", "default"),
      network,
      cert,
      ownPostgres,
      password,
      policySet,
    ]);
  });

  it.each([
    ["an external cluster", { [STACK]: { outputs: { serverMode: "external" } } }, "own server"],
    ["no outputs yet (a first run killed early)", { [STACK]: { outputs: {} } }, "own server"],
    ["a protected resource", { [policy]: { protect: true } }, "protected"],
    ["an external Postgres", { [pgContainer]: { parent: STACK } }, "Postgres is not its own"],
    ["a network referring to a container", { [network]: { dependencies: [logs] } }, "network"],
  ])("leaves %s to the ordinary destroy", (_case, overrides, reason) => {
    const plan = planContainedTeardown(deploymentOf(resources(overrides)));
    expect("ordinary" in plan && plan.ordinary).toContain(reason);
  });

  it("leaves a state with pending operations to recovery and the ordinary destroy", () => {
    const plan = planContainedTeardown(deploymentOf(resources(), [{ type: "creating" }]));
    expect(plan).toEqual({ ordinary: "the state has pending operations" });
    expect(planContainedTeardown(undefined)).toHaveProperty("ordinary");
  });
});

describe("carrying a contained teardown out", () => {
  function fakeDocker(labels: Record<string, string>) {
    const calls: string[] = [];
    const docker = (args: readonly string[]) => {
      calls.push(args.join(" "));
      const [kind, verb, name] = args;
      if (verb === "inspect") {
        if (!(name in labels)) {
          return undefined;
        }
        const set = { "vault-platform.stack": labels[name] };
        return JSON.stringify([
          kind === "container" ? { Config: { Labels: set } } : { Labels: set },
        ]);
      }
      return "";
    };
    return { calls, docker };
  }

  function fakeStack() {
    const imported: Deployment[] = [];
    return {
      imported,
      stack: {
        name: "pr-7",
        read: async () => deploymentOf(resources()),
        write: async (state: Deployment) => {
          imported.push(state);
        },
      },
    };
  }

  it("removes the stack's objects, then writes the trimmed state once", async () => {
    const { calls, docker } = fakeDocker({
      "vp-pr-7-vault": "pr-7",
      "vp-pr-7-postgres": "pr-7",
      "vp-pr-7-logs": "pr-7",
    });
    const { imported, stack } = fakeStack();
    const lines: string[] = [];
    await containedTeardown(stack, (line) => lines.push(line), undefined, docker);
    expect(calls.filter((call) => !call.includes("inspect"))).toEqual([
      "rm -f -v vp-pr-7-vault",
      "rm -f -v vp-pr-7-postgres",
      "volume rm vp-pr-7-logs",
      "volume rm vp-pr-7-postgres",
    ]);
    expect(imported).toHaveLength(1);
    expect(imported[0].deployment.resources).toHaveLength(7);
    expect(lines).toEqual([
      "removed container vp-pr-7-vault, container vp-pr-7-postgres, volume vp-pr-7-logs, volume vp-pr-7-postgres; 6 resources that lived only inside them are gone with them",
    ]);
  });

  it("plans on the state already exported, and writes back the one it read (secrets encrypted)", async () => {
    const { docker } = fakeDocker({ "vp-pr-7-vault": "pr-7" });
    const written: Deployment[] = [];
    const encrypted = deploymentOf(resources({ [policy]: { outputs: { secret: "ciphertext" } } }));
    const stack = {
      name: "pr-7",
      read: async () => encrypted,
      write: async (state: Deployment) => {
        written.push(state);
      },
    };
    await containedTeardown(stack, () => undefined, deploymentOf(resources()), docker);
    expect(written[0].deployment.resources).toHaveLength(7);
    expect(written[0].deployment.manifest).toBe(encrypted.deployment.manifest);
    // Nothing to do by the exported state: nothing read, nothing written.
    const external = deploymentOf(resources({ [STACK]: { outputs: { serverMode: "external" } } }));
    const reads: string[] = [];
    await containedTeardown(
      { ...stack, read: async () => (reads.push("read"), encrypted) },
      () => undefined,
      external,
      docker,
    );
    expect(reads).toEqual([]);
    expect(written).toHaveLength(1);
  });

  it("goes on where an earlier teardown removed the objects but was stopped before the state", async () => {
    const { calls, docker } = fakeDocker({});
    const { imported, stack } = fakeStack();
    const lines: string[] = [];
    await containedTeardown(stack, (line) => lines.push(line), undefined, docker);
    expect(calls.every((call) => call.includes("inspect"))).toBe(true);
    expect(imported).toHaveLength(1);
    expect(lines[0]).toMatch(/^removed no container or volume \(already gone\)/);
  });

  it("touches nothing when an object of that name is not the stack's", async () => {
    const { calls, docker } = fakeDocker({ "vp-pr-7-vault": "pr-7", "vp-pr-7-postgres": "pr-8" });
    const { imported, stack } = fakeStack();
    const lines: string[] = [];
    await containedTeardown(stack, (line) => lines.push(line), undefined, docker);
    expect(calls.every((call) => call.includes("inspect"))).toBe(true);
    expect(imported).toHaveLength(0);
    expect(lines).toEqual([
      "note: the container vp-pr-7-postgres is not labelled with pr-7: destroying resource by resource",
    ]);
  });
});

describe("an up after the containers and volumes are gone", () => {
  const absent = () => undefined;
  const present = (args: readonly string[]) =>
    args[1] === "inspect"
      ? JSON.stringify([
          {
            Config: { Labels: { "vault-platform.stack": "pr-7" } },
            Labels: { "vault-platform.stack": "pr-7" },
          },
        ])
      : "";

  function stackWith(imported: Deployment[]) {
    return {
      name: "pr-7",
      read: async () => deploymentOf(resources()),
      write: async (state: Deployment) => {
        imported.push(state);
      },
    };
  }

  it("drops what lived inside them, so the up creates the environment again", async () => {
    const imported: Deployment[] = [];
    const lines: string[] = [];
    expect(
      await forgetRemovedEnvironment(
        stackWith(imported),
        (line) => lines.push(line),
        undefined,
        absent,
      ),
    ).toBe(true);
    expect(imported[0].deployment.resources).toHaveLength(7);
    expect(lines[0]).toContain("this up creates the environment again");
  });

  it("trusts the state while any of them is still there", async () => {
    const imported: Deployment[] = [];
    let asked = 0;
    // The first object (the server container) is gone, the others are there.
    const some = (args: readonly string[]) => (asked++ === 0 ? undefined : present(args));
    expect(
      await forgetRemovedEnvironment(stackWith(imported), () => undefined, undefined, some),
    ).toBe(false);
    expect(
      await forgetRemovedEnvironment(stackWith(imported), () => undefined, undefined, present),
    ).toBe(false);
    expect(imported).toHaveLength(0);
  });

  it("reads the state as the backend keeps it only when it writes it back", async () => {
    const reads: string[] = [];
    const counted = (imported: Deployment[]) => ({
      ...stackWith(imported),
      read: async () => (reads.push("read"), deploymentOf(resources())),
    });
    const exported = deploymentOf(resources());
    expect(await forgetRemovedEnvironment(counted([]), () => undefined, exported, present)).toBe(
      false,
    );
    expect(reads).toEqual([]);
    const imported: Deployment[] = [];
    expect(
      await forgetRemovedEnvironment(counted(imported), () => undefined, exported, absent),
    ).toBe(true);
    expect(reads).toEqual(["read"]);
    expect(imported).toHaveLength(1);
  });

  it("leaves an environment that is not its own containers' alone", async () => {
    const imported: Deployment[] = [];
    const external = deploymentOf(resources({ [STACK]: { outputs: { serverMode: "external" } } }));
    expect(
      await forgetRemovedEnvironment(stackWith(imported), () => undefined, external, absent),
    ).toBe(false);
    expect(imported).toHaveLength(0);
  });
});
