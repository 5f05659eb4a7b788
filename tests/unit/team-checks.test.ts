/** verify's checks of a team: pure path tables, and the checks against a fake Vault on 127.0.0.1. */
import * as http from "http";
import type { AddressInfo } from "net";
import type { AppUnderTest, Environment, TeamUnderTest } from "../../cli/checks/environment";
import {
  checkTeam,
  policyDrift,
  teamAllowedPaths,
  teamDeniedPaths,
} from "../../cli/checks/team-checks";
import { renderPolicyHcl, renderTeamPolicy } from "../../infra/acl-policy";

const app = (name: string, extra: Partial<AppUnderTest> = {}): AppUnderTest => ({
  name,
  kvRead: [`${name}/*`],
  transitKeys: [],
  ...extra,
});
const APPS = [
  app("orders", { databaseRole: "orders", transitKeys: ["orders"] }),
  app("billing", { kvWrite: ["billing/ledger"] }),
  app("reporting", { kvRead: ["reporting/*", "orders/*"] }),
];
const DOCUMENT = renderTeamPolicy({
  name: "payments",
  access: "operate",
  apps: [
    {
      name: "orders",
      kv: { mount: "secret", read: ["orders/*"], write: [] },
      database: { mount: "database", role: "orders" },
      transit: { mount: "transit", keys: ["orders"] },
    },
  ],
});
const PAYMENTS: TeamUnderTest = {
  name: "payments",
  policy: "team-payments",
  document: DOCUMENT,
  groups: ["eng-pay", "pay-oncall"],
  apps: ["orders"],
  access: "operate",
};
const ANALYTICS: TeamUnderTest = {
  ...PAYMENTS,
  name: "analytics",
  policy: "team-analytics",
  apps: ["reporting"],
  access: "read",
};

function environment(address = "http://127.0.0.1:9", member?: string): Environment {
  return {
    address,
    adminToken: "admin",
    mounts: {
      kv: "secret",
      database: "database",
      transit: "transit",
      approle: "approle",
      people: "people",
    },
    apps: APPS,
    teams: [PAYMENTS, ANALYTICS],
    people: { method: "jwt", role: "people" },
    memberCredentials: member ? { payments: { jwt: member } } : {},
    postgres: { host: "127.0.0.1", port: 5432, database: "app" },
  };
}

describe("what a team's member must be allowed and denied", () => {
  it("operate: the apps' KV values and metadata, database credentials and transit keys", () => {
    expect(teamAllowedPaths(environment(), PAYMENTS)).toEqual({
      "secret/data/orders/probe": ["create", "read", "update", "delete"],
      "secret/metadata/orders/probe": ["read", "list"],
      "database/creds/orders": ["read"],
      "transit/encrypt/orders": ["update"],
    });
  });

  it("read: the apps' KV values and metadata only; their credentials and keys are denied", () => {
    expect(teamAllowedPaths(environment(), ANALYTICS)).toEqual({
      "secret/data/reporting/probe": ["read"],
      "secret/metadata/reporting/probe": ["read", "list"],
      "secret/data/orders/probe": ["read"],
      "secret/metadata/orders/probe": ["read", "list"],
    });
    expect(teamDeniedPaths(environment(), ANALYTICS)).toEqual([
      "sys/mounts",
      "sys/policies/acl",
      "sys/policies/acl/team-analytics",
      "identity/group",
      "auth/approle/role",
      // orders/* is reporting's too: not denied to the team that owns reporting.
      "secret/data/billing/probe",
      "secret/data/billing/ledger",
      "database/creds/orders",
      "transit/encrypt/orders",
    ]);
  });

  it("names what a policy changed by hand gained and lost", () => {
    const widened = `${DOCUMENT}\npath "secret/data/*" {\n  capabilities = ["read"]\n}\n`;
    expect(policyDrift(DOCUMENT, widened)).toEqual(["+ secret/data/* read"]);
    expect(
      policyDrift(DOCUMENT, renderPolicyHcl([{ path: "x", capabilities: ["read"] }])),
    ).toContain("- transit/encrypt/orders update");
    expect(policyDrift(DOCUMENT, DOCUMENT)).toEqual([]);
  });
});

/** A fake Vault: the policy as `stored`, the team's groups, and a member's token. */
async function fakeVault(stored: string, capabilities: Record<string, string[]>) {
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const url = request.url ?? "";
      const json = body ? JSON.parse(body) : {};
      const answer = (status: number, data: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(JSON.stringify(data));
      };
      if (
        url === "/v1/sys/policies/acl/team-payments" &&
        request.headers["x-vault-token"] === "admin"
      ) {
        return answer(200, { data: { policy: stored } });
      }
      if (url === "/v1/identity/group/name/team-payments") {
        return answer(200, {
          data: { policies: ["team-payments"], member_group_ids: ["g1", "g2"] },
        });
      }
      if (url === "/v1/sys/auth") {
        return answer(200, { data: { "people/": { accessor: "auth_jwt_1" } } });
      }
      if (url === "/v1/identity/lookup/group") {
        const id = { "eng-pay": "g1", "pay-oncall": "g2" }[json.alias_name as string];
        return json.alias_mount_accessor === "auth_jwt_1" && id
          ? answer(200, { data: { id } })
          : answer(204, {});
      }
      if (url === "/v1/auth/people/login") {
        return json.jwt === "member-jwt" && json.role === "people"
          ? answer(200, { auth: { client_token: "member-token" } })
          : answer(400, { errors: ["invalid JWT"] });
      }
      if (request.headers["x-vault-token"] !== "member-token") {
        return answer(403, { errors: ["permission denied"] });
      }
      if (url === "/v1/auth/token/lookup-self") {
        return answer(200, {
          data: { policies: ["default"], identity_policies: ["team-payments"] },
        });
      }
      if (url === "/v1/sys/capabilities-self") {
        return answer(200, {
          data: Object.fromEntries(
            (json.paths as string[]).map((path) => [path, capabilities[path] ?? ["deny"]]),
          ),
        });
      }
      return answer(403, { errors: ["permission denied"] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const GRANTED = {
  "secret/data/orders/probe": ["create", "read", "update", "delete", "patch"],
  "secret/metadata/orders/probe": ["read", "list"],
  "database/creds/orders": ["read"],
  "transit/encrypt/orders": ["update"],
};

describe("checkTeam against a fake Vault", () => {
  it("passes a team whose policy, groups and member access are as declared", async () => {
    const vault = await fakeVault(DOCUMENT, GRANTED);
    try {
      const results = await checkTeam(environment(vault.address, "member-jwt"), PAYMENTS);
      expect(results.map((result) => [result.check, result.ok])).toEqual([
        ["team payments: policy in Vault as the stack wrote it", true],
        ["team payments: identity group maps its IdP groups", true],
        ["team payments: a member logs in with the team's policy", true],
        ["team payments: capabilities as its operate access allows", true],
        ["team payments: denied other teams' apps and the system paths", true],
      ]);
      expect(JSON.stringify(results)).not.toContain("member-token");
    } finally {
      await vault.close();
    }
  });

  it("fails naming the team and the path when the policy was widened by hand", async () => {
    const widened = `${DOCUMENT}\npath "secret/data/*" {\n  capabilities = ["read"]\n}\n`;
    const vault = await fakeVault(widened, { ...GRANTED, "secret/data/billing/probe": ["read"] });
    try {
      const results = await checkTeam(environment(vault.address, "member-jwt"), PAYMENTS);
      const failed = results.filter((result) => !result.ok).map((r) => `${r.check}: ${r.detail}`);
      expect(failed).toEqual([
        "team payments: policy in Vault as the stack wrote it: policy team-payments was changed outside the program: + secret/data/* read",
        'team payments: capabilities as its operate access allows: secret/data/billing/probe: has ["read"], expected ["deny"]',
      ]);
    } finally {
      await vault.close();
    }
  });

  it("says what is missing where no member credential is given, and does not pass it", async () => {
    const vault = await fakeVault(DOCUMENT, GRANTED);
    try {
      const results = await checkTeam(environment(vault.address), PAYMENTS);
      const login = results.find((result) => result.check.includes("a member logs in"));
      expect(login).toEqual({
        check: "team payments: a member logs in with the team's policy",
        ok: false,
        skipped: true,
        detail:
          "no credential of a member: set VAULT_PLATFORM_PEOPLE_JWT_PAYMENTS (a JWT, for a jwt login) or VAULT_PLATFORM_PEOPLE_TOKEN_PAYMENTS (a token from vault login -method=oidc)",
      });
      expect(results).toHaveLength(3);
    } finally {
      await vault.close();
    }
  });
});
