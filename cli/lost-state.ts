/**
 * A dev server keeps everything in memory: after a restart (Docker or the host restarted) it is
 * empty while the state still lists every mount, policy and role, so a plain `up` would report
 * "unchanged" over a broken environment. Before an update this asks the server; when what the
 * state describes is gone, a refresh drops it from state and the update rebuilds it.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { vaultHttp } from "../infra/vault-http";

/** True when a dev server answers but no longer has the database mount the state lists. */
export async function devServerLostState(stack: Stack): Promise<boolean> {
  const outputs = await stack.outputs().catch(() => ({}) as Record<string, { value: unknown }>);
  const address = outputs.vaultAddress?.value;
  const token = outputs.rootToken?.value;
  // Not the KV mount: a restarted dev server mounts its own KV engine at secret/ again.
  const database = (outputs.mounts?.value as { database?: string } | undefined)?.database;
  if (typeof address !== "string" || typeof token !== "string" || !database) {
    return false;
  }
  // A server that just restarted takes a moment to listen again.
  let mounts: Awaited<ReturnType<typeof vaultHttp>> | undefined;
  for (let attempt = 0; attempt < 10 && mounts === undefined; attempt++) {
    mounts = await vaultHttp({ address, method: "GET", path: "sys/mounts", token }).catch(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return undefined;
      },
    );
  }
  // Unreachable (stopped container): the update itself starts it again, nothing to decide here.
  if (!mounts || mounts.status !== 200) {
    return false;
  }
  const listed = (mounts.body?.data ?? mounts.body ?? {}) as Record<string, unknown>;
  return !(`${database}/` in listed);
}

/**
 * Before `up`: when the dev server lost its state, refresh (what is gone leaves the state) so the
 * update rebuilds it. The dev server mounts its own KV engine at secret/ again on start: the
 * refresh adopts it as the KV mount and the update restores its settings.
 */
export async function repairLostState(
  stack: Stack,
  log: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  if (!(await devServerLostState(stack))) {
    return;
  }
  log(`${stack.name}: the dev server lost its state (restarted?); refreshing, then rebuilding it`);
  await stack.refresh({ onOutput: () => undefined });
}
