/**
 * The dynamic providers (init/unseal, provisioner token, lifecycle calls) against a fake Vault
 * API on 127.0.0.1: the calls they make, in order, and what they keep in state.
 */
import { provisionerProvider } from "../../infra/bootstrap";
import { initProvider, SEALED_WITH_PGP_KEYS } from "../../infra/server-init";
import { keysetFingerprint } from "../../infra/server-keys";
import { vaultRequestProvider } from "../../infra/vault-request";
import { FakeVault } from "./fake-vault";

let vault: FakeVault;
beforeEach(async () => {
  vault = new FakeVault();
  await vault.start();
});
afterEach(() => vault.stop());

describe("ServerInit provider", () => {
  it("initializes once, unseals with the threshold of keys and keeps keys and root token", async () => {
    const inputs = { address: vault.address, secretShares: 3, secretThreshold: 2 };
    const result = await initProvider.create(inputs);
    expect(result.outs).toEqual({
      ...inputs,
      unsealKeys: ["k1", "k2", "k3"],
      rootToken: "root-1",
      keyset: keysetFingerprint(["k1", "k2", "k3"]),
    });
    expect(result.outs?.keyset).toMatch(/^[0-9a-f]{16}$/);
    expect(vault.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET sys/init",
      "PUT sys/init",
      "PUT sys/unseal",
      "PUT sys/unseal",
    ]);
    expect(vault.calls[1].body).toEqual({ secret_shares: 3, secret_threshold: 2 });
    expect(vault.calls.slice(2).map((c) => c.body?.key)).toEqual(["k1", "k2"]);
  });

  it("with PGP keys: has the keys encrypted to their holders and unseals nothing itself", async () => {
    const inputs = {
      address: vault.address,
      secretShares: 3,
      secretThreshold: 2,
      pgpKeys: ["pgp-1", "pgp-2", "pgp-3"],
    };
    const result = await initProvider.create(inputs);
    expect(result.outs).toEqual({
      ...inputs,
      unsealKeys: ["k1", "k2", "k3"],
      rootToken: "root-1",
      keyset: keysetFingerprint(["k1", "k2", "k3"]),
    });
    expect(vault.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET sys/init",
      "PUT sys/init",
    ]);
    expect(vault.calls[1].body).toEqual({
      secret_shares: 3,
      secret_threshold: 2,
      pgp_keys: ["pgp-1", "pgp-2", "pgp-3"],
    });
    expect(vault.sealed).toBe(true);
    // Sealed later (or still): the up stops and says who can unseal.
    await expect(initProvider.update!("initialized", result.outs!, inputs)).rejects.toThrow(
      SEALED_WITH_PGP_KEYS,
    );
    expect(vault.calls.filter((c) => c.path === "sys/unseal")).toEqual([]);
  });

  it("in a raft cluster: unseals each follower once it has joined, then waits for a leader", async () => {
    const follower = new FakeVault();
    await follower.start();
    follower.initialized = true;
    follower.joinAfter = 2;
    try {
      const inputs = {
        address: vault.address,
        secretShares: 3,
        secretThreshold: 2,
        peers: [follower.address],
      };
      const result = await initProvider.create(inputs);
      expect(result.outs).toMatchObject({ peers: [follower.address] });
      expect(vault.sealed).toBe(false);
      expect(follower.sealed).toBe(false);
      // Each attempt starts afresh; refused twice (not joined yet), then taken (this fake opens
      // at the first key a joined node takes).
      expect(follower.calls.filter((c) => c.path === "sys/unseal").map((c) => c.body)).toEqual([
        { reset: true },
        { key: "k1" },
        { reset: true },
        { key: "k1" },
        { reset: true },
        { key: "k1" },
      ]);
      expect(vault.calls.map((c) => `${c.method} ${c.path}`).slice(-1)).toEqual(["GET sys/leader"]);

      // A restarted follower is a change; the update unseals it and nothing else.
      follower.sealed = true;
      follower.calls = [];
      expect((await initProvider.diff!("initialized", result.outs!, inputs)).changes).toBe(true);
      await initProvider.update!("initialized", result.outs!, inputs);
      expect(follower.sealed).toBe(false);
      expect((await initProvider.diff!("initialized", result.outs!, inputs)).changes).toBe(false);
    } finally {
      await follower.stop();
    }
  });

  it("refuses a server that is already initialized (its keys are not in the stack)", async () => {
    vault.initialized = true;
    await expect(
      initProvider.create({ address: vault.address, secretShares: 1, secretThreshold: 1 }),
    ).rejects.toThrow("the server is already initialized");
  });

  it("sees a sealed server as a change and unseals it on update", async () => {
    const state = {
      address: vault.address,
      secretShares: 3,
      secretThreshold: 2,
      unsealKeys: ["k1", "k2", "k3"],
      rootToken: "root-1",
    };
    const inputs = { address: vault.address, secretShares: 3, secretThreshold: 2 };
    expect((await initProvider.diff!("initialized", state, inputs)).changes).toBe(true);
    const updated = await initProvider.update!("initialized", state, inputs);
    // Strict: an undefined value in outs breaks the engine's serialization. A state from before
    // key sets had fingerprints gains one.
    expect(updated.outs).toStrictEqual({
      ...state,
      keyset: keysetFingerprint(["k1", "k2", "k3"]),
    });
    expect(vault.sealed).toBe(false);
    expect((await initProvider.diff!("initialized", state, inputs)).changes).toBe(false);
  });

  it("leaves a server alone whose seal status it cannot read", async () => {
    vault.failWith = 500;
    vault.initialized = false;
    await expect(
      initProvider.update!(
        "initialized",
        { address: vault.address, secretShares: 1, secretThreshold: 1, unsealKeys: ["k"] },
        { address: vault.address, secretShares: 1, secretThreshold: 1 },
      ),
    ).resolves.toBeDefined();
  });
});

describe("ProvisionerToken provider", () => {
  const args = () => ({
    address: vault.address,
    rootToken: "root-1",
    policyName: "vault-platform-admin",
    policy: 'path "sys/mounts" {}',
  });

  it("stops at a sealed server, saying who can unseal it, before sending anything", async () => {
    await expect(provisionerProvider.create(args())).rejects.toThrow(
      "the server is initialized but sealed: its key holders unseal it",
    );
    expect(vault.calls.map((c) => `${c.method} ${c.path}`)).toEqual(["GET sys/seal-status"]);
  });

  it("writes the policy and creates a periodic orphan token with the root token", async () => {
    vault.sealed = false;
    const result = await provisionerProvider.create(args());
    expect(result.outs?.token).toBe("provisioner-1");
    expect(vault.calls.map((c) => `${c.method} ${c.path} ${c.token}`)).toEqual([
      "GET sys/seal-status undefined",
      "PUT sys/policies/acl/vault-platform-admin root-1",
      "POST auth/token/create-orphan root-1",
    ]);
    expect(vault.calls[2].body).toEqual({
      policies: ["vault-platform-admin"],
      no_default_policy: true,
      renewable: true,
      period: "768h",
      display_name: "vault-platform-provisioner",
    });
  });

  it("rewrites a changed policy with the provisioner token (root may be revoked)", async () => {
    const old = { ...args(), token: "provisioner-1" };
    const next = { ...args(), rootToken: "revoked", policy: 'path "sys/audit" {}' };
    expect((await provisionerProvider.diff!("x", old, next)).changes).toBe(true);
    const result = await provisionerProvider.update!("x", old, next);
    expect(result.outs).toMatchObject({ token: "provisioner-1", rootToken: "root-1" });
    expect(vault.calls.filter((c) => c.method !== "GET")).toEqual([
      {
        method: "PUT",
        path: "sys/policies/acl/vault-platform-admin",
        token: "provisioner-1",
        body: { policy: 'path "sys/audit" {}' },
      },
    ]);
  });

  it("shows no change while the token has more than half its period left", async () => {
    const old = { ...args(), token: "provisioner-1" };
    vault.tokenTtl = 400 * 3600;
    expect((await provisionerProvider.diff!("x", old, args())).changes).toBe(false);
    expect(vault.calls.map((c) => `${c.method} ${c.path} ${c.token}`)).toEqual([
      "GET auth/token/lookup-self provisioner-1",
    ]);
  });

  it("renews the token once under half its period (an update, nothing else written)", async () => {
    const old = { ...args(), token: "provisioner-1" };
    vault.tokenTtl = 383 * 3600;
    expect((await provisionerProvider.diff!("x", old, args())).changes).toBe(true);
    const result = await provisionerProvider.update!("x", old, args());
    expect(result.outs).toMatchObject({ token: "provisioner-1" });
    expect(vault.calls.map((c) => `${c.method} ${c.path} ${c.token}`)).toEqual([
      "GET auth/token/lookup-self provisioner-1",
      "GET auth/token/lookup-self provisioner-1",
      "POST auth/token/renew-self provisioner-1",
    ]);
    expect(vault.tokenTtl).toBe(768 * 3600);
  });

  it("decides nothing about renewal when the server cannot be asked", async () => {
    const old = { ...args(), token: "provisioner-1" };
    await vault.stop();
    expect((await provisionerProvider.diff!("x", old, args())).changes).toBe(false);
    await vault.start();
  });

  it("deletes its policy and revokes itself; a server already gone is no error", async () => {
    await provisionerProvider.delete!("x", { ...args(), token: "provisioner-1" });
    expect(vault.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "DELETE sys/policies/acl/vault-platform-admin",
      "POST auth/token/revoke-self",
    ]);
    await vault.stop();
    await expect(
      provisionerProvider.delete!("x", { ...args(), token: "provisioner-1" }),
    ).resolves.toBeUndefined();
    await vault.start();
  });
});

describe("VaultRequest provider", () => {
  it("makes its create call on create and its delete call on delete", async () => {
    const state = {
      address: vault.address,
      token: "t",
      onCreate: { method: "DELETE" as const, path: "sys/mounts/secret" },
      onDelete: {
        method: "PUT" as const,
        path: "sys/leases/revoke-prefix/database/creds",
        body: { sync: true },
      },
    };
    await vaultRequestProvider.create(state);
    await vaultRequestProvider.delete!("id", state);
    expect(vault.calls).toEqual([
      { method: "DELETE", path: "sys/mounts/secret", token: "t", body: undefined },
      {
        method: "PUT",
        path: "sys/leases/revoke-prefix/database/creds",
        token: "t",
        body: { sync: true },
      },
    ]);
  });

  it("fails a create call with the status only, and tolerates an unreachable server at delete", async () => {
    vault.failWith = 400;
    const state = {
      address: vault.address,
      token: "t",
      onCreate: { method: "POST" as const, path: "x/y" },
    };
    await expect(vaultRequestProvider.create(state)).rejects.toThrow(
      /^POST x\/y answered HTTP 400$/,
    );
    await vault.stop();
    await expect(
      vaultRequestProvider.delete!("id", { ...state, onDelete: { method: "PUT", path: "a" } }),
    ).resolves.toBeUndefined();
    await expect(vaultRequestProvider.create(state)).rejects.toThrow(
      /^POST x\/y: Vault unreachable/,
    );
    await vault.start();
  });

  it("replaces itself when its calls change and updates in place for a new token", async () => {
    const old = { address: "a", token: "t1", onCreate: { method: "POST" as const, path: "p" } };
    expect(await vaultRequestProvider.diff!("id", old, { ...old, token: "t2" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
    expect(
      (
        await vaultRequestProvider.diff!("id", old, {
          ...old,
          onCreate: { method: "POST", path: "q" },
        })
      ).replaces,
    ).toEqual(["onCreate", "onDelete"]);
    expect(
      (await vaultRequestProvider.update!("id", old, { ...old, token: "t2" })).outs?.token,
    ).toBe("t2");
  });
});
