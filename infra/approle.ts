import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";

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

export interface AppRoleArgs {
  /** Auth mount path, e.g. "approle". */
  readonly path: string;
  readonly roles: readonly AppRoleSpec[];
}

/** The AppRole auth method and one hardened role per app. */
export class AppRole extends pulumi.ComponentResource {
  public readonly backend: vault.AuthBackend;
  public readonly roles: Readonly<Record<string, vault.approle.AuthBackendRole>>;
  /** role_id per app (an identifier, not a credential). */
  public readonly roleIds: Readonly<Record<string, pulumi.Output<string>>>;
  /** Response-wrapping token of a fresh secret-id, per app that asked for one; secret. */
  public readonly wrappedSecretIds: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: AppRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:AppRole", name, {}, opts);
    this.backend = new vault.AuthBackend(
      `${name}-backend`,
      {
        type: "approle",
        path: args.path,
        description: "AppRole logins of apps, managed by vault-platform",
      },
      { parent: this },
    );
    const roles: Record<string, vault.approle.AuthBackendRole> = {};
    const roleIds: Record<string, pulumi.Output<string>> = {};
    const wrapped: Record<string, pulumi.Output<string>> = {};
    for (const spec of args.roles) {
      const cidrs = spec.boundCidrs.length > 0 ? [...spec.boundCidrs] : undefined;
      const role = new vault.approle.AuthBackendRole(
        `${name}-${spec.name}`,
        {
          backend: this.backend.path,
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
        { parent: this },
      );
      roles[spec.name] = role;
      roleIds[spec.name] = role.roleId;
      if (spec.issueSecretId) {
        const secretId = new vault.approle.AuthBackendRoleSecretId(
          `${name}-${spec.name}-secret-id`,
          {
            backend: this.backend.path,
            roleName: role.roleName,
            wrappingTtl: spec.secretIdWrapTtl,
            cidrLists: cidrs,
          },
          {
            parent: this,
            additionalSecretOutputs: ["secretId", "wrappingToken", "wrappingAccessor"],
          },
        );
        wrapped[spec.name] = pulumi.secret(secretId.wrappingToken);
      }
    }
    this.roles = roles;
    this.roleIds = roleIds;
    this.wrappedSecretIds = wrapped;
    this.registerOutputs({ roleIds, wrappedSecretIds: wrapped });
  }
}
