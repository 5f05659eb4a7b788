/**
 * Reads an audit log out of its container as a stream, line by line (one JSON entry each), so a
 * log of any size is checked without holding it in memory: how many entries, whether an AppRole
 * login and HMAC'd values are there, and whether any secret the checks obtained appears in it.
 */
import { execFile, spawn } from "child_process";
import { promisify } from "util";
import { createInterface } from "readline";

export interface AuditScan {
  entries: number;
  approleLogin: boolean;
  hmac: boolean;
  leaked: boolean;
  readonly loginPath: string;
  readonly secrets: SecretIndex;
}

/**
 * Secrets indexed by a hash of their last KEY characters (random in tokens, unlike their
 * prefixes), so a line is searched for all of them in one pass: a rolling hash of every KEY-long
 * window of the line is looked up, without cutting the line into substrings, and only a window
 * whose hash matches is compared in full.
 */
interface SecretIndex {
  readonly byEnd: ReadonlyMap<number, readonly string[]>;
  readonly short: readonly string[];
}

const KEY = 8;
const BASE = 31;
/** BASE^(KEY-1) mod 2^32: the weight of the character leaving the window. */
const LEAVING = Array.from({ length: KEY - 1 }).reduce<number>(
  (power) => Math.imul(power, BASE),
  1,
);

/** The hash of text[from, from + KEY), mod 2^32. */
function windowHash(text: string, from: number): number {
  let hash = 0;
  for (let i = from; i < from + KEY; i++) {
    hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
  }
  return hash;
}

function indexSecrets(secrets: readonly string[]): SecretIndex {
  const byEnd = new Map<number, string[]>();
  const short: string[] = [];
  for (const secret of secrets) {
    if (secret.length < KEY) {
      short.push(secret);
      continue;
    }
    const end = windowHash(secret, secret.length - KEY);
    byEnd.set(end, [...(byEnd.get(end) ?? []), secret]);
  }
  return { byEnd, short };
}

/** Whether any of the secrets occurs in the line. */
export function containsSecret(line: string, index: SecretIndex): boolean {
  if (index.short.some((secret) => secret !== "" && line.includes(secret))) {
    return true;
  }
  if (index.byEnd.size === 0 || line.length < KEY) {
    return false;
  }
  let hash = windowHash(line, 0);
  for (let end = KEY; ; end++) {
    const candidates = index.byEnd.get(hash);
    if (candidates?.some((secret) => line.endsWith(secret, end))) {
      return true;
    }
    if (end === line.length) {
      return false;
    }
    // Slide the window one character: drop line[end - KEY], take line[end].
    hash =
      (Math.imul(hash - Math.imul(line.charCodeAt(end - KEY), LEAVING), BASE) +
        line.charCodeAt(end)) |
      0;
  }
}

export function newAuditScan(approleMount: string, secrets: readonly string[]): AuditScan {
  return {
    entries: 0,
    approleLogin: false,
    hmac: false,
    leaked: false,
    loginPath: `auth/${approleMount}/login`,
    secrets: indexSecrets(secrets),
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
  scan.leaked ||= containsSecret(line, scan.secrets);
}

/**
 * The log's size now (0 where it does not exist yet): a check reads only what was written after,
 * which is where the secrets it obtains can appear, however long the log has grown.
 */
export async function auditLogSize(container: string, path: string): Promise<number> {
  try {
    const { stdout } = await promisify(execFile)("docker", [
      "exec",
      container,
      "stat",
      "-c",
      "%s",
      path,
    ]);
    return Number(stdout.trim()) || 0;
  } catch {
    return 0;
  }
}

/**
 * Streams the log inside the container from byte `from` on through the scan. `mayBeAbsent`: a
 * cluster node that never served a request has no log file yet, which is not an error.
 */
export function scanAuditLog(
  container: string,
  path: string,
  scan: AuditScan,
  mayBeAbsent: boolean,
  from = 0,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", ["exec", container, "tail", "-c", `+${from + 1}`, path], {
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
