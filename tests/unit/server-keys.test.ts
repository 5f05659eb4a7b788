/**
 * Key sets of a server the program initialized (infra/server-keys.ts) and what ServerInit and
 * the provisioner token do with them when the server's data is lost and when a snapshot of
 * older data is restored: against a fake Vault API on 127.0.0.1.
 */
import { provisionerProvider } from "../../infra/bootstrap";
import { initProvider } from "../../infra/server-init";
import {
  EARLIER_KEY_SETS_KEPT,
  KeySet,
  keysetFingerprint,
  keySetsInOrder,
  withCurrent,
} from "../../infra/server-keys";
import { FakeVault } from "./fake-vault";

const set = (n: number): KeySet => ({
  keyset: keysetFingerprint([`key-${n}`]),
  unsealKeys: [`key-${n}`],
  rootToken: `root-${n}`,
});

describe("key sets", () => {
  it("names a key set by a fingerprint of its unseal keys that says nothing of them", () => {
    const fingerprint = keysetFingerprint(["k1", "k2", "k3"]);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(keysetFingerprint(["k1", "k2", "k3"])).toBe(fingerprint);
    expect(keysetFingerprint(["k1", "k2", "k4"])).not.toBe(fingerprint);
    expect(fingerprint).not.toContain("k1");
  });

  it("puts the chosen set first and keeps the others newest first, each once, at most a few", () => {
    expect(keySetsInOrder(set(1), [set(2), set(1), set(3)]).map((s) => s.rootToken)).toEqual([
      "root-1",
      "root-2",
      "root-3",
    ]);
    const earlier = [2, 3, 4, 5, 6, 7].map(set);
    const result = withCurrent(set(3), set(1), earlier);
    expect(result.current.rootToken).toBe("root-3");
    expect(result.earlier.map((s) => s.rootToken)).toEqual([
      "root-1",
      "root-2",
      "root-4",
      "root-5",
      "root-6",
    ]);
    expect(result.earlier).toHaveLength(EARLIER_KEY_SETS_KEPT);
  });
});

let vault: FakeVault;
beforeEach(async () => {
  vault = new FakeVault();
  await vault.start();
});
afterEach(() => vault.stop());

describe("ServerInit after the server's data is lost, and after a restore", () => {
  const inputs = () => ({ address: vault.address, secretShares: 3, secretThreshold: 2 });

  it("initializes an empty server again and keeps the earlier keys", async () => {
    vault.keyring = [];
    const first = await initProvider.create(inputs());
    // The data volume is gone: the new container answers uninitialized (and sealed).
    vault.initialized = false;
    vault.sealed = true;
    expect((await initProvider.diff!("initialized", first.outs!, inputs())).changes).toBe(true);
    const second = await initProvider.update!("initialized", first.outs!, inputs());
    expect(second.outs).toMatchObject({
      unsealKeys: ["m1", "m2", "m3"],
      rootToken: "root-2",
      keyset: keysetFingerprint(["m1", "m2", "m3"]),
      earlierKeys: [
        { keyset: first.outs!.keyset, unsealKeys: ["k1", "k2", "k3"], rootToken: "root-1" },
      ],
    });
    expect(vault.sealed).toBe(false);
    expect((await initProvider.diff!("initialized", second.outs!, inputs())).changes).toBe(false);
  });

  it("waits for a container created by the same up to listen before it decides", async () => {
    vault.keyring = [];
    const first = await initProvider.create(inputs());
    // The data is lost and the new container's server listens only a moment after the diff asks.
    const port = Number(new URL(vault.address).port);
    await vault.stop();
    const late = new FakeVault();
    setTimeout(() => void late.start(port), 1500);
    try {
      expect((await initProvider.diff!("initialized", first.outs!, inputs())).changes).toBe(true);
    } finally {
      await late.stop();
    }
    await vault.start();
  });

  it("unseals restored data with the earlier keys it was sealed with, and takes them as current", async () => {
    vault.keyring = [];
    const first = await initProvider.create(inputs());
    vault.initialized = false;
    const second = (await initProvider.update!("initialized", first.outs!, inputs())).outs!;
    // npm run restore installed a snapshot of the first data: it seals, and opens to k1-k3 only.
    vault.keyring = ["k1", "k2", "k3"];
    vault.tokens = ["root-1"];
    vault.sealed = true;
    vault.calls = [];
    expect((await initProvider.diff!("initialized", second, inputs())).changes).toBe(true);
    const restored = await initProvider.update!("initialized", second, inputs());
    expect(vault.sealed).toBe(false);
    expect(restored.outs).toMatchObject({
      unsealKeys: ["k1", "k2", "k3"],
      rootToken: "root-1",
      keyset: first.outs!.keyset,
      earlierKeys: [{ keyset: second.keyset, rootToken: "root-2" }],
    });
    // The current keys were tried first: the first of them refused, the attempt reset.
    const unseals = vault.calls.filter((c) => c.path === "sys/unseal").map((c) => c.body);
    expect(unseals).toEqual([
      { reset: true },
      { key: "m1" },
      { reset: true },
      { key: "k1" },
      { key: "k2" },
    ]);
    expect((await initProvider.diff!("initialized", restored.outs!, inputs())).changes).toBe(false);
  });

  it("takes the earlier key set back when the unsealed server knows only its root token", async () => {
    vault.keyring = [];
    const first = await initProvider.create(inputs());
    vault.initialized = false;
    const second = (await initProvider.update!("initialized", first.outs!, inputs())).outs!;
    vault.tokens = ["root-1"];
    expect((await initProvider.diff!("initialized", second, inputs())).changes).toBe(true);
    const restored = await initProvider.update!("initialized", second, inputs());
    expect(restored.outs).toMatchObject({ rootToken: "root-1", keyset: first.outs!.keyset });
  });

  it("stops when none of the keys it holds opens the server, naming no key", async () => {
    vault.keyring = [];
    const first = await initProvider.create(inputs());
    vault.keyring = ["x1", "x2", "x3"];
    vault.sealed = true;
    const error = await initProvider.update!("initialized", first.outs!, inputs()).catch(
      (e: Error) => e,
    );
    expect(String(error)).toContain(
      "the server is sealed and none of the unseal keys this stack holds opens it",
    );
    expect(String(error)).not.toMatch(/k1|root-1/);
  });
});

describe("the provisioner token after a restore", () => {
  it("sees a token the server refuses as a change and makes a new one with the current root token", async () => {
    vault.tokens = ["root-1"];
    const old = {
      address: vault.address,
      rootToken: "root-2",
      policyName: "vault-platform-admin",
      policy: 'path "sys/audit" {}',
      token: "provisioner-of-lost-data",
    };
    const next = { ...old, rootToken: "root-1", token: undefined };
    expect((await provisionerProvider.diff!("x", old, next)).changes).toBe(true);
    const result = await provisionerProvider.update!("x", old, next);
    expect(result.outs).toMatchObject({ token: "provisioner-1", rootToken: "root-1" });
    expect(vault.calls.filter((c) => c.method !== "GET").map((c) => [c.path, c.token])).toEqual([
      ["sys/policies/acl/vault-platform-admin", "root-1"],
      ["auth/token/create-orphan", "root-1"],
    ]);
    expect((await provisionerProvider.diff!("x", result.outs!, next)).changes).toBe(false);
  });
});
