/**
 * PGP-encrypted unseal keys: the config accepts one base64 public key per key share (as
 * `gpg --export | base64 -w0` prints it) and nothing else; the program passes them to init; the
 * unseal-keys command lists encrypted keys only.
 */
import * as fs from "fs";
import * as path from "path";
import type { Deployment } from "@pulumi/pulumi/automation";
import { encryptedUnsealKeys } from "../../cli/recovery/unseal-keys";
import { ConfigError, isPgpPublicKey, loadConfig } from "../../stacks/config";
import { TEST_SECRETS, TEST_TRUST_DIR } from "./contract";
import { named, settle, stackConfigSource, useMocks } from "./harness";

const HOLDER = fs
  .readFileSync(path.join(__dirname, "../fixtures/pgp-holder.pub.b64"), "utf8")
  .trim();

describe("isPgpPublicKey", () => {
  it.each([
    ["a key exported by gpg (old packet format)", HOLDER, true],
    [
      "a public-key packet in the new format",
      Buffer.from([0xc6, 0x01, 0x04]).toString("base64"),
      true,
    ],
    ["a secret-key packet", Buffer.from([0x95, 0x01, 0x00]).toString("base64"), false],
    ["ASCII armor", "-----BEGIN PGP PUBLIC KEY BLOCK-----", false],
    ["not base64", "not a key!", false],
    ["plain bytes", Buffer.from("hello").toString("base64"), false],
  ])("%s", (_case, text, expected) => {
    expect(isPgpPublicKey(text as string)).toBe(expected);
  });
});

function problemsOf(
  stack: string,
  server: Record<string, unknown>,
  secrets: Record<string, unknown>,
) {
  try {
    loadConfig(stackConfigSource(stack, { server }, secrets), "vault-platform", stack);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) {
      return [...error.problems];
    }
    throw error;
  }
}

describe("server.unsealPgpKeys", () => {
  const staging = { unsealKeyShares: 2, unsealKeyThreshold: 2 };
  const noToken = { postgresAdminPassword: "pw" };

  it("takes one key per share", () => {
    expect(problemsOf("staging", { ...staging, unsealPgpKeys: [HOLDER, HOLDER] }, noToken)).toEqual(
      [],
    );
  });

  it.each([
    [
      "one key too few",
      { ...staging, unsealPgpKeys: [HOLDER] },
      noToken,
      'vault-platform:server.unsealPgpKeys: expected one key per unseal key share (unsealKeyShares = 2); got "1 key"',
    ],
    [
      "something else than a public key",
      { ...staging, unsealPgpKeys: [HOLDER, "-----BEGIN PGP PUBLIC KEY BLOCK-----"] },
      noToken,
      'vault-platform:server.unsealPgpKeys[1]: expected a base64 PGP public key (gpg --export <key id> | base64 -w0); got "-----BEGIN PGP PUBLIC KEY BLOCK-----"',
    ],
    [
      "a server initialized elsewhere",
      { ...staging, unsealPgpKeys: [HOLDER, HOLDER] },
      { ...noToken, vaultToken: "t" },
      'vault-platform:server.unsealPgpKeys: applies to a server-mode server the program initializes (no dev mode, no vaultToken); got "2 keys"',
    ],
  ])("rejects %s", (_case, server, secrets, message) => {
    expect(problemsOf("staging", server, secrets)).toEqual([message]);
  });

  it("reaches init as pgp keys", async () => {
    await useMocks({ stack: "staging" });
    const { Platform } = await import("../../infra/platform");
    const config = loadConfig(
      stackConfigSource(
        "staging",
        { server: { network: "bridge", ...staging, unsealPgpKeys: [HOLDER, HOLDER] } },
        { seeds: TEST_SECRETS.seeds, postgresAdminPassword: "pw" },
      ),
      "vault-platform",
      "staging",
    );
    new Platform("platform", { config, trustFile: path.join(TEST_TRUST_DIR, "pgp", "ca.pem") });
    await settle();
    expect(named("platform-server-init").inputs).toMatchObject({
      secretShares: 2,
      secretThreshold: 2,
      pgpKeys: [HOLDER, HOLDER],
    });
  });
});

describe("npm run unseal-keys", () => {
  const deployment = (outputs?: Record<string, unknown>): Deployment => ({
    version: 3,
    deployment: {
      resources: [
        { type: "pulumi:pulumi:Stack" },
        ...(outputs ? [{ type: "pulumi-nodejs:dynamic/vaultplatform:ServerInit", outputs }] : []),
      ],
    },
  });
  const secret = (value: unknown) => ({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    plaintext: JSON.stringify(value),
  });

  it("lists the encrypted keys in the order of the holders' public keys", () => {
    expect(
      encryptedUnsealKeys(
        deployment({ pgpKeys: ["p1", "p2"], unsealKeys: secret(["enc-1", "enc-2"]) }),
      ),
    ).toEqual(["enc-1", "enc-2"]);
  });

  it("never lists keys that are not encrypted", () => {
    expect(() => encryptedUnsealKeys(deployment({ unsealKeys: secret(["plain-1"]) }))).toThrow(
      "the unseal keys of this stack are not PGP-encrypted",
    );
    expect(() => encryptedUnsealKeys(deployment())).toThrow(
      "this stack has no server the program initialized",
    );
  });
});
