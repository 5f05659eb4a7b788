import { buildProfile } from "./contract";
import { recorded } from "./harness";
import { fromRecorded, packViolations } from "./guardrails-harness";

const role = (name: string) => `AppRole role "platform-approle-${name}"`;

describe("the dev profile under the pack", () => {
  it("reports what a dev stack is allowed (advisory there) and staging/prod are not", async () => {
    await buildProfile("dev");
    // Mocks see no resource options, so protect is checked on hand-built resources instead
    // (guardrails-data.test.ts).
    const violations = await packViolations(fromRecorded(recorded), {
      skip: ["data-resources-protected"],
    });
    expect(violations).toEqual(
      [
        'vault-server-not-dev-mode: container "platform-server-container" starts the server with "-dev" (dev mode: in-memory storage, unsealed, root token); expected a server-mode command without dev flags',
        'postgres-connection-tls: database connection "platform-database-connection" talks to Postgres without TLS (sslmode=disable); expected require, verify-ca or verify-full',
        'audit-devices-minimum: the stack has 1 audit device ("file"); expected at least 2, so that one failing device does not block every request',
        ...["orders", "reporting"].flatMap((app) => [
          `approle-role-hardened: ${role(app)}: tokenBoundCidrs is empty; expected the CIDRs its tokens may be used from`,
          `approle-role-hardened: ${role(app)}: secretIdBoundCidrs is empty; expected the CIDRs it may log in from`,
          `approle-role-hardened: ${role(app)}: tokenMaxTtl is 14400; expected 1 to 3600 seconds (0 or unset: the mount's default)`,
          `transit-key-hardened: transit key "platform-transit-${app}": deletionAllowed is true; expected false (deleting a key makes everything encrypted with it unreadable)`,
        ]),
      ].sort(),
    );
  });
});
