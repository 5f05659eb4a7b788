import {
  RESOURCE_TYPES,
  checkDataResourceProtected,
  checkTransitKey,
} from "../../guardrails/rules";
import { ResourceUnderTest, validationArgs } from "./guardrails-harness";
import { approleRole, transitKey, violationsOf } from "./guardrails-fixtures";

describe("policy transit-key-hardened", () => {
  const key = 'transit key "platform-transit-orders"';

  it.each<[string, ResourceUnderTest, string[]]>([
    ["a key as staging and prod create it", transitKey(), []],
    [
      "a key as dev and ephemeral stacks create it",
      transitKey({ deletionAllowed: true }),
      [
        `${key}: deletionAllowed is true; expected false (deleting a key makes everything encrypted with it unreadable)`,
      ],
    ],
    [
      "a key whose material can leave Vault",
      transitKey({ exportable: true, allowPlaintextBackup: true }),
      [
        `${key}: exportable is true; expected false (key material never leaves Vault)`,
        `${key}: allowPlaintextBackup is true; expected false (a plaintext backup exports the key material)`,
      ],
    ],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkTransitKey, resource)).toEqual(messages);
  });
});

describe("policy data-resources-protected", () => {
  const expected = (kind: string, name: string) =>
    `${kind} "${name}" is not protected; expected the protect option, since deleting or replacing it destroys the data it holds`;
  const resource = (
    type: string,
    name: string,
    props: Record<string, unknown>,
    protect?: boolean,
  ): ResourceUnderTest => ({ type, name, props, protect });

  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "an unprotected KV mount",
      resource(RESOURCE_TYPES.mount, "platform-kv-mount", { path: "secret", type: "kv" }, false),
      [expected("KV mount", "platform-kv-mount")],
    ],
    [
      "an unprotected transit mount",
      resource(
        RESOURCE_TYPES.mount,
        "platform-transit-mount",
        { path: "transit", type: "transit" },
        false,
      ),
      [expected("transit mount", "platform-transit-mount")],
    ],
    [
      "an unprotected transit key",
      { ...transitKey(), protect: false },
      [expected("transit key", "platform-transit-orders")],
    ],
    [
      "an unprotected Postgres database",
      resource(
        RESOURCE_TYPES.postgresDatabase,
        "platform-database-database",
        { name: "vp_dev" },
        false,
      ),
      [expected("Postgres database", "platform-database-database")],
    ],
    [
      "an unprotected Docker volume",
      resource(RESOURCE_TYPES.volume, "platform-server-data", { name: "vp-prod-data" }),
      [expected("Docker volume", "platform-server-data")],
    ],
    [
      "a protected KV mount",
      resource(RESOURCE_TYPES.mount, "platform-kv-mount", { path: "secret", type: "kv" }, true),
      [],
    ],
    ["a protected transit key", { ...transitKey(), protect: true }, []],
    [
      "a protected Docker volume",
      resource(RESOURCE_TYPES.volume, "platform-server-data", { name: "vp-prod-data" }, true),
      [],
    ],
    [
      "an unprotected database mount (credentials are dynamic, nothing to lose)",
      resource(
        RESOURCE_TYPES.mount,
        "platform-database-mount",
        { path: "database", type: "database" },
        false,
      ),
      [],
    ],
    ["an unprotected AppRole role", { ...approleRole(), protect: false }, []],
  ])("%s", (_, checked, messages) => {
    const args = validationArgs(checked);
    expect(violationsOf(checkDataResourceProtected, args)).toEqual(messages);
  });
});
