/**
 * The checks' Vault client: one request to an environment, in its namespace, failing over across
 * the addresses of a cluster while it elects a new active node.
 */
import { VaultHttpResponse, vaultHttp } from "../../infra/vault-http";

/**
 * A Vault API address, or an address with the CA its TLS certificate chains to, the namespace
 * requests are relative to, and the other addresses of a cluster to fail over to.
 */
export type VaultTarget =
  | string
  | {
      readonly address: string;
      readonly addresses?: readonly string[];
      readonly caCert?: string;
      readonly namespace?: string;
    };

/** How long a request keeps failing over while a cluster elects a new active node. */
export const FAILOVER_SECONDS = 30;
/** Answers of a node that cannot serve now (sealed, standby without an active node, gone). */
const UNAVAILABLE = new Set([500, 502, 503]);
/** Per address list: the index of the node that answered last, tried first next time. */
const preferred = new Map<string, number>();

/**
 * The next request to this cluster starts at the node after the one that answered last: a node
 * that keeps refusing what another serves (a standby right after an election) is left.
 */
export function preferNextNode(target: VaultTarget): void {
  if (typeof target === "string" || !target.addresses || target.addresses.length < 2) {
    return;
  }
  const key = target.addresses.join(" ");
  preferred.set(key, ((preferred.get(key) ?? 0) + 1) % target.addresses.length);
}

/**
 * One request. With several addresses, a node that is unreachable or cannot serve is skipped for
 * the next one, round after round, for up to FAILOVER_SECONDS.
 */
export async function vaultRequest(
  target: VaultTarget,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<VaultHttpResponse> {
  const { address, addresses, caCert, namespace } =
    typeof target === "string" ? { address: target } : target;
  const nodes = addresses && addresses.length > 0 ? addresses : [address];
  const key = nodes.join(" ");
  const deadline = Date.now() + FAILOVER_SECONDS * 1000;
  let attempt = preferred.get(key) ?? 0;
  for (;;) {
    const node = nodes[attempt % nodes.length];
    let answer: VaultHttpResponse | undefined;
    let failure: Error | undefined;
    try {
      answer = await vaultHttp({ address: node, caCert, method, path, token, body, namespace });
    } catch (error) {
      failure = error as Error;
    }
    if (answer && !(nodes.length > 1 && UNAVAILABLE.has(answer.status))) {
      preferred.set(key, attempt % nodes.length);
      return answer;
    }
    if (Date.now() > deadline || nodes.length === 1) {
      if (answer) {
        return answer;
      }
      throw failure as Error;
    }
    attempt += 1;
    if (attempt % nodes.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * What Vault said of a refused request, for an error message: its "errors" list, at most 200
 * characters (Vault words them without the request's values: "invalid role or secret ID").
 */
export function vaultErrors(response: VaultHttpResponse): string {
  const errors: unknown = response.body?.errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    return "";
  }
  const text = errors.map(String).join("; ");
  return `: ${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
}
