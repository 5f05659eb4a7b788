/**
 * What a backup and a restore need to know of a stack: the server's address and CA, flavor and
 * mode (stack outputs), the provisioner token, and the key sets the stack holds for a server it
 * initialized (the ServerInit resource in its state, infra/server-init.ts).
 */
import type { Stack } from "@pulumi/pulumi/automation";
import type { KeySet } from "../../infra/server-keys";
import { keysetFingerprint } from "../../infra/server-keys";
import { programToken, resolvedConfig } from "../engine/program-login";
import { vaultHttp } from "../../infra/vault-http";
import { reveal } from "../engine/workspace";
import type { Deployment } from "../recovery/state-graph";

export interface ServerTarget {
  readonly stack: string;
  readonly mode: "dev" | "server" | "external";
  readonly flavor: string;
  readonly address: string;
  readonly caCert?: string;
  /** The token a backup is taken with: the provisioner's, or the program's login. */
  readonly token: string;
  /** Key sets of a server the program initialized: the current one first. */
  readonly keySets: readonly KeySet[];
  readonly revokesRootToken: boolean;
}

/** The key sets of the state's ServerInit, the current one first; none for other modes. */
export function keySetsInState(deployment: unknown): KeySet[] {
  const init = ((deployment as Deployment | undefined)?.deployment?.resources ?? []).find(
    (resource) => resource.type.endsWith(":ServerInit"),
  );
  const outputs = init?.outputs ?? {};
  const unsealKeys = reveal(outputs.unsealKeys) as string[] | undefined;
  const rootToken = reveal(outputs.rootToken) as string | undefined;
  const earlier = (reveal(outputs.earlierKeys) as KeySet[] | undefined) ?? [];
  if (!unsealKeys || !rootToken) {
    return [];
  }
  const keyset = (reveal(outputs.keyset) as string | undefined) ?? keysetFingerprint(unsealKeys);
  return [{ keyset, unsealKeys, rootToken }, ...earlier];
}

export async function serverTarget(stack: Stack): Promise<ServerTarget> {
  const outputs = await stack.outputs();
  const value = (key: string) => outputs[key]?.value as unknown;
  if (value("vaultAddress") === undefined) {
    throw new Error(
      `stack ${stack.name} has no vaultAddress output: has it been brought up (npm run up -- --stack ${stack.name})?`,
    );
  }
  const mode = value("serverMode") as ServerTarget["mode"];
  const config = await resolvedConfig(stack);
  const token =
    mode === "external"
      ? await programToken(stack, config)
      : ((value("provisionerToken") ?? value("rootToken")) as string | undefined);
  if (!token) {
    throw new Error(`stack ${stack.name} has no provisionerToken output`);
  }
  return {
    stack: stack.name,
    mode,
    flavor: String(value("flavor")),
    address: String(value("vaultAddress")),
    caCert: value("vaultCaCertificate") as string | undefined,
    token,
    keySets: mode === "server" ? keySetsInState(await stack.exportStack()) : [],
    revokesRootToken: config.server.revokeRootToken,
  };
}

/** sys/seal-status of the stack's server (no token needed); undefined when it does not answer. */
export async function sealStatusOf(
  target: Pick<ServerTarget, "address" | "caCert">,
): Promise<Record<string, unknown> | undefined> {
  const status = await vaultHttp({
    address: target.address,
    caCert: target.caCert,
    method: "GET",
    path: "sys/seal-status",
  }).catch(() => undefined);
  return status?.status === 200 ? (status.body as Record<string, unknown>) : undefined;
}
