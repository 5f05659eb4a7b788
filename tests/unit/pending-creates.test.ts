import * as fs from "fs";
import * as path from "path";
import {
  describeAdoption,
  pendingCreates,
  withPendingResolved,
} from "../../cli/recovery/pending-creates";
import type { Deployment } from "../../cli/recovery/state-graph";

const STACK = "urn:pulumi:pr-7::vault-platform";
const PROVIDER = `${STACK}::pulumi:providers:postgresql::platform-postgres-admin::4a1c`;
const VAULT = `${STACK}::pulumi:providers:vault::platform-vault::9e02`;

/** A pending operation as the file backend's checkpoint keeps it after a kill -9. */
function creating(type: string, name: string, inputs: Record<string, unknown>, provider: string) {
  return {
    type: "creating",
    resource: {
      urn: `${STACK}::vaultplatform:index:Platform$${type}::${name}`,
      custom: true,
      type,
      inputs,
      parent: `${STACK}::vaultplatform:index:Platform::platform`,
      provider,
      dependencies: [`${STACK}::random:index/randomPassword:RandomPassword::${name}-password`],
      propertyDependencies: {},
      created: "2026-12-03T17:20:01.123Z",
      modified: "2026-12-03T17:20:01.123Z",
    },
  };
}

const recorded = {
  urn: `${STACK}::random:index/randomPassword:RandomPassword::platform-database-vault-role-password`,
  custom: true,
  id: "none",
  type: "random:index/randomPassword:RandomPassword",
};

const checkpoint: Deployment = {
  version: 3,
  deployment: {
    manifest: { time: "2026-12-03T17:20:01Z", magic: "", version: "v3.259.0" },
    resources: [recorded],
    pending_operations: [
      creating(
        "postgresql:index/role:Role",
        "platform-database-readonly",
        { name: "vp_pr_7_readonly", login: false },
        PROVIDER,
      ),
      creating(
        "postgresql:index/database:Database",
        "platform-database-db",
        { name: "vp_pr_7" },
        PROVIDER,
      ),
      creating(
        "postgresql:index/grant:Grant",
        "platform-database-readonly-tables",
        { role: "vp_pr_7_readonly", database: "vp_pr_7", objectType: "table" },
        PROVIDER,
      ),
      creating(
        "vault:index/mount:Mount",
        "platform-database-mount",
        { path: "database/", type: "database" },
        VAULT,
      ),
      creating(
        "vault:index/authBackend:AuthBackend",
        "platform-approle",
        { type: "approle" },
        VAULT,
      ),
      creating(
        "vault:appRole/authBackendRole:AuthBackendRole",
        "platform-approle-orders",
        { backend: "approle", roleName: "orders", localSecretIds: false },
        VAULT,
      ),
      creating("vault:index/policy:Policy", "platform-app-orders", { name: "app-orders" }, VAULT),
      creating(
        "docker:index/container:Container",
        "platform-server-container",
        { name: "vp-pr-7-vault" },
        `${STACK}::pulumi:providers:docker::default_5_0_0::1c2d`,
      ),
      { type: "updating", resource: { ...recorded } },
    ],
  },
};

describe("pending creates: adopt what fails when it exists, remove Docker's, forget the rest", () => {
  it.each([
    [
      "postgresql:index/role:Role",
      "role vp_pr_7_readonly",
      { action: "adopt", id: "vp_pr_7_readonly" },
    ],
    ["postgresql:index/database:Database", "database vp_pr_7", { action: "adopt", id: "vp_pr_7" }],
    [
      "postgresql:index/grant:Grant",
      "platform-database-readonly-tables (postgresql:index/grant:Grant)",
      { action: "clear" },
    ],
    ["vault:index/mount:Mount", "mount database", { action: "adopt", id: "database" }],
    [
      "vault:index/authBackend:AuthBackend",
      "auth method approle",
      { action: "adopt", id: "approle" },
    ],
    [
      "vault:appRole/authBackendRole:AuthBackendRole",
      "AppRole role auth/approle/role/orders",
      { action: "adopt", id: "auth/approle/role/orders" },
    ],
    [
      "vault:index/policy:Policy",
      "platform-app-orders (vault:index/policy:Policy)",
      { action: "clear" },
    ],
    [
      "docker:index/container:Container",
      "container vp-pr-7-vault",
      { action: "remove", object: { kind: "container", name: "vp-pr-7-vault" } },
    ],
  ])("%s: %s", (type, object, resolution) => {
    const create = pendingCreates(checkpoint).find((each) => each.type === type);
    expect(create?.object).toBe(object);
    expect(create?.resolution).toEqual(resolution);
  });

  it("lists creates only", () => {
    expect(pendingCreates(checkpoint)).toHaveLength(8);
    expect(pendingCreates({ deployment: {} })).toEqual([]);
  });

  it("an adoptable type without a name is forgotten, not adopted under a guessed ID", () => {
    const [create] = pendingCreates({
      deployment: {
        pending_operations: [creating("postgresql:index/role:Role", "r", {}, PROVIDER)],
      },
    });
    expect(create.resolution).toEqual({ action: "clear" });
  });

  it("puts the adopted ones into the state with their ID, after what they depend on", () => {
    const resolved = withPendingResolved(checkpoint);
    expect(resolved.deployment.pending_operations).toEqual([]);
    const resources = resolved.deployment.resources ?? [];
    expect(resources.map((resource) => resource.urn.split("::").pop())).toEqual([
      "platform-database-vault-role-password",
      "platform-database-readonly",
      "platform-database-db",
      "platform-database-mount",
      "platform-approle",
      "platform-approle-orders",
    ]);
    expect(resources[1]).toMatchObject({
      id: "vp_pr_7_readonly",
      provider: PROVIDER,
      parent: `${STACK}::vaultplatform:index:Platform::platform`,
      inputs: { name: "vp_pr_7_readonly", login: false },
      outputs: { name: "vp_pr_7_readonly", login: false, id: "vp_pr_7_readonly" },
    });
    expect(resolved.deployment.manifest).toEqual(checkpoint.deployment.manifest);
  });

  it("says per object whether the refresh found it", () => {
    const adopted = pendingCreates(checkpoint).filter(
      (create) => create.resolution.action === "adopt",
    );
    const refreshed = withPendingResolved(checkpoint);
    const found = {
      deployment: {
        resources: (refreshed.deployment.resources ?? []).filter(
          (resource) => !resource.urn.endsWith("platform-database-db"),
        ),
      },
    };
    expect(describeAdoption(adopted, found)).toEqual([
      "adopted role vp_pr_7_readonly created by the interrupted run",
      "database vp_pr_7: the interrupted run had not created it; this up creates it",
      "adopted mount database created by the interrupted run",
      "adopted auth method approle created by the interrupted run",
      "adopted AppRole role auth/approle/role/orders created by the interrupted run",
    ]);
  });
});

describe("a checkpoint a kill -9 left (npm run up of a pr stack, killed as it created Postgres roles)", () => {
  // tests/fixtures/checkpoint-pending-creates.json: the stack's checkpoint as the file backend
  // wrote it, resources cut to their links, stack traces and the dynamic provider's code elided.
  const killed = JSON.parse(
    fs.readFileSync(
      path.join(__dirname, "..", "fixtures", "checkpoint-pending-creates.json"),
      "utf8",
    ),
  ) as Deployment;

  it("resolves each pending create", () => {
    expect(
      pendingCreates(killed).map((create) => [create.object, create.resolution.action]),
    ).toEqual([
      ["role vp_pr_981_readonly", "adopt"],
      ["database vp_pr_981", "adopt"],
      ["role vp_pr_981_readwrite", "adopt"],
      ["platform-database-vault-password (random:index/randomPassword:RandomPassword)", "clear"],
      ["platform-kv-release-dev-mount (pulumi-nodejs:dynamic/vaultplatform:VaultRequest)", "clear"],
    ]);
  });

  it("adopts under their names, with their provider and parent, and clears the operations", () => {
    const resolved = withPendingResolved(killed);
    const recorded = killed.deployment.resources ?? [];
    const added = (resolved.deployment.resources ?? []).slice(recorded.length);
    expect(added.map((resource) => [resource.type, (resource as { id?: string }).id])).toEqual([
      ["postgresql:index/role:Role", "vp_pr_981_readonly"],
      ["postgresql:index/database:Database", "vp_pr_981"],
      ["postgresql:index/role:Role", "vp_pr_981_readwrite"],
    ]);
    const urns = new Set(recorded.map((resource) => resource.urn));
    for (const resource of added) {
      expect(urns.has(resource.parent as string)).toBe(true);
      expect(urns.has((resource.provider as string).split("::").slice(0, -1).join("::"))).toBe(
        true,
      );
    }
    expect(resolved.deployment.pending_operations).toEqual([]);
  });
});
