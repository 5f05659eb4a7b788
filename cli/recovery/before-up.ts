/**
 * What `up` checks before the engine runs (docs/recovery.md), from the state alone (it may hold
 * no outputs yet after an interrupted first run): an environment whose containers and volumes
 * are all gone is created again (teardown.ts); a stopped container is started again
 * (lost-state.ts); a dev server that restarted, or whose container is gone, lost what it held;
 * anything else the state lists that is gone (missing-objects.ts) is refreshed with what refers
 * to it, so that the update creates it again and says so.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { refreshTargets } from "../engine/stack-cli";
import { encryptedState } from "./encrypted-state";
import type { Deployment } from "./state-graph";
import {
  listMounts,
  missingMounts,
  recordedMounts,
  serverInState,
  startStoppedContainers,
} from "./lost-state";
import {
  missingPostgresObjects,
  Recorded,
  recordedContainers,
  refreshTargetsFor,
  withoutLostDevServer,
} from "./missing-objects";
import { resetRolePassword } from "./database-credential";
import { withoutLostServerData } from "./lost-server-data";
import { forgetRemovedEnvironment } from "./teardown";

/**
 * Before `up`: an environment whose containers and volumes are all gone is forgotten (teardown.ts)
 * and created again; a stopped server container is started again; what the state lists that is
 * gone is refreshed (missing-objects.ts), so that the update creates it again. A dev server that
 * restarted lost everything it held: the whole state is refreshed then. `deployment`: the state
 * as just exported, if the caller has it.
 */
export async function repairLostState(
  stack: Stack,
  log: (line: string) => void = (line) => console.log(line),
  deployment?: unknown,
): Promise<void> {
  if (await forgetRemovedEnvironment(encryptedState(stack), log, deployment)) {
    return;
  }
  const exported = deployment ?? (await stack.exportStack().catch(() => ({})));
  const server = serverInState(exported);
  const { started, absent } = await startStoppedContainers(server.containers);
  if (started.length > 0) {
    log(`${stack.name}: started the stopped container(s) ${started.join(", ")} again`);
  }
  const containers = recordedContainers(exported).filter((container) =>
    absent.includes(container.name),
  );
  if (
    (await forgetLostDevServer(stack, containers, log)) ||
    (await forgetLostServerData(stack, containers, log, exported))
  ) {
    return;
  }
  // The two reads go together: each waits on a server, not on the other.
  const postgresGone = missingPostgresObjects(exported);
  const listed = await listMounts(server);
  const missingPaths = listed === undefined ? [] : missingMounts(server, listed);
  // A server that answers unsealed right after its container started, or that lacks every mount
  // the state lists, is a dev server that restarted: what it held in memory (policies, keys,
  // secrets too) is gone, whatever the state lists.
  const listedCount = server.mounts.length + server.auths.length;
  if (
    listed !== undefined &&
    (started.length > 0 || (listedCount > 0 && missingPaths.length === listedCount))
  ) {
    const why = started.length > 0 ? "its container had stopped" : "every mount of it is gone";
    log(
      `${stack.name}: the server lost its state (${why}: a dev server restarted?); refreshing, then rebuilding it`,
    );
    await postgresGone;
    await stack.refresh({ onOutput: () => undefined });
    return;
  }
  const gone = [
    ...recordedMounts(exported).filter((mount) => missingPaths.includes(mount.name)),
    ...(await postgresGone),
  ];
  const targets = [
    ...containers.map((container) => container.urn),
    ...refreshTargetsFor(exported, gone),
  ];
  for (const object of [...containers, ...gone]) {
    log(`${stack.name}: the ${object.what} the state lists is gone; this up creates it again`);
  }
  await refreshTargets(stack, targets, () => undefined);
}

/**
 * Forgets a server whose container is gone with what it held, where `lose` says the state can be
 * trimmed so (withoutLostDevServer, withoutLostServerData); what it said, or undefined.
 */
async function forgetLost<T extends { readonly state: Deployment }>(
  stack: Stack,
  containers: readonly Recorded[],
  lose: (state: Deployment, gone: readonly Recorded[]) => T | undefined,
): Promise<T | undefined> {
  if (containers.length === 0) {
    return undefined;
  }
  const state = encryptedState(stack);
  const lost = lose(await state.read(), containers);
  if (lost !== undefined) {
    await state.write(lost.state);
  }
  return lost;
}

/** The dev server's container gone (see withoutLostDevServer): forgets it with what it held. */
async function forgetLostDevServer(
  stack: Stack,
  containers: readonly Recorded[],
  log: (line: string) => void,
): Promise<boolean> {
  const lost = await forgetLost(stack, containers, withoutLostDevServer);
  if (lost) {
    log(
      `${stack.name}: the server container ${containers.map((container) => container.name).join(", ")} the state lists is gone, and with it the ${lost.dropped - 1} objects the dev server held; this up creates them again`,
    );
  }
  return lost !== undefined;
}

/**
 * A server-mode server's containers and data volumes gone (lost-server-data.ts): forgets what it
 * held, keeping its unseal keys, so the up starts an empty server that a restore can fill.
 */
async function forgetLostServerData(
  stack: Stack,
  containers: readonly Recorded[],
  log: (line: string) => void,
  exported: unknown,
): Promise<boolean> {
  const lost = await forgetLost(stack, containers, (state, gone) =>
    withoutLostServerData(state, gone),
  );
  if (lost === undefined) {
    return false;
  }
  log(
    `${stack.name}: the server's container and its data volume ${lost.volumes.join(", ")} are gone, and with them the ${lost.dropped} objects it held: this up starts an empty server with new unseal keys (the old ones stay in the state: npm run restore -- --stack ${stack.name} --from <snapshot> puts a backup back)`,
  );
  // The lost server had rotated its Postgres role's password: the new one connects with the state's.
  const role = await resetRolePassword(exported);
  if (role) {
    log(`${stack.name}: set the password of role ${role} back to the one in the state`);
  }
  return true;
}
