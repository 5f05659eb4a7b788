/**
 * People: engineers log in through the company's identity provider (OIDC single sign-on, or a
 * JWT for CLI/ID tokens) with one role for everyone; what they may do comes from the teams their
 * IdP groups make up. Per team: its policy (derived from the apps it owns, infra/teams.ts) held by
 * one internal identity group, whose members are one external group per IdP group, each with its
 * alias bound to the login's mount. Platform admins: one more such group with the policies the
 * config names.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { PeopleConfig } from "../stacks/config";
import { PolicySet } from "./policy-set";
import { ADMINS_GROUP, TeamPlan } from "./teams";

export interface PeopleArgs {
  readonly login: PeopleConfig;
  readonly teams: readonly TeamPlan[];
}

/**
 * A resource name part for an IdP group: the name itself where it is plain, else a slug with a
 * hash, so that any group text makes a stable, valid name.
 */
export function groupKey(group: string): string {
  if (/^[A-Za-z0-9._-]+$/.test(group)) {
    return group;
  }
  const slug = group.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return `${slug}-${crypto.createHash("sha256").update(group).digest("hex").slice(0, 8)}`;
}

/** The identity group of one IdP group is named with this prefix and the group's key. */
export const IDP_GROUP_PREFIX = "idp-";

/** Every IdP group that maps to somebody: the teams' and the admins'. */
export function mappedGroups(login: PeopleConfig, teams: readonly TeamPlan[]): string[] {
  return [...teams.flatMap((plan) => plan.team.groups), ...(login.admins?.groups ?? [])].sort();
}

export class People extends pulumi.ComponentResource {
  public readonly backend: vault.jwt.AuthBackend;
  public readonly role: vault.jwt.AuthBackendRole;
  public readonly policies: PolicySet;
  public readonly groups: Readonly<Record<string, vault.identity.Group>>;
  public readonly aliases: readonly vault.identity.GroupAlias[];

  constructor(name: string, args: PeopleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:People", name, {}, opts);
    const { login } = args;
    this.backend = new vault.jwt.AuthBackend(
      `${name}-backend`,
      {
        path: login.path,
        type: login.method,
        description: "People's single sign-on, managed by vault-platform",
        defaultRole: login.role,
        ...(login.oidc
          ? {
              oidcDiscoveryUrl: login.oidc.discoveryUrl,
              oidcClientId: login.oidc.clientId,
              oidcClientSecret: login.oidc.clientSecret,
            }
          : {
              oidcDiscoveryUrl: login.jwt?.discoveryUrl,
              jwksUrl: login.jwt?.jwksUrl,
              jwtValidationPubkeys:
                login.jwt && login.jwt.validationPublicKeys.length > 0
                  ? [...login.jwt.validationPublicKeys]
                  : undefined,
              boundIssuer: login.jwt?.boundIssuer,
            }),
      },
      { parent: this, additionalSecretOutputs: ["oidcClientSecret"] },
    );
    this.role = new vault.jwt.AuthBackendRole(
      `${name}-role`,
      {
        backend: this.backend.path.apply((path) => path ?? login.path),
        roleName: login.role,
        roleType: login.method,
        userClaim: login.userClaim,
        groupsClaim: login.groupsClaim,
        boundAudiences: [...login.boundAudiences],
        // Only a member of a mapped group gets a token at all (Vault takes a list as one
        // comma-separated value; a claim that is a list matches when one of its values does).
        boundClaims: { [login.groupsClaim]: mappedGroups(login, args.teams).join(",") },
        ...(login.oidc
          ? {
              allowedRedirectUris: [...login.oidc.redirectUris],
              oidcScopes: [...login.oidc.scopes],
            }
          : {}),
        // No token policy: what a person may do comes from their teams' groups; the token
        // itself keeps Vault's `default` policy (lookup, renew and revoke of itself).
        tokenType: "service",
        tokenTtl: login.tokenTtlSeconds,
        tokenMaxTtl: login.tokenMaxTtlSeconds,
      },
      { parent: this },
    );
    this.policies = new PolicySet(
      `${name}-policies`,
      {
        documents: Object.fromEntries(
          args.teams.map((plan) => [plan.policyName, plan.policyDocument]),
        ),
      },
      { parent: this },
    );
    const groups: Record<string, vault.identity.Group> = {};
    const aliases: vault.identity.GroupAlias[] = [];
    // Vault gives an external group one alias: each IdP group is an external group of its own,
    // a member of the team's internal group, which holds the policy its members inherit.
    const addGroup = (
      groupName: string,
      policies: pulumi.Input<string>[],
      idpGroups: readonly string[],
      metadata: Record<string, string>,
    ) => {
      const members = idpGroups.map((idpGroup) => {
        const external = new vault.identity.Group(
          `${name}-${IDP_GROUP_PREFIX}${groupKey(idpGroup)}`,
          {
            name: `${IDP_GROUP_PREFIX}${groupKey(idpGroup)}`,
            type: "external",
            metadata: { managedBy: "vault-platform", idpGroup, memberOf: groupName },
          },
          { parent: this },
        );
        groups[`${IDP_GROUP_PREFIX}${groupKey(idpGroup)}`] = external;
        aliases.push(
          new vault.identity.GroupAlias(
            `${name}-${IDP_GROUP_PREFIX}${groupKey(idpGroup)}-alias`,
            { name: idpGroup, mountAccessor: this.backend.accessor, canonicalId: external.id },
            { parent: this },
          ),
        );
        return external.id;
      });
      groups[groupName] = new vault.identity.Group(
        `${name}-${groupName}`,
        { name: groupName, type: "internal", policies, memberGroupIds: members, metadata },
        { parent: this },
      );
    };
    for (const plan of args.teams) {
      addGroup(plan.policyName, [this.policies.policies[plan.policyName].name], plan.team.groups, {
        managedBy: "vault-platform",
        team: plan.team.name,
        access: plan.team.access,
      });
    }
    if (login.admins) {
      addGroup(ADMINS_GROUP, [...login.admins.policies], login.admins.groups, {
        managedBy: "vault-platform",
      });
    }
    this.groups = groups;
    this.aliases = aliases;
    this.registerOutputs({ groups: Object.keys(groups) });
  }
}
