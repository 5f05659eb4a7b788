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

/** Takes a snapshot when the up would change the server's image; says where it put it. */
export async function snapshotBeforeRisk(
  stack: Stack,
  deployment: unknown,
  log: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const running = serverImageInState(deployment);
  if (running === undefined) {
    return;
  }
  const wanted = (await resolvedConfig(stack)).server.image;
  if (wanted === running) {
    return;
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
