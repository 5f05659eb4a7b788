/**
 * Teardown of an environment whose Vault and Postgres are its own containers (dev and pull-request
 * stacks): whatever lives inside them (mounts, policies, roles, keys, Postgres roles and grants)
 * goes with their containers and volumes, so it is not deleted one API call at a time. The
 * containers and volumes are removed first, then what lived only inside them is dropped from the
 * state in one write, then the ordinary destroy removes the rest (network, generated passwords and
 * certificates, components). At 300 apps that is ~10 resources for the engine instead of ~900.
 *
 * Each step can be interrupted and the next destroy (or up) carries on: with the containers gone
 * and the state still whole, a destroy plans the same again and an up rebuilds on a new server;
 * with the state already trimmed, only the rest remains.
 *
 * Only where nothing can outlive the containers: the stack runs its own server (dev or server
 * mode) and every Postgres object is in its own Postgres (an external Postgres holds the dynamic
 * users Vault revokes when its database mount goes). Nothing protected, nothing pending, and every
 * Docker object named in the state is absent or labelled with this stack.
 */
import {
  DockerKind,
  DockerObject,
  DOCKER_KINDS,
  inRemovalOrder,
  removeOwnDockerObject,
  RunDocker,
  runDocker,
  stackLabelOf,
} from "./docker-objects";
import {
  Deployment,
  packageOf,
  referencesOf,
  StateResource,
  withoutDroppedKeepingKeys,
} from "./state-graph";

export interface ContainedTeardown {
  /** The containers and volumes to remove, containers first. */
  readonly objects: readonly DockerObject[];
  /** What is dropped from the state once they are gone: they and what lived only in them. */
  readonly dropped: ReadonlySet<string>;
}

/** Packages whose every resource lives inside the server or the stack's own Postgres. */
const CONTAINED_PACKAGES = ["vault", "postgresql"];
const OWN_POSTGRES = "vaultplatform:index:EmbeddedPostgres";
const OWN_SERVER_MODES = new Set(["dev", "server"]);
/** Removed with the containers; a network outlives them until the ordinary destroy. */
const REMOVED_KINDS: readonly DockerKind[] = ["container", "volume"];

function dockerObjectOf(resource: StateResource): DockerObject | undefined {
  const kind = DOCKER_KINDS[resource.type];
  const name = resource.outputs?.name ?? resource.inputs?.name;
  return kind && typeof name === "string" ? { kind, name } : undefined;
}

/**
 * What a contained teardown would remove and drop, or why the ordinary destroy is needed. Pure:
 * reads the exported state only.
 */
export function planContainedTeardown(
  deployment: Deployment | undefined,
): ContainedTeardown | { readonly ordinary: string } {
  const resources = deployment?.deployment.resources ?? [];
  const root = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
  const mode = root?.outputs?.serverMode;
  if (typeof mode !== "string" || !OWN_SERVER_MODES.has(mode)) {
    return { ordinary: "the stack does not run its own server" };
  }
  if ((deployment?.deployment.pending_operations ?? []).length > 0) {
    return { ordinary: "the state has pending operations" };
  }
  if (resources.some((resource) => resource.protect)) {
    return { ordinary: "the stack has protected resources" };
  }
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const ownPostgres = resources.some(
    (resource) =>
      DOCKER_KINDS[resource.type] === "container" &&
      byUrn.get(resource.parent ?? "")?.type === OWN_POSTGRES,
  );
  if (!ownPostgres && resources.some((resource) => packageOf(resource) === "postgresql")) {
    return { ordinary: "its Postgres is not its own" };
  }
  const removed = resources.filter((resource) => {
    const kind = DOCKER_KINDS[resource.type];
    return kind !== undefined && REMOVED_KINDS.includes(kind);
  });
  const dropped = new Set([
    ...removed.map((resource) => resource.urn),
    ...resources
      .filter((resource) => CONTAINED_PACKAGES.includes(packageOf(resource)))
      .map((resource) => resource.urn),
  ]);
  // What refers to a dropped resource goes too (state order is dependencies first).
  for (const resource of resources) {
    if (!dropped.has(resource.urn) && referencesOf(resource).some((urn) => dropped.has(urn))) {
      if (DOCKER_KINDS[resource.type] === "network") {
        return { ordinary: `the network ${resource.urn} refers to a container` };
      }
      dropped.add(resource.urn);
    }
  }
  const objects = removed.map(dockerObjectOf);
  if (objects.some((object) => object === undefined)) {
    return { ordinary: "a container or volume in the state has no name" };
  }
  return { objects: inRemovalOrder(objects as DockerObject[]), dropped };
}

/** The state without the dropped resources. */
export function withoutDropped(deployment: Deployment, dropped: ReadonlySet<string>): Deployment {
  return {
    ...deployment,
    deployment: {
      ...deployment.deployment,
      resources: (deployment.deployment.resources ?? []).filter(
        (resource) => !dropped.has(resource.urn),
      ),
    },
  };
}

/** Whose a Docker object is: absent, this stack's (by label), or someone else's. */
export function ownerOf(
  object: DockerObject,
  stackName: string,
  docker: RunDocker = runDocker,
): "absent" | "ours" | "other" {
  const inspected = docker([object.kind, "inspect", object.name]);
  if (inspected === undefined) {
    return "absent";
  }
  return stackLabelOf(object.kind, inspected) === stackName ? "ours" : "other";
}

/**
 * A stack's state as its backend keeps it, secrets encrypted (see encrypted-state.ts): the
 * Automation API's export and import would put them in plain text in a temporary file.
 */
export interface StackState {
  readonly name: string;
  read(): Promise<Deployment>;
  write(state: Deployment): Promise<void>;
}

/**
 * The plan for a state, from the state already exported (it says whether there is anything to
 * do, without exporting again), re-made on the encrypted state that is written back; that one is
 * read only when asked for (an up whose environment is there never needs it).
 */
async function planOn(
  stack: StackState,
  exported: unknown,
): Promise<{ plan: ContainedTeardown; state: () => Promise<Deployment> } | undefined> {
  const read = exported === undefined ? await stack.read() : undefined;
  const plan = planContainedTeardown((read ?? exported) as Deployment);
  return "ordinary" in plan ? undefined : { plan, state: async () => read ?? stack.read() };
}

function trimmed(state: Deployment): Deployment {
  const plan = planContainedTeardown(state);
  if ("ordinary" in plan) {
    throw new Error(`the state changed while it was read: ${plan.ordinary}`);
  }
  return withoutDropped(state, plan.dropped);
}

/**
 * Removes the stack's own containers and volumes and drops what lived only inside them from its
 * state, when that is safe (see above); the ordinary destroy then removes the rest. Says what it
 * did; does nothing where the ordinary destroy is needed. `exported`: the state as just exported
 * (secrets in plain text or not), if the caller has it.
 */
export async function containedTeardown(
  stack: StackState,
  log: (line: string) => void,
  exported?: unknown,
  docker: RunDocker = runDocker,
): Promise<void> {
  const planned = await planOn(stack, exported);
  if (planned === undefined) {
    return;
  }
  const { plan } = planned;
  const state = await planned.state();
  const foreign = plan.objects.find((object) => ownerOf(object, stack.name, docker) === "other");
  if (foreign) {
    log(
      `note: the ${foreign.kind} ${foreign.name} is not labelled with ${stack.name}: destroying resource by resource`,
    );
    return;
  }
  const removed = plan.objects.filter((object) =>
    removeOwnDockerObject(object, stack.name, docker),
  );
  await stack.write(trimmed(state));
  const names = removed.map((object) => `${object.kind} ${object.name}`).join(", ");
  log(
    `removed ${names || "no container or volume (already gone)"}; ${plan.dropped.size - plan.objects.length} resources that lived only inside them are gone with them`,
  );
}

/**
 * Before an up: where every container and volume of such an environment is gone (a teardown
 * stopped after its first step, or everything removed by hand), what lived inside them is gone
 * too. The state is trimmed as the teardown would have done, so the up creates the environment
 * again instead of trusting a state whose server no longer exists. Whether it did.
 */
export async function forgetRemovedEnvironment(
  stack: StackState,
  log: (line: string) => void,
  exported?: unknown,
  docker: RunDocker = runDocker,
): Promise<boolean> {
  const planned = await planOn(stack, exported);
  if (
    planned === undefined ||
    planned.plan.objects.length === 0 ||
    !planned.plan.objects.every((object) => ownerOf(object, stack.name, docker) === "absent")
  ) {
    return false;
  }
  // The unseal keys of a server the program initialized stay: a backup of its data needs them.
  const state = await planned.state();
  const plan = planContainedTeardown(state);
  if ("ordinary" in plan) {
    throw new Error(`the state changed while it was read: ${plan.ordinary}`);
  }
  await stack.write(withoutDroppedKeepingKeys(state, plan.dropped));
  log(
    `${stack.name}: its containers and volumes are gone (a teardown stopped half-way, or removed by hand), and so is what lived inside them; this up creates the environment again`,
  );
  return true;
}
