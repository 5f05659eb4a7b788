/**
 * SQL that Vault runs against Postgres for dynamic credentials. Pure functions so the statements
 * are reviewed and tested as text. Vault fills {{name}}, {{password}} and {{expiration}}.
 *
 * Dynamic users get their privileges only through a group role that the program owns; they hold
 * nothing directly. The Vault role is made a member of each dynamic user so that it may end that
 * user's sessions and drop whatever the user owns (both need membership in Postgres).
 */

function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function creationStatements(groupRole: string, vaultRole: string): string[] {
  return [
    `CREATE ROLE "{{name}}" WITH LOGIN INHERIT PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' IN ROLE ${quoteIdent(groupRole)};`,
    `GRANT "{{name}}" TO ${quoteIdent(vaultRole)};`,
  ];
}

/** Ends the user's sessions, drops what it owns and its grants, then the role itself. */
export function revocationStatements(): string[] {
  return [
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}';`,
    `DROP OWNED BY "{{name}}";`,
    `DROP ROLE IF EXISTS "{{name}}";`,
  ];
}

export const TABLE_PRIVILEGES = {
  readonly: ["SELECT"],
  readwrite: ["SELECT", "INSERT", "UPDATE", "DELETE"],
} as const;

export const SEQUENCE_PRIVILEGES = {
  readonly: ["SELECT"],
  readwrite: ["SELECT", "USAGE", "UPDATE"],
} as const;

export type DatabaseAccess = keyof typeof TABLE_PRIVILEGES;

/** The connection URL template Vault expands with the connection's username and password. */
export function connectionUrl(
  host: string,
  port: number,
  database: string,
  sslmode: string,
): string {
  return `postgresql://{{username}}:{{password}}@${host}:${port}/${database}?sslmode=${sslmode}`;
}
