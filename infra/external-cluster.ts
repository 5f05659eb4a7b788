/**
 * server.mode "external": a cluster the program does not run. The provider logs in as the
 * program (token, AppRole or JWT) and works with a short-lived child token; with a namespace,
 * everything is configured inside it, and a namespace the stack created goes with the stack.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { ExternalClusterConfig, NamespaceConfig, ProgramAuth } from "../stacks/config";
import type { Connection } from "./connection";
import { trustFilePath, writeTrustFile } from "./tls";
import type { ProgramLogin } from "./vault-http";
import type { VaultAccess } from "./vault-request";

export interface ExternalCluster extends Connection {
  /** The namespace this stack created (deleted with it). */
  readonly namespace?: vault.Namespace;
  /** The namespace everything is configured in, once it exists. */
  readonly namespacePath?: pulumi.Output<string>;
}

/** The program's login as lifecycle calls make it (no JWT: it stays in the environment). */
export function programLogin(auth: ProgramAuth): ProgramLogin | undefined {
  switch (auth.method) {
    case "token":
      return undefined;
    case "approle":
      return { method: "approle", path: auth.path, roleId: auth.roleId, namespace: auth.namespace };
    case "jwt":
      return { method: "jwt", path: auth.path, role: auth.role, namespace: auth.namespace };
  }
}

/**
 * The provider's login arguments. The JWT is not one of them: the provider reads it from
 * TERRAFORM_VAULT_AUTH_JWT, which the CLI sets, so no JWT is ever kept in state.
 */
export function providerLogin(auth: ProgramAuth): Partial<vault.ProviderArgs> {
  const where = auth.method === "token" ? {} : loginNamespace(auth.namespace);
  switch (auth.method) {
    case "token":
      return { token: auth.token };
    case "approle":
      // The provider's generic login: a POST of these parameters to the login path.
      return {
        authLogin: {
          path: `auth/${auth.path}/login`,
          parameters: pulumi.secret(
            auth.secretId.apply((secretId) => ({ role_id: auth.roleId, secret_id: secretId })),
          ),
          ...where,
        },
      };
    case "jwt":
      return { authLoginJwt: { mount: auth.path, role: auth.role, ...where } };
  }
}

/** The auth mount's namespace: the one given, else the root (not the stack's namespace). */
function loginNamespace(namespace: string | undefined) {
  return namespace === undefined ? { useRootNamespace: true } : { namespace };
}

/** Children are the platform's own, like those of a server the program runs. */
export function connectExternal(
  platform: pulumi.Resource,
  name: string,
  args: {
    readonly stack: string;
    readonly cluster: ExternalClusterConfig;
    readonly namespace?: NamespaceConfig;
    readonly protect: boolean;
    readonly trustFile?: string;
  },
): ExternalCluster {
  const { cluster, namespace } = args;
  const address = pulumi.output(cluster.addresses[0]);
  const caCert =
    cluster.caCertificate === undefined ? undefined : pulumi.output(cluster.caCertificate);
  const base: vault.ProviderArgs = {
    address,
    caCertFile: caCert?.apply((pem) =>
      writeTrustFile(args.trustFile ?? trustFilePath(args.stack), pem),
    ),
    // Vault Enterprise, HCP and OpenBao differ in version strings; nothing here depends on one.
    skipGetVaultVersion: true,
    maxRetries: 5,
    ...providerLogin(cluster.auth),
  };

  let namespaceResource: vault.Namespace | undefined;
  let namespacePath: pulumi.Output<string> | undefined;
  if (namespace?.create) {
    const rootProvider = new vault.Provider(`${name}-vault-root`, base, { parent: platform });
    const segments = namespace.path.split("/");
    const leaf = segments.pop() as string;
    namespaceResource = new vault.Namespace(
      `${name}-namespace`,
      { path: leaf, namespace: segments.length > 0 ? segments.join("/") : undefined },
      { parent: platform, provider: rootProvider, protect: args.protect },
    );
    // The full path, known once the namespace exists: everything inside waits for it.
    namespacePath = namespaceResource.path.apply(() => namespace.path);
  } else if (namespace) {
    namespacePath = pulumi.output(namespace.path);
  }

  const provider = new vault.Provider(
    `${name}-vault`,
    { ...base, namespace: namespacePath },
    { parent: platform },
  );
  const auth = cluster.auth;
  const access: VaultAccess = {
    address,
    caCert,
    namespace: namespacePath,
    token: auth.method === "token" ? auth.token : undefined,
    login: programLogin(auth),
    secretId: auth.method === "approle" ? auth.secretId : undefined,
  };
  return { address, caCert, provider, access, namespace: namespaceResource, namespacePath };
}
