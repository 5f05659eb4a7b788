/**
 * What one app owns, as resources: its ACL policy, its AppRole role (and a wrapped secret-id),
 * its Kubernetes and JWT roles, its database role and its transit keys. infra/apps.ts decides
 * what an app gets; this file is where each of those becomes a resource. The components that
 * hold the mounts (policy-set, approle, login-roles, database, transit) call these, so every
 * resource keeps its parent and its name (its URN).
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { AppConfig } from "../stacks/config";
import { creationStatements, DatabaseAccess, revocationStatements } from "./database-statements";

/** The app's ACL policy: the document infra/apps.ts rendered, under the app's policy name. */
export function appPolicy(
  resourceName: string,
  policyName: string,
  document: string,
  parent: pulumi.Resource,
): vault.Policy {
  return new vault.Policy(resourceName, { name: policyName, policy: document }, { parent });
}

export interface AppRoleSpec {
  /** App name; the role's stable identity. */
  readonly name: string;
  /** The app's own policy; the token gets exactly this (no "default" policy). */
  readonly policy: pulumi.Input<string>;
  readonly tokenTtlSeconds: number;
  readonly tokenMaxTtlSeconds: number;
  readonly secretIdTtlSeconds: number;
  readonly secretIdNumUses: number;
  /** Where logins and the issued tokens may come from; empty = anywhere. */
  readonly boundCidrs: readonly string[];
  /** Issue one secret-id now, returned only response-wrapped. */
  readonly issueSecretId: boolean;
  /** TTL of the wrapping token, e.g. "5m". */
  readonly secretIdWrapTtl: string;
}

/**
 * The app's AppRole role: its policy only, secret-ids bound to its CIDRs; and, when asked, one
 * secret-id handed out response-wrapped (the wrapping token is secret).
 */
export function appRoleLogin(
  resourceName: string,
  backend: pulumi.Input<string>,
  spec: AppRoleSpec,
  parent: pulumi.Resource,
): { role: vault.approle.AuthBackendRole; wrappedSecretId?: pulumi.Output<string> } {
  const cidrs = spec.boundCidrs.length > 0 ? [...spec.boundCidrs] : undefined;
  const role = new vault.approle.AuthBackendRole(
    resourceName,
    {
      backend,
      roleName: spec.name,
      tokenPolicies: [spec.policy],
      tokenNoDefaultPolicy: true,
      tokenType: "service",
      tokenTtl: spec.tokenTtlSeconds,
      tokenMaxTtl: spec.tokenMaxTtlSeconds,
      secretIdTtl: spec.secretIdTtlSeconds,
      secretIdNumUses: spec.secretIdNumUses,
      bindSecretId: true,
      secretIdBoundCidrs: cidrs,
      tokenBoundCidrs: cidrs,
    },
    { parent },
  );
  if (!spec.issueSecretId) {
    return { role };
  }
  const secretId = new vault.approle.AuthBackendRoleSecretId(
    `${resourceName}-secret-id`,
    {
      backend,
      roleName: role.roleName,
      wrappingTtl: spec.secretIdWrapTtl,
      cidrLists: cidrs,
    },
    { parent, additionalSecretOutputs: ["secretId", "wrappingToken", "wrappingAccessor"] },
  );
  return { role, wrappedSecretId: pulumi.secret(secretId.wrappingToken) };
}

export interface LoginTokenSettings {
  readonly tokenTtlSeconds: number;
  readonly tokenMaxTtlSeconds: number;
}

export function tokenArgs(policy: pulumi.Input<string>, settings: LoginTokenSettings) {
  return {
    tokenPolicies: [policy],
    tokenNoDefaultPolicy: true,
    tokenType: "service",
    tokenTtl: settings.tokenTtlSeconds,
    tokenMaxTtl: settings.tokenMaxTtlSeconds,
  };
}

/** What every role of an app shares: its names and the token it hands out. */
export interface RoleBase {
  /** The Pulumi resource name, `<component>-<app>`. */
  readonly resource: string;
  /** The role's name in Vault: the app's name. */
  readonly roleName: string;
  readonly token: ReturnType<typeof tokenArgs>;
}

type Bindings<Method extends "kubernetes" | "jwt"> = NonNullable<AppConfig[Method]>;

/** An app's Kubernetes role: its service accounts in its namespaces. */
export function kubernetesRole(
  parent: pulumi.Resource,
  backend: pulumi.Input<string>,
  role: RoleBase,
  bindings: Bindings<"kubernetes">,
  config: pulumi.Resource,
): vault.kubernetes.AuthBackendRole {
  return new vault.kubernetes.AuthBackendRole(
    role.resource,
    {
      backend,
      roleName: role.roleName,
      boundServiceAccountNames: [...bindings.serviceAccounts],
      boundServiceAccountNamespaces: [...bindings.namespaces],
      audience: bindings.audience,
      ...role.token,
    },
    { parent, dependsOn: [config] },
  );
}

/** An app's JWT role: the tokens whose audience, subject and claims are the app's. */
export function jwtRole(
  parent: pulumi.Resource,
  backend: pulumi.Input<string>,
  role: RoleBase,
  bindings: Bindings<"jwt">,
): vault.jwt.AuthBackendRole {
  return new vault.jwt.AuthBackendRole(
    role.resource,
    {
      backend,
      roleName: role.roleName,
      roleType: "jwt",
      userClaim: bindings.userClaim,
      boundAudiences: bindings.boundAudiences.length > 0 ? [...bindings.boundAudiences] : undefined,
      // Vault takes a list as one comma-separated value.
      boundClaims:
        Object.keys(bindings.boundClaims).length > 0
          ? Object.fromEntries(
              Object.entries(bindings.boundClaims).map(([claim, value]) => [
                claim,
                typeof value === "string" ? value : value.join(","),
              ]),
            )
          : undefined,
      boundSubject: bindings.boundSubject,
      ...role.token,
    },
    { parent },
  );
}

export interface DatabaseAppSpec {
  /** App name; the Vault role's stable identity. */
  readonly name: string;
  readonly access: DatabaseAccess;
}

/** The app's database role: each credential a new Postgres user in the app's group role. */
export function appDatabaseRole(
  resourceName: string,
  app: DatabaseAppSpec,
  args: {
    readonly mount: pulumi.Input<string>;
    readonly connection: pulumi.Input<string>;
    /** The NOLOGIN group role of the app's access level. */
    readonly groupRole: pulumi.Output<string>;
    /** The Postgres role Vault logs in as. */
    readonly vaultRole: string;
    readonly defaultTtlSeconds: number;
    readonly maxTtlSeconds: number;
    readonly opts: pulumi.CustomResourceOptions;
  },
): vault.database.SecretBackendRole {
  return new vault.database.SecretBackendRole(
    resourceName,
    {
      backend: args.mount,
      name: app.name,
      dbName: args.connection,
      creationStatements: args.groupRole.apply((groupName) =>
        creationStatements(groupName, args.vaultRole),
      ),
      revocationStatements: revocationStatements(),
      defaultTtl: args.defaultTtlSeconds,
      maxTtl: args.maxTtlSeconds,
    },
    args.opts,
  );
}

export interface TransitKeySpec {
  /** Key name; its stable identity (resource names derive from it). */
  readonly name: string;
  /** Seconds between automatic rotations (0 = never). */
  readonly autoRotatePeriodSeconds: number;
}

/** One of the app's transit keys; key material never leaves Vault. */
export function appTransitKey(
  resourceName: string,
  key: TransitKeySpec,
  mount: pulumi.Input<string>,
  /** Only where the environment may be torn down: lets destroy delete the key. */
  deletionAllowed: boolean,
  opts: pulumi.CustomResourceOptions,
): vault.transit.SecretBackendKey {
  const keyArgs: vault.transit.SecretBackendKeyArgs = {
    backend: mount,
    name: key.name,
    type: "aes256-gcm96",
    autoRotatePeriod: key.autoRotatePeriodSeconds,
    exportable: false,
    allowPlaintextBackup: false,
    deletionAllowed,
  };
  return new vault.transit.SecretBackendKey(resourceName, keyArgs, opts);
}
