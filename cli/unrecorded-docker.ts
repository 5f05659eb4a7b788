/**
 * Docker objects labelled with a stack that its state does not list. A run killed between Docker
 * creating an object and the checkpoint recording it (or a checkpoint put back from its backup
 * after a killed write) leaves one behind, and the next create of that name fails with
 * "Conflict. The container name ... is already in use". Only objects carrying this stack's label
 * are ever listed.
 */
import { execFileSync } from "child_process";

export type DockerKind = "container" | "volume" | "network";

export interface DockerObject {
  readonly kind: DockerKind;
  readonly name: string;
}

export const DOCKER_KINDS: Readonly<Record<string, DockerKind>> = {
  "docker:index/container:Container": "container",
  "docker:index/volume:Volume": "volume",
  "docker:index/network:Network": "network",
};

/** Containers first: a volume or network in use by one cannot be removed. */
const ORDER: readonly DockerKind[] = ["container", "volume", "network"];

export type ListLabelled = (kind: DockerKind, stackName: string) => string[];

const listLabelled: ListLabelled = (kind, stackName) => {
  const filter = ["--filter", `label=vault-platform.stack=${stackName}`];
  const args =
    kind === "container"
      ? ["ps", "-a", ...filter, "--format", "{{.Names}}"]
      : [kind, "ls", ...filter, "--format", "{{.Name}}"];
  try {
    return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
  } catch {
    // No Docker engine here (e.g. a stack on an external cluster): nothing of ours to find.
    return [];
  }
};

/** The names of the Docker objects the state lists (pending operations are not listed). */
export function recordedDockerNames(deployment: unknown): Set<string> {
  const resources =
    (
      deployment as {
        deployment?: {
          resources?: {
            type: string;
            inputs?: { name?: string };
            outputs?: { name?: string };
          }[];
        };
      }
    )?.deployment?.resources ?? [];
  return new Set(
    resources
      .filter((resource) => DOCKER_KINDS[resource.type] !== undefined)
      .map((resource) => resource.outputs?.name ?? resource.inputs?.name)
      .filter((name): name is string => typeof name === "string"),
  );
}

/** This stack's labelled Docker objects that its state does not list, containers first. */
export function unrecordedDockerObjects(
  stackName: string,
  deployment: unknown,
  list: ListLabelled = listLabelled,
): DockerObject[] {
  const recorded = recordedDockerNames(deployment);
  return ORDER.flatMap((kind) =>
    list(kind, stackName)
      .filter((name) => !recorded.has(name))
      .map((name) => ({ kind, name })),
  );
}
