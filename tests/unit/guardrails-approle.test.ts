import { checkAppRoleRole } from "../../guardrails/rules";
import type { ResourceUnderTest } from "./guardrails-harness";
import { approleRole, violationsOf } from "./guardrails-fixtures";

describe("policy approle-role-hardened", () => {
  const role = 'AppRole role "platform-approle-orders"';

  it.each<[string, ResourceUnderTest, number, string[]]>([
    ["the prod profile's role", approleRole(), 3600, []],
    [
      "the dev profile's role (no CIDRs, 4h max TTL)",
      approleRole({
        tokenTtl: 3600,
        tokenMaxTtl: 14400,
        secretIdTtl: 86400,
        secretIdNumUses: 10,
        tokenBoundCidrs: undefined,
        secretIdBoundCidrs: undefined,
      }),
      3600,
      [
        `${role}: tokenBoundCidrs is empty; expected the CIDRs its tokens may be used from`,
        `${role}: secretIdBoundCidrs is empty; expected the CIDRs it may log in from`,
        `${role}: tokenMaxTtl is 14400; expected 1 to 3600 seconds (0 or unset: the mount's default)`,
      ],
    ],
    [
      "secret-ids that never expire and log in without limit",
      approleRole({ secretIdTtl: 0, secretIdNumUses: 0 }),
      3600,
      [
        `${role}: secretIdTtl is 0; expected more than 0 seconds (0 or unset: secret-ids never expire)`,
        `${role}: secretIdNumUses is 0; expected at least 1 (0 or unset: a secret-id logs in any number of times)`,
      ],
    ],
    [
      "limits left to Vault's defaults",
      approleRole({
        tokenTtl: undefined,
        tokenMaxTtl: undefined,
        secretIdTtl: undefined,
        secretIdNumUses: undefined,
        tokenBoundCidrs: [],
      }),
      3600,
      [
        `${role}: secretIdTtl is not set; expected more than 0 seconds (0 or unset: secret-ids never expire)`,
        `${role}: secretIdNumUses is not set; expected at least 1 (0 or unset: a secret-id logs in any number of times)`,
        `${role}: tokenBoundCidrs is empty; expected the CIDRs its tokens may be used from`,
        `${role}: tokenTtl is not set; expected 1 to 3600 seconds (0 or unset: the mount's default)`,
        `${role}: tokenMaxTtl is not set; expected 1 to 3600 seconds (0 or unset: the mount's default)`,
      ],
    ],
    [
      "a lower configured maximum",
      approleRole(),
      600,
      [
        `${role}: tokenTtl is 900; expected 1 to 600 seconds (0 or unset: the mount's default)`,
        `${role}: tokenMaxTtl is 3600; expected 1 to 600 seconds (0 or unset: the mount's default)`,
      ],
    ],
    [
      "4h tokens under a configured 4h maximum",
      approleRole({ tokenTtl: 3600, tokenMaxTtl: 14400 }),
      14400,
      [],
    ],
  ])("%s (maximum %i s)", (_, resource, maxTokenTtlSeconds, messages) => {
    expect(
      violationsOf(
        (checked, report) => checkAppRoleRole(checked, report, { maxTokenTtlSeconds }),
        resource,
      ),
    ).toEqual(messages);
  });
});
