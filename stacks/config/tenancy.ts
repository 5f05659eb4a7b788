/**
 * How stacks share a cluster the program does not run. "namespace": each pr-<n> stack in a
 * namespace of its own (Vault Enterprise, HCP Vault, OpenBao 2.3+). "prefix": where a cluster has
 * no namespaces (Vault Community, OpenBao before 2.3), every mount, auth path and policy name of
 * the stack starts with its name, beside mounts the stack does not own: pr-7/secret,
 * auth/pr-7/approle, policy pr-7-app-orders. The prefix is applied to the resolved config once
 * (these two functions); everything downstream reads the prefixed paths and names.
 */
import type { Problems } from "./problems";

export const TENANCIES = ["namespace", "prefix"] as const;
export type Tenancy = (typeof TENANCIES)[number];

/** A mount or auth path of the stack: under its prefix, where it has one. */
export function prefixedPath(prefix: string | undefined, path: string): string {
  return prefix === undefined ? path : `${prefix}/${path}`;
}

/** A policy name of the stack: policies are not paths, so the prefix joins with "-". */
export function prefixedName(prefix: string | undefined, name: string): string {
  return prefix === undefined ? name : `${prefix}-${name}`;
}

/**
 * Identity groups (a team's, idp-<group>, platform-admins) are named for the whole namespace:
 * a prefix fences off paths and policies, not them, so a stack under a prefix lets no people in.
 */
export function checkNoPeopleUnderPrefix(
  tenancyKey: string,
  teams: readonly { readonly name: string }[] | undefined,
  people: unknown,
  problems: Problems,
): void {
  const why = `identity groups are shared by every stack of the namespace, and ${tenancyKey}.tenancy "prefix" fences off paths and policy names only`;
  if (teams !== undefined && teams.length > 0) {
    problems.add(
      "teams",
      [],
      `${why}; expected no teams under it`,
      teams.map((team) => team.name),
    );
  }
  if (people !== undefined) {
    problems.add("people", [], `${why}; expected no people login under it`, people);
  }
}
