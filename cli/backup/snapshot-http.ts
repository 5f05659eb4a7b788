/**
 * The two raft snapshot calls, which carry a binary body (infra/vault-http.ts speaks JSON):
 * GET sys/storage/raft/snapshot streamed into a file (mode 0600) while it is hashed, and
 * POST sys/storage/raft/snapshot-force with a file as the body. Errors carry the HTTP status and
 * Vault's error text, never a token.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import { request as httpRequest, type IncomingMessage } from "http";
import { request as httpsRequest } from "https";

export interface SnapshotTarget {
  readonly address: string;
  readonly caCert?: string;
  readonly token: string;
}

function open(
  target: SnapshotTarget,
  method: string,
  apiPath: string,
  headers: Record<string, string | number> = {},
) {
  const url = new URL(`${target.address}/v1/${apiPath}`);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return (onResponse: (response: IncomingMessage) => void) =>
    send(
      url,
      {
        method,
        headers: { "X-Vault-Token": target.token, ...headers },
        ca: target.caCert,
        // A large snapshot takes its time; a dead server does not hold the command forever.
        timeout: 300000,
      },
      onResponse,
    );
}

async function errorOf(response: IncomingMessage, what: string): Promise<Error> {
  let text = "";
  for await (const chunk of response) {
    text += String(chunk);
  }
  let detail = text.slice(0, 300);
  try {
    detail = ((JSON.parse(text) as { errors?: string[] }).errors ?? []).join("; ") || detail;
  } catch {
    // Not JSON: the text as it came.
  }
  return new Error(`${what} answered HTTP ${response.statusCode}${detail ? `: ${detail}` : ""}`);
}

/** Streams a snapshot into `file` (created 0600); its size and sha256. */
export function saveSnapshot(
  target: SnapshotTarget,
  file: string,
): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const request = open(
      target,
      "GET",
      "sys/storage/raft/snapshot",
    )((response) => {
      if (response.statusCode !== 200) {
        errorOf(response, "GET sys/storage/raft/snapshot").then(reject, reject);
        return;
      }
      const hash = createHash("sha256");
      let bytes = 0;
      const out = fs.createWriteStream(file, { mode: 0o600 });
      response.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      response.on("error", reject);
      out.on("error", reject);
      out.on("finish", () => resolve({ bytes, sha256: hash.digest("hex") }));
      response.pipe(out);
    });
    request.on("timeout", () => request.destroy(new Error("the snapshot timed out after 300s")));
    request.on("error", reject);
    request.end();
  });
}

/** Installs `file` as the server's data, whatever keys it was sealed with (snapshot-force). */
export function installSnapshot(target: SnapshotTarget, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = open(target, "POST", "sys/storage/raft/snapshot-force", {
      "Content-Type": "application/octet-stream",
      "Content-Length": fs.statSync(file).size,
    })((response) => {
      if (response.statusCode !== 200 && response.statusCode !== 204) {
        errorOf(response, "POST sys/storage/raft/snapshot-force").then(reject, reject);
        return;
      }
      response.resume();
      response.on("end", () => resolve());
    });
    request.on("timeout", () => request.destroy(new Error("the restore timed out after 300s")));
    request.on("error", reject);
    fs.createReadStream(file).on("error", reject).pipe(request);
  });
}
