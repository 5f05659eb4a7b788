/**
 * Outside-in checks of a deployed environment: plain HTTP to Vault and `pg` to Postgres, the way
 * an application would use them. Shared by `npm run verify` and the end-to-end tests. Secrets
 * obtained here (secret-ids, tokens, passwords) are never printed.
 */
import pLimit from "p-limit";
import { checkApp } from "./app-checks";
import { checkTeam } from "./team-checks";
import { expect, recorder } from "./check-record";
import { auditLogSize, newAuditScan, scanAuditLog } from "./audit-scan";
import type { CheckResult, Environment } from "./environment";
import { vaultRequest } from "./vault-client";

export { appLogin, freshSecretId, loginTokenVariable } from "./app-logins";
export { databaseCredentials } from "./app-checks";
export { allowedPaths, forbiddenPaths } from "./access-paths";

export { vaultRequest, type VaultTarget } from "./vault-client";
export type { AppUnderTest, CheckResult, Environment, LoginMethod } from "./environment";

/** How many apps are checked at once: enough to overlap round trips, few enough for a 2-core host. */
const APP_CONCURRENCY = 8;

/** Runs every check; never throws for a failed check, only records it. */
export async function runChecks(env: Environment): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = recorder(results);

  await record("vault health", async () => {
    // A root-only path: asked without the namespace; a standby of a cluster counts as healthy.
    const health = await vaultRequest(
      { ...env, namespace: undefined },
      "GET",
      "sys/health?standbyok=true&perfstandbyok=true",
    );
    expect(health.status === 200, `sys/health answered HTTP ${health.status}`);
    expect(health.body.initialized && !health.body.sealed, "not initialized or sealed");
    return `initialized, unsealed, version ${health.body.version}`;
  });

  // The audit logs are read from where they end now: what this run writes, whatever came before.
  const auditContainers = env.containers ?? (env.container ? [env.container] : []);
  const auditFrom = env.auditLogPath
    ? await Promise.all(
        auditContainers.map((container) => auditLogSize(container, env.auditLogPath as string)),
      )
    : [];

  // Apps are checked side by side (each on its own logins and tokens), reported in their order.
  const mintedSecrets: string[] = [];
  const limit = pLimit(APP_CONCURRENCY);
  const perApp = await Promise.all(
    env.apps.map((app) => limit(() => checkApp(env, app, mintedSecrets))),
  );
  results.push(...perApp.flat());
  const perTeam = await Promise.all(
    (env.teams ?? []).map((team) => limit(() => checkTeam(env, team))),
  );
  results.push(...perTeam.flat());

  if (env.auditLogPath) {
    const auditLogPath = env.auditLogPath;
    await record("audit log written, values HMAC'd", async () => {
      // In a cluster each node logs what it served itself (standbys forward to the active one);
      // a node that never served a request has no log file yet (Vault opens it on first use).
      const scan = newAuditScan(env.mounts.approle, mintedSecrets);
      for (const [index, container] of auditContainers.entries()) {
        const mayBeAbsent = auditContainers.length > 1;
        await scanAuditLog(container, auditLogPath, scan, mayBeAbsent, auditFrom[index]);
      }
      expect(scan.entries > 0, "the audit log is empty");
      expect(scan.approleLogin, "no AppRole login in the audit log");
      expect(scan.hmac, "no HMAC'd value in the audit log");
      expect(!scan.leaked, "a token or password appears in plain text in the audit log");
      return `${scan.entries} entries written by these checks; logins recorded; no token or password in plain text`;
    });
  }
  return results;
}

export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.check.length));
  const lines = results.map(
    (result) =>
      `${result.skipped ? "SKIP" : result.ok ? "PASS" : "FAIL"}  ${result.check.padEnd(width)}  ${result.detail}`,
  );
  const skipped = results.filter((result) => result.skipped).length;
  const failed = results.filter((result) => !result.ok && !result.skipped).length;
  lines.push(
    `${results.length - failed - skipped} passed, ${failed} failed${skipped > 0 ? `, ${skipped} not run` : ""}`,
  );
  return lines.join("\n");
}
