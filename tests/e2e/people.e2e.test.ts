/**
 * Tier 2: people log in through single sign-on and get their teams' access, on the flavor under
 * test. The test runs the identity provider (tests/e2e/oidc-provider.ts) and drives Vault's
 * browser-less OIDC flow: auth_url -> authorize -> callback. Three teams over four apps: each
 * member reads and writes exactly what the team's access allows and is denied the rest; a user
 * of no team gets no token; verify proves every team and catches a policy widened by hand; an
 * app moving between teams changes both teams' access; a second up changes nothing.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks, vaultRequest } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { accessModelOf, diffAccess } from "../../cli/gitops/access-diff";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { destroyStack } from "../../cli/recovery/destroy";
import { encryptedState } from "../../cli/recovery/encrypted-state";
import {
  dockerLeftovers,
  flavorAndPostgres,
  postgresRoles,
  removeLeftovers,
  secondUp,
  stepTimer,
} from "./helpers";
import { openTestStack } from "./claims";
import { expectSucceeded, npmRun } from "./npm-run";
import { IdpUser, startTestIdp, TestIdp } from "./oidc-provider";
import { E2E_FLAVOR, E2E_IMAGE, requireToolchain } from "./toolchain";

const STACK = `pr-${100 + (process.pid % 800)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-people-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const CLIENT = { id: "vault", secret: `client-secret-${process.pid}` };
const REDIRECT = "http://localhost:8250/oidc/callback";
const { timings, timed } = stepTimer();
let idp: TestIdp;
let stack: Stack;
let destroyed = false;

const APPS = ["orders", "billing", "inventory", "reporting"];
const TEAMS = {
  payments: { groups: ["eng-pay"], apps: ["orders", "billing"], access: "operate" },
  warehouse: { groups: ["eng-wh"], apps: ["inventory"], access: "read" },
  analytics: { groups: ["eng-data"], apps: ["reporting"], access: "read" },
} as const;
const member = (team: keyof typeof TEAMS): IdpUser => ({
  sub: `${team}-member`,
  email: `${team}@example.test`,
  groups: [...TEAMS[team].groups, "everyone"],
});

function teamConfig(
  teams: Record<string, { groups: readonly string[]; apps: readonly string[]; access: string }>,
) {
  return Object.fromEntries(
    Object.entries(teams).flatMap(([name, team], index) => [
      [`vault-platform:teams[${index}].name`, { value: name }],
      [`vault-platform:teams[${index}].access`, { value: team.access }],
      ...team.groups.map((group, i) => [
        `vault-platform:teams[${index}].groups[${i}]`,
        { value: group },
      ]),
      ...team.apps.map((app, i) => [`vault-platform:teams[${index}].apps[${i}]`, { value: app }]),
    ]),
  );
}

beforeAll(async () => {
  await requireToolchain();
  idp = await startTestIdp(CLIENT);
  stack = await openTestStack(opts);
  await stack.setAllConfig(
    {
      ...flavorAndPostgres(),
      ...Object.fromEntries(
        APPS.flatMap((app, index) => [
          [`vault-platform:apps[${index}].name`, { value: app }],
          [`vault-platform:apps[${index}].transitKeys[0]`, { value: app }],
        ]),
      ),
      "vault-platform:apps[0].database": { value: "readwrite" },
      ...teamConfig(TEAMS),
      "vault-platform:people.auth.method": { value: "oidc" },
      "vault-platform:people.auth.discoveryUrl": { value: idp.issuer },
      "vault-platform:people.auth.clientId": { value: CLIENT.id },
      "vault-platform:people.auth.redirectUris[0]": { value: REDIRECT },
      "vault-platform:peopleClientSecret": { value: CLIENT.secret, secret: true },
    },
    true,
  );
}, 120_000);

afterAll(async () => {
  if (!destroyed && stack) {
    await destroyStack(stack, { remove: true }).catch(() => undefined);
    await removeLeftovers(STACK).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
  await idp?.close();
  console.log(`[e2e] people timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

/** Where in a value a text appears in plain: the JSON paths of the strings that hold it. */
function pathsHolding(value: unknown, text: string, at = "$"): string[] {
  if (typeof value === "string") {
    return value.includes(text) ? [at] : [];
  }
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, child]) =>
      pathsHolding(child, text, `${at}.${key}`),
    );
  }
  return [];
}

async function address(): Promise<string> {
  return (await stack.outputs()).vaultAddress.value as string;
}

async function rootToken(): Promise<string> {
  return (await stack.outputs()).rootToken.value as string;
}

/** The OIDC flow as `vault login -method=oidc` runs it, with the test as the browser. */
async function oidcLogin(user: IdpUser): Promise<{ status: number; token?: string }> {
  const vault = await address();
  idp.loginAs(user);
  const start = await vaultRequest(vault, "POST", "auth/oidc/oidc/auth_url", undefined, {
    role: "people",
    redirect_uri: REDIRECT,
  });
  expect(start.status).toBe(200);
  const authorize = await fetch(start.body.data.auth_url as string, { redirect: "manual" });
  expect(authorize.status).toBe(302);
  const back = new URL(authorize.headers.get("location") ?? "");
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
  const callback = await vaultRequest(
    vault,
    "GET",
    `auth/oidc/oidc/callback?state=${back.searchParams.get("state")}&code=${back.searchParams.get("code")}`,
  );
  return { status: callback.status, token: callback.body?.auth?.client_token };
}

const tokens: Record<string, string> = {};

describe(`people and teams through OIDC single sign-on (${E2E_FLAVOR}, ${E2E_IMAGE})`, () => {
  it("goes up with the OIDC mount, a group per team and IdP group, and team policies", async () => {
    const result = await timed("up", () => stack.up({ onOutput: () => undefined }));
    expect(result.summary.result).toBe("succeeded");
    expect(result.outputs.mounts.value.people).toBe("oidc");
    expect(result.outputs.people.value).toEqual({ method: "oidc", path: "oidc", role: "people" });
    expect(Object.keys(result.outputs.teams.value).sort()).toEqual([
      "analytics",
      "payments",
      "warehouse",
    ]);
    // Nothing of the client secret in the outputs or the state's plain text.
    // (`pulumi stack export` as a user runs it: the Automation API's exportStack shows secrets.)
    expect(pathsHolding(await encryptedState(stack).read(), CLIENT.secret)).toEqual([]);
    expect(JSON.stringify(result.outputs)).not.toContain(CLIENT.secret);
    // A value in every app's KV path, to read.
    for (const app of APPS) {
      const written = await vaultRequest(
        await address(),
        "POST",
        `secret/data/${app}/config`,
        await rootToken(),
        { data: { owner: app } },
      );
      expect(written.status).toBe(200);
    }
  }, 600_000);

  it("logs a member of each team in, with the team's policy from its IdP group", async () => {
    for (const team of Object.keys(TEAMS) as (keyof typeof TEAMS)[]) {
      const login = await oidcLogin(member(team));
      expect(`${team}: ${login.status}`).toBe(`${team}: 200`);
      tokens[team] = login.token as string;
      const self = await vaultRequest(
        await address(),
        "GET",
        "auth/token/lookup-self",
        tokens[team],
      );
      expect(self.body.data.identity_policies).toEqual([`team-${team}`]);
      expect(self.body.data.policies).toEqual(["default"]);
    }
    expect(idp.issued()).toBe(3);
  }, 120_000);

  it("gives each member exactly the team's access, and 403 on everything else", async () => {
    const vault = await address();
    const as = (team: string, method: string, apiPath: string, body?: unknown) =>
      vaultRequest(vault, method, apiPath, tokens[team], body).then((answer) => answer.status);
    const mismatches: string[] = [];
    const expectStatus = async (
      team: string,
      method: string,
      apiPath: string,
      status: number,
      body?: unknown,
    ) => {
      const actual = await as(team, method, apiPath, body);
      if (actual !== status) {
        mismatches.push(`${team} ${method} ${apiPath}: HTTP ${actual}, expected ${status}`);
      }
    };
    const write = { data: { changed: "yes" } };
    // payments operates orders and billing.
    await expectStatus("payments", "GET", "secret/data/orders/config", 200);
    await expectStatus("payments", "POST", "secret/data/billing/config", 200, write);
    await expectStatus("payments", "POST", "transit/encrypt/orders", 200, {
      plaintext: Buffer.from("x").toString("base64"),
    });
    await expectStatus("payments", "GET", "database/creds/orders", 200);
    await expectStatus("payments", "GET", "secret/data/inventory/config", 403);
    await expectStatus("payments", "POST", "transit/encrypt/reporting", 403, { plaintext: "eA==" });
    // warehouse reads inventory only.
    await expectStatus("warehouse", "GET", "secret/data/inventory/config", 200);
    await expectStatus("warehouse", "GET", "secret/metadata/inventory?list=true", 200);
    await expectStatus("warehouse", "POST", "secret/data/inventory/config", 403, write);
    await expectStatus("warehouse", "POST", "transit/encrypt/inventory", 403, {
      plaintext: "eA==",
    });
    await expectStatus("warehouse", "GET", "secret/data/orders/config", 403);
    // analytics reads reporting only.
    await expectStatus("analytics", "GET", "secret/data/reporting/config", 200);
    await expectStatus("analytics", "GET", "secret/data/billing/config", 403);
    for (const team of Object.keys(TEAMS)) {
      await expectStatus(team, "GET", "sys/policies/acl", 403);
      await expectStatus(team, "GET", `sys/policies/acl/team-${team}`, 403);
      await expectStatus(team, "GET", "sys/mounts", 403);
      await expectStatus(team, "GET", "auth/approle/role?list=true", 403);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it("gives a user of no mapped IdP group no token", async () => {
    const outsider = await oidcLogin({
      sub: "outsider",
      email: "o@example.test",
      groups: ["everyone"],
    });
    expect(outsider.status).toBeGreaterThanOrEqual(400);
    expect(outsider.token).toBeUndefined();
  }, 60_000);

  it("verify proves every team, then fails naming team and path on a policy widened by hand", async () => {
    const env = await environmentOf(stack);
    const memberCredentials = Object.fromEntries(
      Object.entries(tokens).map(([team, token]) => [team, { token }]),
    );
    const results = await timed("verify", () => runChecks({ ...env, memberCredentials }));
    console.log(`[e2e] people verify\n${formatResults(results)}`);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results.filter((result) => result.check.startsWith("team ")).length).toBe(15);

    const widened = `path "secret/data/*" {\n  capabilities = ["read"]\n}\n`;
    const current = await vaultRequest(
      await address(),
      "GET",
      "sys/policies/acl/team-warehouse",
      await rootToken(),
    );
    await vaultRequest(
      await address(),
      "PUT",
      "sys/policies/acl/team-warehouse",
      await rootToken(),
      {
        policy: `${current.body.data.policy}\n${widened}`,
      },
    );
    const drifted = await runChecks({ ...env, memberCredentials });
    const failed = drifted.filter((result) => !result.ok).map((r) => `${r.check}: ${r.detail}`);
    expect(failed).toEqual([
      "team warehouse: policy in Vault as the stack wrote it: policy team-warehouse was changed outside the program: + secret/data/* read",
      expect.stringMatching(
        /^team warehouse: capabilities as its read access allows: secret\/data\/(orders|billing|reporting)\/\w+: has \["read"\], expected \["deny"\]$/,
      ),
      // Read is allowed now: the probe finds no value (404) where it must be refused.
      expect.stringMatching(
        /^team warehouse: denied other teams' apps and the system paths: GET secret\/data\/(orders|billing|reporting)\/\w+ answered HTTP 404, expected 403$/,
      ),
    ]);

    // An up that reads Vault back first puts the policy back: as a user runs it.
    const npmEnv = {
      ...process.env,
      PULUMI_BACKEND_URL: opts.backendUrl,
      PULUMI_CONFIG_PASSPHRASE_FILE: path.join(stateDir, "passphrase"),
    };
    const refreshed = await timed("npm run up -- --refresh", () =>
      npmRun({ stack: STACK, env: npmEnv }, ["up", "--refresh"]),
    );
    expectSucceeded(refreshed);
    expect(refreshed.output).toMatch(/read \d+ Vault objects back from the server/);
    expect(refreshed.output).not.toContain(CLIENT.secret);
    const again = await runChecks({ ...env, memberCredentials });
    expect(again.filter((result) => !result.ok)).toEqual([]);
  }, 600_000);

  it("moving an app between teams changes both teams' access, and the preview shows it", async () => {
    const before = accessModelOf(PROJECT_ROOT, "vault-platform", STACK);
    await stack.setAllConfig(
      teamConfig({
        ...TEAMS,
        payments: { ...TEAMS.payments, apps: ["orders", "billing", "reporting"] },
        analytics: { ...TEAMS.analytics, apps: ["inventory"] },
      }),
      true,
    );
    const after = accessModelOf(PROJECT_ROOT, "vault-platform", STACK);
    const changes = diffAccess(before, after);
    expect([...new Set(changes.map((change) => change.subject))].sort()).toEqual([
      "team analytics",
      "team payments",
    ]);
    expect(changes).toContainEqual(
      expect.objectContaining({ subject: "team payments", path: "secret/data/reporting/*" }),
    );
    expect(changes).toContainEqual(
      expect.objectContaining({
        subject: "team analytics",
        path: "secret/data/reporting/*",
        removed: ["read"],
      }),
    );
    const preview = await stack.preview();
    expect(preview.changeSummary.update).toBeGreaterThanOrEqual(2);

    await timed("up after the move", () => stack.up({ onOutput: () => undefined }));
    const vault = await address();
    expect(
      (await vaultRequest(vault, "GET", "secret/data/reporting/config", tokens.payments)).status,
    ).toBe(200);
    expect(
      (await vaultRequest(vault, "GET", "secret/data/reporting/config", tokens.analytics)).status,
    ).toBe(403);
    expect(
      (await vaultRequest(vault, "GET", "secret/data/inventory/config", tokens.analytics)).status,
    ).toBe(200);
  }, 600_000);

  it("shows zero changes on a second up, then destroys everything", async () => {
    expect(await timed("second up", () => secondUp(stack))).toEqual({});
    await timed("destroy", () => destroyStack(stack, { remove: true }));
    destroyed = true;
    expect(dockerLeftovers(STACK)).toEqual([]);
    expect(await postgresRoles(`vp_${STACK.replace("-", "_")}`)).toEqual([]);
    expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`))).toBe(false);
  }, 600_000);
});
