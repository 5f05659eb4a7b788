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
