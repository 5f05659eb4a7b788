/**
 * The Postgres role Vault connects as, after the server's data changed under it. Vault rotates
 * that role's password once its connection exists (only Vault knows it then): a server whose
 * data was lost can no longer connect with the password in the state, and a server restored from
 * a snapshot holds the password of that time. Both are put right the same way: the role's
 * password goes back to the state's (as the Postgres admin), and, for a restored server, its
 * connection takes it again and rotates it.
 */
import { Client } from "pg";
import { vaultHttp } from "../../infra/vault-http";
import { reveal } from "../engine/workspace";
import { postgresSettings } from "./missing-objects";
import type { Deployment, StateResource } from "./state-graph";

export interface DatabaseCredential {
  /** The Postgres role Vault connects as, and its password as the state holds it. */
  readonly role: string;
  readonly password: string;
  /** The Vault connection that uses it: its mount and name. */
  readonly mount: string;
  readonly connection: string;
  /** Whether the stack rotates the role's password once the connection exists. */
  readonly rotates: boolean;
}

const resourcesOf = (deployment: unknown): readonly StateResource[] =>
  (deployment as Deployment | undefined)?.deployment?.resources ?? [];

/** What the state says of Vault's Postgres role and connection (secrets in plain text). */
export function databaseCredential(deployment: unknown): DatabaseCredential | undefined {
  const resources = resourcesOf(deployment);
  const role = resources.find(
    (resource) =>
      resource.type === "postgresql:index/role:Role" && resource.urn.endsWith("-vault-role"),
  );
  const connection = resources.find(
    (resource) =>
      resource.type === "vault:database/secretBackendConnection:SecretBackendConnection",
  );
  const [name, password] = ["name", "password"].map((key) => reveal(role?.outputs?.[key]));
  const [mount, connectionName] = ["backend", "name"].map((key) =>
    reveal(connection?.outputs?.[key] ?? (connection?.inputs as Record<string, unknown>)?.[key]),
  );
  if (
    typeof name !== "string" ||
    typeof password !== "string" ||
    typeof mount !== "string" ||
    typeof connectionName !== "string"
  ) {
    return undefined;
  }
  return {
    role: name,
    password,
    mount,
    connection: connectionName,
    rotates: resources.some((resource) => resource.urn.endsWith("-rotate-root")),
  };
}

/** Sets the role's password back to the state's, as the state's Postgres admin; the role. */
export async function resetRolePassword(deployment: unknown): Promise<string | undefined> {
  const credential = databaseCredential(deployment);
  const settings = postgresSettings(deployment);
  if (!credential || !settings) {
    return undefined;
  }
  const client = new Client({ ...settings, connectionTimeoutMillis: 10000 });
  try {
    await client.connect();
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(credential.role)} PASSWORD ${client.escapeLiteral(credential.password)}`,
    );
    return credential.role;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A restored server's connection takes the state's password again (the role's password was just
 * reset to it) and, where the stack rotates it, rotates it; the connection's path.
 */
export async function reconnectDatabase(
  deployment: unknown,
  vault: { readonly address: string; readonly caCert?: string; readonly token: string },
): Promise<string | undefined> {
  const credential = databaseCredential(deployment);
  if (!credential || (await resetRolePassword(deployment)) === undefined) {
    return undefined;
  }
  const call = async (path: string, body: unknown) => {
    const response = await vaultHttp({ ...vault, method: "POST", path, body });
    if (response.status < 200 || response.status >= 300) {
      // The status only: the body was the password.
      throw new Error(`POST ${path} answered HTTP ${response.status}`);
    }
  };
  const config = `${credential.mount}/config/${credential.connection}`;
  await call(config, { password: credential.password });
  if (credential.rotates) {
    await call(`${credential.mount}/rotate-root/${credential.connection}`, {});
  }
  return config;
}
