/**
 * The pending creates a killed run leaves in the state, and what becomes of each: one rule for
 * Docker, Postgres and Vault objects. A pending create says the engine asked a provider to create
 * an object and never heard back; the object may or may not exist.
 *  - adopt: an object whose create fails when it exists (a Postgres role or database, a Vault
 *    mount, auth method, audit device, namespace or AppRole role: "role ... already exists",
 *    "path is already in use"). It goes into the state under the ID the program would have got (its name or path),
 *    and a refresh of exactly those resources reads it back: where it exists it is adopted, where
 *    it does not the refresh drops it and the up creates it.
 *  - remove: a Docker object, labelled with the stack (docker-objects.ts). Adopting a container
 *    is not safe (it may have been created with half its settings), and removing it loses nothing.
 *  - clear: an object whose create writes over an existing one (a policy, a role in Vault, a
 *    grant, a transit key, a generated password): the pending create is forgotten and the up
 *    creates it again.
 * Pure: reads and writes exported states (secrets encrypted or not, they are copied as they are).
 */
import { DOCKER_KINDS, DockerObject } from "./docker-objects";
import type { Deployment, StateResource } from "./state-graph";

interface PendingResource extends StateResource {
  readonly inputs?: Readonly<Record<string, unknown>>;
}

interface PendingOperation {
  readonly type: string;
  readonly resource: PendingResource;
}

export type Resolution =
  | { readonly action: "adopt"; readonly id: string }
  | { readonly action: "remove"; readonly object: DockerObject }
  | { readonly action: "clear" };

export interface PendingCreate {
  readonly urn: string;
  readonly type: string;
  /** What a user calls it: "role vp_pr_7_readonly", "mount database", "container vp-pr-7-vault". */
  readonly object: string;
  readonly resolution: Resolution;
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined;

type PendingInputs = Readonly<Record<string, unknown>>;

/** The types whose create fails on an existing object: what they are called, and their ID. */
const ADOPTABLE: Readonly<
  Record<string, { readonly noun: string; readonly id: (inputs: PendingInputs) => unknown }>
> = {
  "postgresql:index/role:Role": { noun: "role", id: (inputs) => inputs.name },
  "postgresql:index/database:Database": { noun: "database", id: (inputs) => inputs.name },
  "vault:index/mount:Mount": { noun: "mount", id: (inputs) => inputs.path },
  // An auth method or audit device without a path is mounted at its type's name.
  "vault:index/authBackend:AuthBackend": {
    noun: "auth method",
    id: (inputs) => inputs.path ?? inputs.type,
  },
  "vault:jwt/authBackend:AuthBackend": {
    noun: "auth method",
    id: (inputs) => inputs.path ?? inputs.type ?? "jwt",
  },
  "vault:index/audit:Audit": { noun: "audit device", id: (inputs) => inputs.path ?? inputs.type },
  "vault:index/namespace:Namespace": { noun: "namespace", id: (inputs) => inputs.path },
  // Written again over itself, an AppRole role is refused: "local_secret_ids can only be
  // modified during role creation".
  "vault:appRole/authBackendRole:AuthBackendRole": {
    noun: "AppRole role",
    id: (inputs) =>
      typeof inputs.roleName === "string"
        ? `auth/${String(inputs.backend ?? "approle").replace(/^\/+|\/+$/g, "")}/role/${inputs.roleName}`
        : undefined,
  },
};

function shortName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** What becomes of one pending create (see above). */
export function resolvePendingCreate(resource: PendingResource): PendingCreate {
  const inputs = resource.inputs ?? {};
  const dockerKind = DOCKER_KINDS[resource.type];
  const dockerName = text(inputs.name);
  if (dockerKind && dockerName) {
    return {
      urn: resource.urn,
      type: resource.type,
      object: `${dockerKind} ${dockerName}`,
      resolution: { action: "remove", object: { kind: dockerKind, name: dockerName } },
    };
  }
  const adoptable = ADOPTABLE[resource.type];
  const id = adoptable ? text(adoptable.id(inputs))?.replace(/^\/+|\/+$/g, "") : undefined;
  if (adoptable && id) {
    return {
      urn: resource.urn,
      type: resource.type,
      object: `${adoptable.noun} ${id}`,
      resolution: { action: "adopt", id },
    };
  }
  return {
    urn: resource.urn,
    type: resource.type,
    object: `${shortName(resource.urn)} (${resource.type})`,
    resolution: { action: "clear" },
  };
}

function pendingOperations(deployment: unknown): PendingOperation[] {
  return ((deployment as Deployment | undefined)?.deployment?.pending_operations ??
    []) as PendingOperation[];
}

/** The pending creates of an exported deployment, each with its resolution. */
export function pendingCreates(deployment: unknown): PendingCreate[] {
  return pendingOperations(deployment)
    .filter((operation) => operation.type === "creating")
    .map((operation) => resolvePendingCreate(operation.resource));
}

/**
 * The state with every pending create resolved: the adopted ones become resources with their ID
 * (their outputs, until the refresh reads them, are their inputs), the pending operations are
 * gone. Appended at the end: what a pending create depends on was created, so listed, before it.
 */
export function withPendingResolved(deployment: Deployment): Deployment {
  const adopted = pendingOperations(deployment).flatMap((operation) => {
    const { resolution } = resolvePendingCreate(operation.resource);
    if (operation.type !== "creating" || resolution.action !== "adopt") {
      return [];
    }
    const resource = operation.resource;
    return [{ ...resource, id: resolution.id, outputs: { ...resource.inputs, id: resolution.id } }];
  });
  return {
    ...deployment,
    deployment: {
      ...deployment.deployment,
      resources: [...(deployment.deployment.resources ?? []), ...adopted],
      pending_operations: [],
    },
  };
}

/** The line a plan shows for a pending create, before it is carried out. */
export function describePendingCreate(create: PendingCreate): string {
  switch (create.resolution.action) {
    case "remove":
      return `remove the ${create.object} (labelled with this stack) an interrupted run created, then forget its pending create`;
    case "adopt":
      return `adopt the ${create.object} if the interrupted run created it (else the next up creates it)`;
    case "clear":
      return `forget the pending create of ${create.object}; the next up creates it`;
  }
}

/** What was done for each adopted create, once the refresh read them back. */
export function describeAdoption(
  adopted: readonly PendingCreate[],
  refreshed: Deployment,
): string[] {
  const present = new Set((refreshed.deployment.resources ?? []).map((resource) => resource.urn));
  return adopted.map((create) =>
    present.has(create.urn)
      ? `adopted ${create.object} created by the interrupted run`
      : `${create.object}: the interrupted run had not created it; this up creates it`,
  );
}
