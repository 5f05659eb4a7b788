import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { AppRoleSpec, appRoleLogin } from "./app-resources";

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
      const login = appRoleLogin(`${name}-${spec.name}`, this.backend.path, spec, this);
      roles[spec.name] = login.role;
      roleIds[spec.name] = login.role.roleId;
      if (login.wrappedSecretId) {
        wrapped[spec.name] = login.wrappedSecretId;
      }
    }
    this.roles = roles;
    this.roleIds = roleIds;
    this.wrappedSecretIds = wrapped;
    this.registerOutputs({ roleIds, wrappedSecretIds: wrapped });
  }
}
