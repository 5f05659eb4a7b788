/**
 * This stack's Docker objects as recovery sees them: those labelled with the stack that its state
 * does not list, and their removal. A run killed between Docker creating an object and the
 * checkpoint recording it (or a checkpoint put back from its backup after a killed write) leaves
 * one behind, and the next create of that name fails with "Conflict. The container name ... is
 * already in use". Only objects carrying this stack's label are ever listed or removed.
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

/** The label every Docker object of a stack carries (infra/naming.ts sets it). */
const STACK_LABEL = "vault-platform.stack";

/** Containers first: a volume or network in use by one cannot be removed. */
const ORDER: readonly DockerKind[] = ["container", "volume", "network"];

/** The docker CLI's output, or undefined when it failed (no engine, no such object). */
export type RunDocker = (args: readonly string[]) => string | undefined;

export const runDocker: RunDocker = (args) => {
  try {
    return execFileSync("docker", args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return undefined;
  }
};

function listLabelled(kind: DockerKind, stackName: string, docker: RunDocker): string[] {
  const filter = ["--filter", `label=${STACK_LABEL}=${stackName}`];
  const args =
    kind === "container"
      ? ["ps", "-a", ...filter, "--format", "{{.Names}}"]
      : [kind, "ls", ...filter, "--format", "{{.Name}}"];
  // No Docker engine here (e.g. a stack on an external cluster): nothing of ours to find.
  return (docker(args) ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

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
  docker: RunDocker = runDocker,
): DockerObject[] {
  const recorded = recordedDockerNames(deployment);
  return ORDER.flatMap((kind) =>
    listLabelled(kind, stackName, docker)
      .filter((name) => !recorded.has(name))
      .map((name) => ({ kind, name })),
  );
}

/**
 * The stack label in `docker <kind> inspect` output: a container keeps its labels in Config, a
 * volume or network at the top.
 */
export function stackLabelOf(kind: DockerKind, inspected: string): string | undefined {
  const [object] = JSON.parse(inspected) as {
    Labels?: Record<string, string> | null;
    Config?: { Labels?: Record<string, string> | null };
  }[];
  const labels = kind === "container" ? object?.Config?.Labels : object?.Labels;
  return labels?.[STACK_LABEL];
}

/**
 * Removes a Docker object when it carries this stack's label; whether it did. An object of the
 * stack that Docker refuses to remove is an error (the next create would fail on its name).
 */
export function removeOwnDockerObject(
  object: DockerObject,
  stackName: string,
  docker: RunDocker = runDocker,
): boolean {
  const inspected = docker([object.kind, "inspect", object.name]);
  if (inspected === undefined || stackLabelOf(object.kind, inspected) !== stackName) {
    return false;
  }
  const removal =
    // -v: the container's anonymous volumes (an image's VOLUME paths) go with it, as they do
    // when the Docker provider deletes it.
    object.kind === "container"
      ? ["rm", "-f", "-v", object.name]
      : [object.kind, "rm", object.name];
  if (docker(removal) === undefined) {
    throw new Error(
      `could not remove the ${object.kind} ${object.name} of ${stackName}: docker ${removal.join(" ")} failed`,
    );
  }
  return true;
}

/** Objects in Docker's removal order (containers first), each once. */
export function inRemovalOrder(objects: readonly DockerObject[]): DockerObject[] {
  const seen = new Set<string>();
  return ORDER.flatMap((kind) =>
    objects.filter((object) => {
      const key = `${object.kind} ${object.name}`;
      if (object.kind !== kind || seen.has(key)) {
        return false;
      }
      seen.add(key);
      return true;
    }),
  );
}
