/**
 * server.mode "dev" or "server": the program runs the server as containers on this Docker host,
 * initializes it (server mode) and configures it with a scoped provisioner token, never root.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { PlatformConfig } from "../stacks/config";
import { Bootstrap } from "./bootstrap";
import type { Connection } from "./connection";
import { dockerPrefix, environmentLabels } from "./naming";
import { renderProvisionerPolicy } from "./provisioner-policy";
import { AuditDeviceSpec } from "./server-config";
import { trustFilePath, writeTrustFile } from "./tls";
import { VaultServer } from "./vault-server";

export interface OwnServer extends Connection {
  readonly server: VaultServer;
  readonly bootstrap?: Bootstrap;
  /** The token the provider uses: dev root token, given token or provisioner token. */
  readonly token: pulumi.Output<string>;
}

/** Children are the platform's own (their names and parents predate this module). */
export function runOwnServer(
  platform: pulumi.Resource,
  name: string,
  config: PlatformConfig,
  auditDevices: readonly AuditDeviceSpec[],
  trustFile: string | undefined,
): OwnServer {
  const server = new VaultServer(
    `${name}-server`,
    {
      flavor: config.server.flavor,
      image: config.server.image,
      mode: config.server.mode === "server" ? "server" : "dev",
      network: config.server.network,
      bindAddress: config.server.bindAddress,
      port: config.server.port,
      namePrefix: dockerPrefix(config.stack),
      labels: environmentLabels(config.project, config.stack),
      auditDevices,
      token: config.vaultToken,
      unsealKeyShares: {
        shares: config.server.unsealKeyShares,
        threshold: config.server.unsealKeyThreshold,
      },
      unsealPgpKeys: config.server.unsealPgpKeys,
      nodes: config.server.nodes,
      protect: config.protect,
      tls: config.server.tls.mode === "disabled" ? undefined : config.server.tls,
    },
    { parent: platform },
  );
  const caCert = server.caCert;

  // A server this program initialized is configured with a scoped provisioner token, not root.
  let token = server.token;
  let bootstrap: Bootstrap | undefined;
  if (server.init) {
    bootstrap = new Bootstrap(
      `${name}-bootstrap`,
      {
        address: server.address,
        rootToken: server.token,
        caCert,
        revokeRootToken: config.server.revokeRootToken,
        policy: renderProvisionerPolicy({
          kv: config.kv.path,
          database: config.database.path,
          transit: config.transit.path,
          auth: [
            config.approle.path,
            ...(config.kubernetes ? [config.kubernetes.path] : []),
            ...(config.jwt ? [config.jwt.path] : []),
            ...(config.people ? [config.people.path] : []),
          ],
          identityGroups: config.people !== undefined,
          pki: config.pki
            ? [config.pki.path, ...(config.pki.rootPath ? [config.pki.rootPath] : [])]
            : [],
        }),
      },
      { parent: platform },
    );
    token = bootstrap.token;
  }

  const provider = new vault.Provider(
    `${name}-vault`,
    {
      address: server.address,
      token,
      caCertFile: caCert?.apply((pem) =>
        writeTrustFile(trustFile ?? trustFilePath(config.stack), pem),
      ),
      // The program talks to a Vault it just created; it must not wait for a remote lookup.
      skipGetVaultVersion: true,
      maxRetries: 5,
    },
    { parent: platform },
  );
  return {
    server,
    bootstrap,
    token,
    address: server.address,
    caCert,
    provider,
    access: { address: server.address, token, caCert },
  };
}
