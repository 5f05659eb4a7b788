/**
 * A small OpenID Connect identity provider for the tier-2 tests, on 127.0.0.1: the discovery
 * document, the signing key as a JWKS, an authorize endpoint that logs in whoever the test says
 * and redirects back with a code, a token endpoint that checks the client secret and signs an ID
 * token with the user's groups, and userinfo. Enough for Vault's browser-less OIDC flow:
 * auth_url -> authorize -> callback.
 */
import * as crypto from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";

export interface IdpUser {
  readonly sub: string;
  readonly email: string;
  readonly groups: readonly string[];
}

interface Grant {
  readonly user: IdpUser;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly nonce?: string;
}

export interface TestIdp {
  /** The issuer and discovery base, e.g. http://127.0.0.1:41234. */
  readonly issuer: string;
  /** Who the next authorize request logs in (a browser session, in a real IdP). */
  loginAs(user: IdpUser): void;
  /** Signs an ID token for a user directly (a JWT login with the IdP's key). */
  idToken(user: IdpUser, audience: string): string;
  /** How many ID tokens the token endpoint issued. */
  issued(): number;
  close(): Promise<void>;
}

export async function startTestIdp(client: {
  readonly id: string;
  readonly secret: string;
}): Promise<TestIdp> {
  const key = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = crypto.randomUUID();
  const grants = new Map<string, Grant>();
  let current: IdpUser | undefined;
  let issuedTokens = 0;
  let issuer = "";

  const sign = (claims: Record<string, unknown>) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${encode({ alg: "RS256", typ: "JWT", kid })}.${encode(claims)}`;
    const signature = crypto.sign("sha256", Buffer.from(unsigned), key.privateKey);
    return `${unsigned}.${signature.toString("base64url")}`;
  };
  const idToken = (user: IdpUser, audience: string, nonce?: string) => {
    const now = Math.floor(Date.now() / 1000);
    return sign({
      iss: issuer,
      aud: audience,
      sub: user.sub,
      email: user.email,
      groups: user.groups,
      iat: now,
      nbf: now - 5,
      exp: now + 600,
      ...(nonce ? { nonce } : {}),
    });
  };
  const json = (response: http.ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "Content-Type": "application/json" });
    response.end(JSON.stringify(body));
  };

  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", issuer);
      switch (url.pathname) {
        case "/.well-known/openid-configuration":
          return json(response, 200, {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            userinfo_endpoint: `${issuer}/userinfo`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ["code"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
            scopes_supported: ["openid", "profile", "email", "groups"],
            grant_types_supported: ["authorization_code"],
            code_challenge_methods_supported: ["S256", "plain"],
          });
        case "/jwks": {
          const jwk = key.publicKey.export({ format: "jwk" });
          return json(response, 200, { keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] });
        }
        case "/authorize": {
          const redirectUri = url.searchParams.get("redirect_uri") ?? "";
          if (url.searchParams.get("client_id") !== client.id || !current) {
            return json(response, 400, { error: "unauthorized_client" });
          }
          const code = crypto.randomBytes(16).toString("hex");
          grants.set(code, {
            user: current,
            clientId: client.id,
            redirectUri,
            nonce: url.searchParams.get("nonce") ?? undefined,
          });
          const back = new URL(redirectUri);
          back.searchParams.set("code", code);
          back.searchParams.set("state", url.searchParams.get("state") ?? "");
          response.writeHead(302, { Location: back.toString() });
          return response.end();
        }
        case "/token": {
          const form = new URLSearchParams(body);
          const basic = (request.headers.authorization ?? "").replace(/^Basic /, "");
          const [basicId, basicSecret] = Buffer.from(basic, "base64")
            .toString()
            .split(":")
            .map(decodeURIComponent);
          const id = form.get("client_id") ?? basicId;
          const secret = form.get("client_secret") ?? basicSecret;
          const grant = grants.get(form.get("code") ?? "");
          if (id !== client.id || secret !== client.secret) {
            return json(response, 401, { error: "invalid_client" });
          }
          if (!grant || grant.redirectUri !== form.get("redirect_uri")) {
            return json(response, 400, { error: "invalid_grant" });
          }
          grants.delete(form.get("code") ?? "");
          issuedTokens += 1;
          return json(response, 200, {
            access_token: `at-${grant.user.sub}`,
            token_type: "Bearer",
            expires_in: 600,
            id_token: idToken(grant.user, grant.clientId, grant.nonce),
          });
        }
        case "/userinfo": {
          const sub = (request.headers.authorization ?? "").replace(/^Bearer at-/, "");
          const user = [...grants.values()].find((grant) => grant.user.sub === sub)?.user;
          const known = user ?? (current?.sub === sub ? current : undefined);
          return known
            ? json(response, 200, { sub: known.sub, email: known.email, groups: known.groups })
            : json(response, 401, { error: "invalid_token" });
        }
        default:
          return json(response, 404, { error: "not_found" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    loginAs: (user) => {
      current = user;
    },
    idToken: (user, audience) => idToken(user, audience),
    issued: () => issuedTokens,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
