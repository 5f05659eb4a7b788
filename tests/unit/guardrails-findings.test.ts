import type { ReportViolation } from "@pulumi/policy";
import {
  checkPostgresConnectionTls,
  checkSecretIdUses,
  checkUnsealKeySplit,
  FINDING_RESOURCE_TYPES,
} from "../../guardrails/findings";
import type { CheckedResource } from "../../guardrails/rules";

type Check = (resource: CheckedResource, report: ReportViolation) => void;

function violationsOf(check: Check, type: string, name: string, props: Record<string, unknown>) {
  const messages: string[] = [];
  check({ type, name, props }, (message) => messages.push(message));
  return messages;
}

const url = (sslmode: string) =>
  `postgresql://{{username}}:{{password}}@pg.internal:5432/app?sslmode=${sslmode}`;

describe("findings: weakened but legitimate settings", () => {
  it.each([
    [
      "Postgres without TLS",
      checkPostgresConnectionTls,
      FINDING_RESOURCE_TYPES.databaseConnection,
      { postgresql: { connectionUrl: url("disable") } },
      [
        'database connection "platform-database-connection" talks to Postgres without TLS (sslmode=disable); expected require, verify-ca or verify-full',
      ],
    ],
    [
      "Postgres with TLS",
      checkPostgresConnectionTls,
      FINDING_RESOURCE_TYPES.databaseConnection,
      { postgresql: { connectionUrl: url("verify-full") } },
      [],
    ],
    [
      "secret-ids used 100 times",
      checkSecretIdUses,
      FINDING_RESOURCE_TYPES.approleRole,
      { secretIdNumUses: 100 },
      [
        'AppRole role "platform-database-connection" lets a secret-id be used 100 times; expected fewer than 100',
      ],
    ],
    [
      "secret-ids used 10 times",
      checkSecretIdUses,
      FINDING_RESOURCE_TYPES.approleRole,
      { secretIdNumUses: 10 },
      [],
    ],
    [
      "a single unseal key",
      checkUnsealKeySplit,
      FINDING_RESOURCE_TYPES.serverInit,
      { secretShares: 1, secretThreshold: 1 },
      [
        'server "platform-database-connection" is initialized with a single unseal key (unsealKeyShares = 1); expected the key split between several holders',
      ],
    ],
    [
      "three key shares",
      checkUnsealKeySplit,
      FINDING_RESOURCE_TYPES.serverInit,
      { secretShares: 3, secretThreshold: 2 },
      [],
    ],
  ] as const)("%s", (_case, check, type, props, expected) => {
    expect(violationsOf(check, type, "platform-database-connection", props)).toEqual(expected);
  });

  it("ignores other resources", () => {
    expect(
      violationsOf(checkSecretIdUses, FINDING_RESOURCE_TYPES.serverInit, "x", {
        secretIdNumUses: 500,
      }),
    ).toEqual([]);
  });
});
