/**
 * A server-mode server whose containers and data volumes are all gone (a `docker volume rm`, a
 * host rebuilt): every secret, key and policy it held is gone, though the state still lists
 * them. The state is trimmed as for a lost dev server (missing-objects.ts), but the unseal keys
 * stay (state-graph.ts): the up starts an empty server, initializes it with new keys, configures
 * it again, and `npm run restore` can still put a snapshot of the old data back.
 */
import { runDocker, RunDocker } from "./docker-objects";
import type { Recorded } from "./missing-objects";
import {
  Deployment,
  holdsServerKeys,
  StateResource,
  withDependents,
  withoutDroppedKeepingKeys,
} from "./state-graph";

const SERVER_COMPONENT = "vaultplatform:index:VaultServer";

function serverChildren(resources: readonly StateResource[], type: string): StateResource[] {
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  return resources.filter(
    (resource) =>
      resource.type === type && byUrn.get(resource.parent ?? "")?.type === SERVER_COMPONENT,
  );
}

const nameOf = (resource: StateResource) =>
  String(resource.outputs?.name ?? resource.inputs?.name ?? "");

/** The server's data volumes the state lists (server mode: one per node). */
export function recordedDataVolumes(deployment: Deployment): StateResource[] {
  return serverChildren(deployment.deployment.resources ?? [], "docker:index/volume:Volume").filter(
    (volume) => /-data(-\d+)?$/.test(nameOf(volume)),
  );
}

/**
 * The state without what lived in a server-mode server whose containers (`gone`, found absent)
 * and data volumes are all gone, the unseal keys and the Postgres objects kept; undefined when
 * that is not the case.
 */
export function withoutLostServerData(
  deployment: Deployment,
  gone: readonly Recorded[],
  docker: RunDocker = runDocker,
):
  { readonly state: Deployment; readonly volumes: string[]; readonly dropped: number } | undefined {
  const resources = deployment.deployment.resources ?? [];
  const mode = resources.find((resource) => resource.type === "pulumi:pulumi:Stack")?.outputs
    ?.serverMode;
  const containers = serverChildren(resources, "docker:index/container:Container");
  const volumes = recordedDataVolumes(deployment);
  if (
    mode !== "server" ||
    containers.length === 0 ||
    volumes.length === 0 ||
    !containers.every((container) => gone.some((object) => object.urn === container.urn)) ||
    !volumes.every((volume) => docker(["volume", "inspect", nameOf(volume)]) === undefined)
  ) {
    return undefined;
  }
  const dropped = withDependents(resources, [
    ...containers.map((container) => container.urn),
    ...volumes.map((volume) => volume.urn),
  ]);
  // Components stay (their children are what goes); so do Postgres objects, which outlive the
  // server in their own database server.
  for (const resource of resources) {
    if (
      resource.custom === false ||
      holdsServerKeys(resource) ||
      resource.type.startsWith("postgresql:") ||
      resource.type === "pulumi:providers:postgresql"
    ) {
      dropped.delete(resource.urn);
    }
  }
  return {
    state: withoutDroppedKeepingKeys(deployment, dropped),
    volumes: volumes.map(nameOf),
    dropped: dropped.size,
  };
}
