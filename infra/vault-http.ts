/**
 * One HTTP(S) call to the Vault API, trusting a given CA. Used by the dynamic providers (whose
 * code Pulumi serializes, hence only built-in modules) and by the outside-in checks. Node's
 * fetch cannot take a CA per request; https.request can.
 */
import { request as httpRequest, type IncomingMessage } from "http";
import { request as httpsRequest } from "https";

export interface VaultHttpRequest {
  readonly address: string;
  readonly method: string;
  /** API path without "v1/". */
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
  /** PEM of the CA that signed the server's certificate (https addresses). */
  readonly caCert?: string;
  /** Vault Enterprise / OpenBao namespace the path is relative to (none: the root). */
  readonly namespace?: string;
}

export interface VaultHttpResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** A standby answers 307 with the active node's address; clients follow it (as Vault's do). */
const MAX_REDIRECTS = 3;

export function vaultHttp(
  request: VaultHttpRequest,
  redirects = MAX_REDIRECTS,
): Promise<VaultHttpResponse> {
  return send(new URL(`${request.address}/v1/${request.path}`), request, redirects);
}

function send(url: URL, request: VaultHttpRequest, redirects: number): Promise<VaultHttpResponse> {
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (request.token) {
    headers["X-Vault-Token"] = request.token;
  }
  if (request.namespace) {
    headers["X-Vault-Namespace"] = request.namespace;
  }
  const options = { method: request.method, headers, ca: request.caCert, timeout: 30000 };
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      const location = response.headers.location;
      if (
        (response.statusCode === 307 || response.statusCode === 308) &&
        location &&
        redirects > 0
      ) {
        response.resume();
        send(new URL(location, url), request, redirects - 1).then(resolve, reject);
        return;
      }
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
        ? httpsRequest(url, options, onResponse)
        : httpRequest(url, options, onResponse);
    call.on("timeout", () => call.destroy(new Error("timed out")));
    call.on("error", reject);
    if (payload !== undefined) {
      call.write(payload);
    }
    call.end();
  });
}

/**
 * The environment variable the JWT of a program login travels in: the Vault provider reads it
 * there (auth_login_jwt), so the token never enters state; lifecycle calls read it too.
 */
export const PROGRAM_JWT_ENV = "TERRAFORM_VAULT_AUTH_JWT";

/** How the program logs in to a cluster it does not run (AppRole or JWT; a token needs none). */
export interface ProgramLogin {
  readonly method: "approle" | "jwt";
  /** Auth mount path. */
  readonly path: string;
  readonly roleId?: string;
  readonly role?: string;
  /** Namespace of the auth mount (none: the root). */
  readonly namespace?: string;
}

/**
 * Logs in as the program and returns the client token. The AppRole secret-id is passed in; the
 * JWT comes from PROGRAM_JWT_ENV. Errors carry the status only, never a credential.
 */
export async function programLoginToken(
  target: { readonly address: string; readonly caCert?: string },
  login: ProgramLogin,
  secretId?: string,
): Promise<string> {
  let body: Record<string, unknown>;
  if (login.method === "approle") {
    body = { role_id: login.roleId, secret_id: secretId };
  } else {
    const jwt = process.env[PROGRAM_JWT_ENV];
    if (!jwt) {
      throw new Error(
        `the JWT for the login at auth/${login.path} is not in ${PROGRAM_JWT_ENV} (npm run commands set it from server.auth.jwtFile or jwtEnv)`,
      );
    }
    body = { role: login.role, jwt };
  }
  const response = await vaultHttp({
    address: target.address,
    caCert: target.caCert,
    method: "POST",
    path: `auth/${login.path}/login`,
    body,
    namespace: login.namespace,
  });
  if (response.status !== 200 || !response.body?.auth?.client_token) {
    throw new Error(`the program's login at auth/${login.path} answered HTTP ${response.status}`);
  }
  return response.body.auth.client_token as string;
}
