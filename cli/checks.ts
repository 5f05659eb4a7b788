/**
 * Outside-in checks of a deployed environment: plain HTTP to Vault and `pg` to Postgres, the way
 * an application would use them. Shared by `npm run verify` and the end-to-end tests. Secrets
 * obtained here (secret-ids, tokens, passwords) are never printed.
 */
import pLimit from "p-limit";
import type { LoginMethod } from "./app-logins";
import { checkApp } from "./app-checks";
import { expect, recorder } from "./check-record";
import { auditLogSize, newAuditScan, scanAuditLog } from "./audit-scan";
import { vaultRequest } from "./vault-client";

export { appLogin, freshSecretId, loginTokenVariable } from "./app-logins";
export { databaseCredentials } from "./app-checks";
export { allowedPaths, forbiddenPaths } from "./access-paths";

export { vaultRequest, type VaultTarget } from "./vault-client";

export interface AppUnderTest {
  readonly name: string;
  /** Its ACL policy (the stack output; derived from the name where an older stack lacks it). */
  readonly policy?: string;
  /** AppRole role_id (apps that log in with AppRole). */
  readonly roleId?: string;
  /** Login methods (default AppRole only). */
  readonly logins?: readonly LoginMethod[];
  readonly kvRead: readonly string[];
  readonly databaseRole?: string;
  readonly databaseAccess?: "readonly" | "readwrite";
  readonly transitKeys: readonly string[];
}

export interface Environment {
  readonly address: string;
  /** An external cluster's addresses: a request fails over to the next (see vaultRequest). */
  readonly addresses?: readonly string[];
  /** The namespace the environment lives in (none: the root). */
  readonly namespace?: string;
  /** PEM of the CA a TLS listener's certificate chains to. */
  readonly caCert?: string;
  /** A token allowed to mint secret-ids (the dev root token, or the provisioning token). */
  readonly adminToken: string;
  readonly mounts: {
    readonly kv: string;
    readonly database: string;
    readonly transit: string;
    readonly approle: string;
    readonly kubernetes?: string;
    readonly jwt?: string;
  };
  /** Tokens an app presents to its JWT and Kubernetes logins (a CI's OIDC token, a pod's). */
  readonly loginTokens?: Readonly<Record<string, Partial<Record<"jwt" | "kubernetes", string>>>>;
  readonly apps: readonly AppUnderTest[];
  readonly postgres: { readonly host: string; readonly port: number; readonly database: string };
  /** Container whose audit log to read, and where the log is inside it (none: external). */
  readonly container?: string;
  /** A raft cluster: every node's container (each active node audits what it served). */
  readonly containers?: readonly string[];
  readonly auditLogPath?: string;
  /** A table in postgres.database that readwrite may write and readonly may not. */
  readonly probeTable?: string;
}

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Could not run here (e.g. no token for a login): not a pass, not a failure. */
  readonly skipped?: boolean;
}

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
