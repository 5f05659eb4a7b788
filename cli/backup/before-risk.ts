/**
 * Before an `up` that changes the image of a server-mode server (an upgrade, or a rollback), a
 * snapshot of its data: an upgrade migrates the data in place, and a failed one must not cost
 * it. Read from the state and the config alone; nothing runs for other stacks.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { resolvedConfig } from "../engine/program-login";
import type { Deployment } from "../recovery/state-graph";
import { takeBackup } from "./take-backup";

const SERVER_COMPONENT = "vaultplatform:index:VaultServer";

/** The image the state's server containers run, for a server-mode stack; undefined otherwise. */
export function serverImageInState(deployment: unknown): string | undefined {
  const resources = (deployment as Deployment | undefined)?.deployment?.resources ?? [];
  const root = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
  if (root?.outputs?.serverMode !== "server") {
    return undefined;
  }
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const container = resources.find(
    (resource) =>
      resource.type === "docker:index/container:Container" &&
      byUrn.get(resource.parent ?? "")?.type === SERVER_COMPONENT,
  );
  const image = (container?.inputs as Record<string, unknown> | undefined)?.image;
  return typeof image === "string" ? image : undefined;
}

/** "openbao/openbao:2.6.2" -> [2, 6, 2]; undefined for a tag that is not a version. */
function versionOf(image: string): number[] | undefined {
  const tag = image.slice(image.lastIndexOf(":") + 1);
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return match ? match.slice(1).map(Number) : undefined;
}

/**
 * Why the up must not move the server from `running` to `wanted`: a major version away (the
 * vendors support upgrades within one), or older unless the user says so. Pure.
 */
export function imageChangeRefusal(
  running: string,
  wanted: string,
  allowDowngrade: boolean,
): string | undefined {
  const [from, to] = [versionOf(running), versionOf(wanted)];
  if (!from || !to) {
    return undefined;
  }
  if (from[0] !== to[0]) {
    return `vault-platform:server.image: ${wanted} is a major version away from the running ${running}; upgrade within a major version, one step at a time, as the vendor's upgrade guide says`;
  }
  const first = to.findIndex((part, i) => part !== from[i]);
  const older = first !== -1 && to[first] < from[first];
  if (older && !allowDowngrade) {
    return `vault-platform:server.image: ${wanted} is older than the running ${running}; an older server may not read what a newer one wrote: run npm run up -- --allow-downgrade if you mean it (a snapshot is taken first)`;
  }
  return undefined;
}

/**
 * Before an up that changes the server's image: refuses a major jump or an unasked downgrade,
 * then takes a snapshot and says where it put it.
 */
export async function snapshotBeforeRisk(
  stack: Stack,
  deployment: unknown,
  log: (line: string) => void = (line) => console.log(line),
  allowDowngrade = false,
): Promise<void> {
  const running = serverImageInState(deployment);
  if (running === undefined) {
    return;
  }
  const wanted = (await resolvedConfig(stack)).server.image;
  if (wanted === running) {
    return;
  }
  const refusal = imageChangeRefusal(running, wanted, allowDowngrade);
  if (refusal) {
    throw new Error(`Stopped before changing anything: ${refusal}`);
  }
  const taken = await takeBackup(stack, {
    reason: `before up changed server.image from ${running} to ${wanted}`,
  }).catch((error: Error) => {
    if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|HTTP 503/.test(error.message)) {
      // No server to read (gone, or sealed after a restart): the up goes on.
      return undefined;
    }
    throw new Error(
      `${stack.name}: server.image changes from ${running} to ${wanted}, and the snapshot before it failed (${error.message}); the up did not run`,
    );
  });
  if (taken === undefined) {
    log(
      `${stack.name}: server.image changes to ${wanted}; no snapshot: the server does not answer, or is sealed`,
    );
    return;
  }
  log(
    `${stack.name}: server.image changes from ${running} to ${wanted}: took a snapshot first, ${taken.file} (npm run restore -- --stack ${stack.name} --from ${taken.file} puts it back)`,
  );
}
