/**
 * Names of things outside Pulumi (Docker objects, Postgres roles and databases) derive from the
 * project and stack, so that two environments on one Docker host or one Postgres server never
 * collide, and so that a teardown check can find everything an environment created.
 */

/** Docker object prefix, e.g. "vp-pr-7". Docker names allow [a-zA-Z0-9_.-]. */
export function dockerPrefix(stack: string): string {
  return `vp-${stack}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
}

/** Postgres identifiers: lower case, [a-z0-9_], at most 63 bytes. */
export function pgIdentifier(...parts: string[]): string {
  return parts
    .join("_")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 63);
}

/** Labels every Docker object of an environment carries (teardown checks select on them). */
export function environmentLabels(project: string, stack: string): Record<string, string> {
  return {
    "vault-platform.project": project,
    "vault-platform.stack": stack,
  };
}
