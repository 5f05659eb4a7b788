/**
 * Reads an audit log out of its container as a stream, line by line (one JSON entry each), so a
 * log of any size is checked without holding it in memory: how many entries, whether an AppRole
 * login and HMAC'd values are there, and whether any secret the checks obtained appears in it.
 */
import { spawn } from "child_process";
import { createInterface } from "readline";

export interface AuditScan {
  entries: number;
  approleLogin: boolean;
  hmac: boolean;
  leaked: boolean;
  readonly loginPath: string;
  readonly secrets: readonly string[];
}

export function newAuditScan(approleMount: string, secrets: readonly string[]): AuditScan {
  return {
    entries: 0,
    approleLogin: false,
    hmac: false,
    leaked: false,
    loginPath: `auth/${approleMount}/login`,
    secrets,
  };
}

/** Takes one line of an audit log into the scan. */
export function scanLine(scan: AuditScan, line: string): void {
  if (line.trim() === "") {
    return;
  }
  scan.entries += 1;
  scan.approleLogin ||= line.includes(scan.loginPath);
  scan.hmac ||= line.includes("hmac-sha256:");
  scan.leaked ||= scan.secrets.some((secret) => line.includes(secret));
}

/**
 * Streams `cat <path>` inside the container through the scan. `mayBeAbsent`: a cluster node that
 * never served a request has no log file yet, which is not an error.
 */
export function scanAuditLog(
  container: string,
  path: string,
  scan: AuditScan,
  mayBeAbsent: boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", ["exec", container, "cat", path], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (line) =>
      scanLine(scan, line),
    );
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 || (mayBeAbsent && /No such file/.test(stderr))) {
        resolve();
      } else {
        reject(new Error(`reading the audit log of ${container} failed: ${stderr.trim()}`));
      }
    });
  });
}
