/**
 * How the checks log in as an app, with each method it has: AppRole with a secret-id minted by
 * the admin token; JWT and Kubernetes with a token the app would present (from the environment:
 * a CI's OIDC token, a pod's service-account token). Tokens are never printed.
 */
import type { AppUnderTest, Environment, LoginMethod } from "./environment";
import type { VaultHttpResponse } from "../../infra/vault-http";
import { FAILOVER_SECONDS, preferNextNode, vaultErrors, vaultRequest } from "./vault-client";

export type { LoginMethod };

export const LOGIN_LABELS: Readonly<Record<LoginMethod, string>> = {
  approle: "AppRole",
  kubernetes: "Kubernetes",
  jwt: "JWT",
};

/** The variable `npm run verify` reads an app's JWT or service-account token from. */
export function loginTokenVariable(app: string, method: "jwt" | "kubernetes"): string {
  return `VAULT_PLATFORM_${method === "jwt" ? "JWT" : "K8S_TOKEN"}_${app.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * A fresh secret-id for an app, minted with the admin token, good for one login: the login that
 * uses it also removes it, so the checks leave no usable secret-id behind (nor thousands of them
 * in the server's storage after many runs).
 */
export async function freshSecretId(env: Environment, app: string): Promise<string> {
  const response = await vaultRequest(
    env,
    "POST",
    `auth/${env.mounts.approle}/role/${app}/secret-id`,
    env.adminToken,
    { num_uses: 1 },
  );
  if (response.status !== 200) {
    throw new Error(`minting a secret-id for ${app} answered HTTP ${response.status}`);
  }
  return response.body.data.secret_id as string;
}

export async function appLogin(env: Environment, app: AppUnderTest): Promise<string> {
  // Across a failover, a login a node had already served (spending a single-use secret-id) is
  // sent again to the next node when the answer is lost or a standby could not forward it, and
  // refused with 400; a node that has just become active answers 403 "permission denied" for a
  // moment (seen in the external-cluster test). An app then logs in again with a fresh
  // secret-id a moment later, and so does this check, for up to FAILOVER_SECONDS from the first
  // refusal (clusters with several addresses only). The window starts there, not at the first
  // try: a login sent to the node as it stopped can wait the whole request timeout (30 s) before
  // the next node answers 403 (seen once in CI), and must still be tried again after that. Each
  // try after a refusal goes through the next node: in two CI runs on OpenBao a login was refused
  // with 403 for the whole window, always asked of the node that had answered last.
  const retried = (env.addresses?.length ?? 0) > 1 ? [400, 403] : [];
  let deadline: number | undefined;
  let refused: VaultHttpResponse = { status: 0, body: undefined };
  for (let attempt = 0; attempt === 0 || retried.includes(refused.status); attempt++) {
    if (attempt > 0) {
      deadline ??= Date.now() + FAILOVER_SECONDS * 1000;
      if (Date.now() > deadline) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const secretId = await freshSecretId(env, app.name);
    const response = await vaultRequest(
      env,
      "POST",
      `auth/${env.mounts.approle}/login`,
      undefined,
      { role_id: app.roleId, secret_id: secretId },
    );
    if (response.status === 200) {
      return response.body.auth.client_token as string;
    }
    refused = response;
    // The next try goes through another node: the one that refused may keep refusing.
    preferNextNode(env);
  }
  throw new Error(
    `AppRole login of ${app.name} answered HTTP ${refused.status}${vaultErrors(refused)}`,
  );
}

/** A token of the app by one method, or why that login cannot be tried here. */
export async function loginAs(
  env: Environment,
  app: AppUnderTest,
  method: LoginMethod,
): Promise<{ token: string } | { skipped: string }> {
  if (method === "approle") {
    return { token: await appLogin(env, app) };
  }
  const presented = env.loginTokens?.[app.name]?.[method];
  const mount = env.mounts[method];
  if (!presented || !mount) {
    return {
      skipped: `no ${method === "jwt" ? "JWT" : "service-account token"} for ${app.name}: set ${loginTokenVariable(app.name, method)}`,
    };
  }
  const response = await vaultRequest(env, "POST", `auth/${mount}/login`, undefined, {
    role: app.name,
    jwt: presented,
  });
  if (response.status !== 200) {
    throw new Error(
      `${LOGIN_LABELS[method]} login of ${app.name} answered HTTP ${response.status}${vaultErrors(response)}`,
    );
  }
  return { token: response.body.auth.client_token as string };
}
