/**
 * One HTTP(S) call to the Vault API, trusting a given CA. Used by the dynamic providers (whose
 * code Pulumi serializes, hence only built-in modules) and by the outside-in checks. Node's
 * fetch cannot take a CA per request; https.request can.
 */
import * as http from "http";
import * as https from "https";

export interface VaultHttpRequest {
  readonly address: string;
  readonly method: string;
  /** API path without "v1/". */
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
  /** PEM of the CA that signed the server's certificate (https addresses). */
  readonly caCert?: string;
}

export interface VaultHttpResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export function vaultHttp(request: VaultHttpRequest): Promise<VaultHttpResponse> {
  const url = new URL(`${request.address}/v1/${request.path}`);
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (request.token) {
    headers["X-Vault-Token"] = request.token;
  }
  const options = { method: request.method, headers, ca: request.caCert, timeout: 30000 };
  return new Promise((resolve, reject) => {
    const onResponse = (response: http.IncomingMessage) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
    };
    const call =
      url.protocol === "https:"
        ? https.request(url, options, onResponse)
        : http.request(url, options, onResponse);
    call.on("timeout", () => call.destroy(new Error("timed out")));
    call.on("error", reject);
    if (payload !== undefined) {
      call.write(payload);
    }
    call.end();
  });
}
