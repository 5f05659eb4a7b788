/**
 * How the resources of an exported state refer to each other: what teardown drops with a
 * container, and what the checks before `up` refresh with an object found gone.
 */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly parent?: string;
  readonly provider?: string;
  readonly protect?: boolean;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly deletedWith?: string;
  readonly inputs?: { readonly name?: unknown };
  readonly outputs?: Readonly<Record<string, unknown>>;
}

export interface Deployment {
  readonly version?: number;
  readonly deployment: {
    readonly resources?: readonly StateResource[];
    readonly pending_operations?: readonly unknown[];
    readonly [key: string]: unknown;
  };
}

/** "vault:index/mount:Mount" -> vault; "pulumi:providers:vault" -> vault. */
export function packageOf(resource: StateResource): string {
  return resource.type.startsWith("pulumi:providers:")
    ? resource.type.slice("pulumi:providers:".length)
    : resource.type.split(":")[0];
}

/** The URNs a resource refers to: what it depends on, its provider, parent and deletedWith. */
export function referencesOf(resource: StateResource): string[] {
  return [
    ...(resource.dependencies ?? []),
    ...Object.values(resource.propertyDependencies ?? {}).flat(),
    // A provider reference is "<urn>::<id>".
    ...(resource.provider ? [resource.provider.slice(0, resource.provider.lastIndexOf("::"))] : []),
    ...(resource.parent ? [resource.parent] : []),
    ...(resource.deletedWith ? [resource.deletedWith] : []),
  ];
}

/**
 * The given URNs and every resource that depends on one of them, directly or not (the state lists
 * what a resource refers to before it, so one pass finds them all). Not through parents: a
 * component that waits for something (the Database component waits for the audit devices) does
 * not make its children depend on it.
 */
export function withDependents(
  resources: readonly StateResource[],
  urns: Iterable<string>,
): Set<string> {
  const found = new Set(urns);
  for (const resource of resources) {
    const references = referencesOf(resource).filter((urn) => urn !== resource.parent);
    if (!found.has(resource.urn) && references.some((urn) => found.has(urn))) {
      found.add(resource.urn);
    }
  }
  return found;
}

/** The resource without its dependencies on the dropped ones. */
export function withoutReferencesTo(
  resource: StateResource,
  dropped: ReadonlySet<string>,
): StateResource {
  const kept = (urns: readonly string[] = []) => urns.filter((urn) => !dropped.has(urn));
  if (![...(resource.dependencies ?? [])].some((urn) => dropped.has(urn))) {
    return resource;
  }
  return {
    ...resource,
    dependencies: kept(resource.dependencies),
    propertyDependencies: Object.fromEntries(
      Object.entries(resource.propertyDependencies ?? {}).map(([key, urns]) => [key, kept(urns)]),
    ),
  };
}

/** The resource that holds a server's unseal keys (infra/server-init.ts). */
export function holdsServerKeys(resource: StateResource): boolean {
  return resource.type.endsWith(":ServerInit");
}

/**
 * The state without the dropped resources, but for the server's unseal keys: a server whose data
 * is gone is initialized again by the next up, and the keys of its old data stay for a restore
 * (npm run restore).
 */
export function withoutDroppedKeepingKeys(
  deployment: Deployment,
  dropped: ReadonlySet<string>,
): Deployment {
  const resources = deployment.deployment.resources ?? [];
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  // The keys, and the components they are children of (a state needs a child's parent).
  const kept = new Set<string>();
  for (const keys of resources.filter(holdsServerKeys)) {
    for (let at: StateResource | undefined = keys; at; at = byUrn.get(at.parent ?? "")) {
      kept.add(at.urn);
    }
  }
  const gone = new Set(
    resources
      .filter((resource) => dropped.has(resource.urn) && !kept.has(resource.urn))
      .map((resource) => resource.urn),
  );
  return {
    ...deployment,
    deployment: {
      ...deployment.deployment,
      resources: resources
        .filter((resource) => !gone.has(resource.urn))
        .map((resource) => withoutReferencesTo(resource, gone)),
    },
  };
}
