/**
 * Kubernetes and JWT/OIDC logins beside AppRole: one auth mount each, one role per app bound to
 * the app's identities, every role handing out the app's policy only (no "default" policy), with
 * the profile's token TTLs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { AppConfig, JwtMountConfig, KubernetesMountConfig } from "../stacks/config";
import { jwtRole, kubernetesRole, LoginTokenSettings, RoleBase, tokenArgs } from "./app-resources";

export interface LoginRoleApp {
  readonly app: AppConfig;
  /** The app's own ACL policy name. */
  readonly policy: pulumi.Input<string>;
}

/** One role per app that declares bindings for the method, keyed by app name. */
function rolePerApp<Bindings, Role>(
  component: string,
  args: { readonly apps: readonly LoginRoleApp[] } & LoginTokenSettings,
  bindingsOf: (app: AppConfig) => Bindings | undefined,
  make: (base: RoleBase, bindings: Bindings) => Role,
): Record<string, Role> {
  return Object.fromEntries(
    args.apps.flatMap(({ app, policy }) => {
      const bindings = bindingsOf(app);
      const base = {
        resource: `${component}-${app.name}`,
        roleName: app.name,
        token: tokenArgs(policy, args),
      };
      return bindings === undefined ? [] : [[app.name, make(base, bindings)]];
    }),
  );
}

export interface KubernetesLoginsArgs extends LoginTokenSettings {
  readonly mount: KubernetesMountConfig;
  readonly apps: readonly LoginRoleApp[];
}

/** Pods log in with their service-account token; Vault checks it with the cluster's TokenReview. */
export class KubernetesLogins extends pulumi.ComponentResource {
  public readonly backend: vault.AuthBackend;
  public readonly roles: Readonly<Record<string, vault.kubernetes.AuthBackendRole>>;

  constructor(name: string, args: KubernetesLoginsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:KubernetesLogins", name, {}, opts);
    this.backend = new vault.AuthBackend(
      `${name}-backend`,
      {
        type: "kubernetes",
        path: args.mount.path,
        description: "Kubernetes logins of apps, managed by vault-platform",
      },
      { parent: this },
    );
    const config = new vault.kubernetes.AuthBackendConfig(
      `${name}-config`,
      {
        backend: this.backend.path,
        kubernetesHost: args.mount.host,
        kubernetesCaCert: args.mount.caCertificate,
        tokenReviewerJwt: args.mount.tokenReviewerJwt,
        // Without a reviewer token Vault reviews each login with the client's own token.
        disableLocalCaJwt: true,
      },
      { parent: this, additionalSecretOutputs: ["tokenReviewerJwt"] },
    );
    this.roles = rolePerApp(
      name,
      args,
      (app) => app.kubernetes,
      (role, bindings) => kubernetesRole(this, this.backend.path, role, bindings, config),
    );
    this.registerOutputs({ roles: Object.keys(this.roles) });
  }
}

export interface JwtLoginsArgs extends LoginTokenSettings {
  readonly mount: JwtMountConfig;
  readonly apps: readonly LoginRoleApp[];
}

/** Workloads and CI log in with a signed JWT (e.g. GitHub Actions' OIDC token). */
export class JwtLogins extends pulumi.ComponentResource {
  public readonly backend: vault.jwt.AuthBackend;
  public readonly roles: Readonly<Record<string, vault.jwt.AuthBackendRole>>;

  constructor(name: string, args: JwtLoginsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:JwtLogins", name, {}, opts);
    this.backend = new vault.jwt.AuthBackend(
      `${name}-backend`,
      {
        path: args.mount.path,
        type: "jwt",
        description: "JWT/OIDC logins of apps, managed by vault-platform",
        boundIssuer: args.mount.boundIssuer,
        jwksUrl: args.mount.jwksUrl,
        jwtValidationPubkeys:
          args.mount.validationPublicKeys.length > 0
            ? [...args.mount.validationPublicKeys]
            : undefined,
        oidcDiscoveryUrl: args.mount.oidcDiscoveryUrl,
      },
      { parent: this },
    );
    this.roles = rolePerApp(
      name,
      args,
      (app) => app.jwt,
      (role, bindings) =>
        jwtRole(
          this,
          this.backend.path.apply((path) => path ?? args.mount.path),
          role,
          bindings,
        ),
    );
    this.registerOutputs({ roles: Object.keys(this.roles) });
  }
}
