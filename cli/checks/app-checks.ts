/**
 * The checks of one app, as the app itself would meet its environment: each login method, its
 * KV path, what it is denied, its capabilities, transit round trips and dynamic Postgres
 * credentials. Secrets obtained here are never printed.
 */
import { Client } from "pg";
import {
  capabilitiesMatch,
  forbiddenPaths,
  neighboursOf,
  policyOf,
  PROBED_NEIGHBOURS,
} from "./access-paths";
import { LOGIN_LABELS, loginAs } from "./app-logins";
import { expect, recorder } from "./check-record";
import type { AppUnderTest, CheckResult, Environment } from "./environment";
import { checkCertificates } from "./pki-checks";
import { vaultRequest } from "./vault-client";

export async function databaseCredentials(
  env: Environment,
  token: string,
  role: string,
): Promise<{ username: string; password: string; leaseId: string }> {
  const response = await vaultRequest(env, "GET", `${env.mounts.database}/creds/${role}`, token);
  if (response.status !== 200) {
    throw new Error(
      `reading ${env.mounts.database}/creds/${role} answered HTTP ${response.status}`,
    );
  }
  return {
    username: response.body.data.username,
    password: response.body.data.password,
    leaseId: response.body.lease_id,
  };
}

/**
 * Statements run one after another in one session as the given user: "ok" or the error of each
 * (outside a transaction, one refused statement does not affect the next). A failed login throws.
 */
async function sqlAs(
  env: Environment,
  user: string,
  password: string,
  ...statements: string[]
): Promise<string[]> {
  const client = new Client({ ...env.postgres, user, password, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const outcomes: string[] = [];
    for (const sql of statements) {
      outcomes.push(
        await client.query(sql).then(
          () => "ok",
          (error: Error) => error.message,
        ),
      );
    }
    return outcomes;
  } finally {
    await client.end();
  }
}

function toBase64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** Every check of one app, in order; the tokens it was issued go into `minted`. */
export async function checkApp(
  env: Environment,
  app: AppUnderTest,
  minted: string[],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = recorder(results);
  const mintedSecrets = minted;
  let token: string | undefined;
  for (const method of app.logins ?? ["approle"]) {
    await record(`${app.name}: ${LOGIN_LABELS[method]} login`, async () => {
      const login = await loginAs(env, app, method);
      if ("skipped" in login) {
        return login;
      }
      mintedSecrets.push(login.token);
      const self = await vaultRequest(env, "GET", "auth/token/lookup-self", login.token);
      expect(self.status === 200, `lookup-self answered HTTP ${self.status}`);
      const policies = [...self.body.data.policies].sort();
      expect(
        JSON.stringify(policies) === JSON.stringify([policyOf(app)]),
        `token policies are ${JSON.stringify(policies)}, expected only ${policyOf(app)}`,
      );
      token ??= login.token;
      return `token with policies ${JSON.stringify(policies)}, ttl ${self.body.data.ttl}s`;
    });
  }
  if (token === undefined) {
    return results;
  }
  const appToken = token;

  await record(`${app.name}: reads its KV path`, async () => {
    const path = `${env.mounts.kv}/data/${app.name}/config`;
    const response = await vaultRequest(env, "GET", path, appToken);
    // 404 (no secret there) still proves access: a denied read answers 403.
    expect(
      response.status === 200 || response.status === 404,
      `${path} answered HTTP ${response.status}`,
    );
    return `${path}: HTTP ${response.status}`;
  });

  await record(`${app.name}: denied outside its access`, async () => {
    const denied: string[] = [];
    const probed = neighboursOf(env.apps, app, PROBED_NEIGHBOURS);
    for (const path of forbiddenPaths(env, app, probed)) {
      const method = path.includes("/encrypt/") || path.endsWith("/secret-id") ? "POST" : "GET";
      const response = await vaultRequest(
        env,
        method,
        path,
        appToken,
        method === "POST" ? { plaintext: toBase64("x") } : undefined,
      );
      expect(
        response.status === 403,
        `${method} ${path} answered HTTP ${response.status}, expected 403`,
      );
      denied.push(path);
    }
    return `${denied.length} paths denied (403), ${probed.length} other apps' among them`;
  });

  await record(`${app.name}: capabilities-self matches its access`, () =>
    capabilitiesMatch(env, app, appToken),
  );

  await checkCertificates(env, app, appToken, record);

  for (const key of app.transitKeys) {
    await record(`${app.name}: transit round trip with key ${key}`, async () => {
      const plaintext = `vault-platform check ${Date.now()}`;
      const encrypted = await vaultRequest(
        env,
        "POST",
        `${env.mounts.transit}/encrypt/${key}`,
        appToken,
        {
          plaintext: toBase64(plaintext),
        },
      );
      expect(encrypted.status === 200, `encrypt answered HTTP ${encrypted.status}`);
      const ciphertext = encrypted.body.data.ciphertext as string;
      expect(ciphertext.startsWith("vault:v"), "ciphertext lacks the vault:v<version> prefix");
      const decrypted = await vaultRequest(
        env,
        "POST",
        `${env.mounts.transit}/decrypt/${key}`,
        appToken,
        {
          ciphertext,
        },
      );
      expect(decrypted.status === 200, `decrypt answered HTTP ${decrypted.status}`);
      expect(
        Buffer.from(decrypted.body.data.plaintext, "base64").toString("utf8") === plaintext,
        "round trip changed the text",
      );
      return `encrypted to ${ciphertext.slice(0, 9)}..., decrypted back`;
    });
  }

  if (app.databaseRole) {
    await record(`${app.name}: dynamic Postgres credentials connect`, async () => {
      const creds = await databaseCredentials(env, appToken, app.databaseRole as string);
      mintedSecrets.push(creds.password);
      // One session, as an app holds one: a login costs a password exchange (SCRAM) each.
      const probe = env.probeTable;
      const [select, create, read, insert] = await sqlAs(
        env,
        creds.username,
        creds.password,
        "SELECT 1",
        "CREATE TABLE vp_check_not_allowed (id int)",
        ...(probe
          ? [`SELECT count(*) FROM ${probe}`, `INSERT INTO ${probe} (note) VALUES ('${app.name}')`]
          : []),
      );
      expect(select === "ok", `SELECT 1 failed: ${select}`);
      expect(create !== "ok", "the dynamic user could create a table in schema public");
      let detail = `${creds.username} connected; CREATE TABLE denied`;
      if (probe) {
        expect(read === "ok", `SELECT from ${probe} failed: ${read}`);
        const mayWrite = app.databaseAccess === "readwrite";
        expect(
          (insert === "ok") === mayWrite,
          `INSERT as ${app.databaseAccess}: ${insert === "ok" ? "allowed" : insert}`,
        );
        detail += `; SELECT allowed; INSERT ${mayWrite ? "allowed" : "denied"}`;
      }
      const revoke = await vaultRequest(env, "PUT", "sys/leases/revoke", env.adminToken, {
        lease_id: creds.leaseId,
      });
      expect(
        revoke.status === 204 || revoke.status === 200,
        `revoking the lease answered HTTP ${revoke.status}`,
      );
      const after = await sqlAs(env, creds.username, creds.password, "SELECT 1").then(
        ([outcome]) => outcome,
        (error: Error) => error.message,
      );
      expect(after !== "ok", "credentials still work after the lease was revoked");
      return `${detail}; revoked, login refused after`;
    });
  }
  return results;
}
