import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { appDatabaseRole, DatabaseAppSpec } from "./app-resources";
import {
  DatabaseAccess,
  SEQUENCE_PRIVILEGES,
  TABLE_PRIVILEGES,
  connectionUrl,
} from "./database-statements";
import { pgIdentifier } from "./naming";
import { VaultAccess, VaultRequest } from "./vault-request";

export interface DatabaseArgs {
  /** Vault mount path of the database secrets engine. */
  readonly path: string;
  /** Postgres as Vault reaches it. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly sslmode: string;
  /** Create `database` (per environment), or use an existing one. */
  readonly createDatabase: boolean;
  /** Role that owns the tables apps use (default privileges are granted for its new tables). */
  readonly tableOwner: string;
  /** Prefix of every Postgres role this environment creates, e.g. "vp_dev". */
  readonly rolePrefix: string;
  readonly maxOpenConnections: number;
  readonly apps: readonly DatabaseAppSpec[];
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly protect?: boolean;
  /** How the lifecycle calls (rotate-root, lease revocation at teardown) reach Vault. */
  readonly vaultAccess: VaultAccess;
  /**
   * Rotate the Vault role's Postgres password once the connection exists, so that only Vault
   * knows it (the generated one in state stops working).
   */
  readonly rotateRootCredential?: boolean;
  /** Providers of the two sides. */
  readonly vaultProvider: pulumi.ProviderResource;
  readonly postgresProvider: pulumi.ProviderResource;
}

/**
 * Dynamic Postgres credentials. Postgres side: a dedicated, non-superuser login role for Vault
 * (password generated, secret), one NOLOGIN group role per access level holding the privileges,
 * and optionally the environment's database. Vault side: the database mount, the connection and
 * one role per app whose users inherit exactly their group's privileges.
 */
export class Database extends pulumi.ComponentResource {
  public readonly vaultRole: postgresql.Role;
  public readonly groupRoles: Readonly<Partial<Record<DatabaseAccess, postgresql.Role>>>;
  public readonly database?: postgresql.Database;
  public readonly mount: vault.Mount;
  public readonly connection: vault.database.SecretBackendConnection;
  public readonly roles: Readonly<Record<string, vault.database.SecretBackendRole>>;
  public readonly leaseRevocation: VaultRequest;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Database", name, {}, opts);
    const pg = { parent: this, provider: args.postgresProvider };
    const vlt = { parent: this, provider: args.vaultProvider };

    const password = pulumi.secret(
      new random.RandomPassword(
        `${name}-vault-password`,
        // Letters and digits only: the password is substituted into a connection URL.
        { length: 40, special: false },
        { parent: this },
      ).result,
    );
    const vaultRoleName = pgIdentifier(args.rolePrefix, "vault");
    this.vaultRole = new postgresql.Role(
      `${name}-vault-role`,
      {
        name: vaultRoleName,
        login: true,
        createRole: true,
        superuser: false,
        createDatabase: false,
        password,
      },
      { ...pg, additionalSecretOutputs: ["password"] },
    );

    if (args.createDatabase) {
      this.database = new postgresql.Database(
        `${name}-database`,
        { name: args.database, owner: args.tableOwner },
        { ...pg, protect: args.protect ?? false },
      );
    }
    const databaseName = this.database ? this.database.name : pulumi.output(args.database);

    const levels = [...new Set(args.apps.map((app) => app.access))].sort();
    const groupRoles: Partial<Record<DatabaseAccess, postgresql.Role>> = {};
    const grants: pulumi.Resource[] = [];
    // Postgres fails concurrent GRANT/REVOKE on the same catalog rows ("tuple concurrently
    // updated"), so privileges change one at a time, on create and on delete alike.
    const serially = (create: (opts: pulumi.CustomResourceOptions) => pulumi.Resource) => {
      const previous = grants[grants.length - 1];
      grants.push(create({ ...pg, dependsOn: previous ? [previous] : [] }));
    };
    for (const level of levels) {
      const group = new postgresql.Role(
        `${name}-${level}`,
        { name: pgIdentifier(args.rolePrefix, level), login: false },
        pg,
      );
      groupRoles[level] = group;
      const on = { database: databaseName, role: group.name, schema: "public" };
      const tables = [...TABLE_PRIVILEGES[level]];
      const sequences = [...SEQUENCE_PRIVILEGES[level]];
      // Present objects, then the ones the table owner creates later (default privileges).
      const grantsNow: [string, postgresql.GrantArgs][] = [
        ["schema", { ...on, objectType: "schema", privileges: ["USAGE"] }],
        ["tables", { ...on, objectType: "table", objects: [], privileges: tables }],
        ["sequences", { ...on, objectType: "sequence", objects: [], privileges: sequences }],
      ];
      for (const [what, grant] of grantsNow) {
        serially((opts) => new postgresql.Grant(`${name}-${level}-${what}`, grant, opts));
      }
      const future = { ...on, owner: args.tableOwner };
      const grantsLater: [string, postgresql.DefaultPrivilegesArgs][] = [
        ["tables", { ...future, objectType: "table", privileges: tables }],
        ["sequences", { ...future, objectType: "sequence", privileges: sequences }],
      ];
      for (const [what, grant] of grantsLater) {
        serially(
          (opts) =>
            new postgresql.DefaultPrivileges(`${name}-${level}-future-${what}`, grant, opts),
        );
      }
      // Vault hands the group to each dynamic user, which needs ADMIN OPTION on Postgres >= 16.
      serially(
        (opts) =>
          new postgresql.GrantRole(
            `${name}-${level}-admin`,
            { role: this.vaultRole.name, grantRole: group.name, withAdminOption: true },
            opts,
          ),
      );
    }
    this.groupRoles = groupRoles;

    this.mount = new vault.Mount(
      `${name}-mount`,
      {
        path: args.path,
        type: "database",
        description: "Dynamic Postgres credentials, managed by vault-platform",
      },
      vlt,
    );
    const connectionName = "postgres";
    this.connection = new vault.database.SecretBackendConnection(
      `${name}-connection`,
      {
        backend: this.mount.path,
        name: connectionName,
        pluginName: "postgresql-database-plugin",
        verifyConnection: true,
        allowedRoles: args.apps.map((app) => app.name).sort(),
        postgresql: {
          connectionUrl: databaseName.apply((database) =>
            connectionUrl(args.host, args.port, database, args.sslmode),
          ),
          username: this.vaultRole.name,
          password,
          maxOpenConnections: args.maxOpenConnections,
        },
      },
      {
        ...vlt,
        dependsOn: grants,
        additionalSecretOutputs: ["postgresql"],
        // OpenBao does not echo password_authentication back; without this every up would
        // "update" it from empty to the provider's default.
        ignoreChanges: ["postgresql.passwordAuthentication"],
      },
    );

    const roles: Record<string, vault.database.SecretBackendRole> = {};
    for (const app of args.apps) {
      const group = groupRoles[app.access] as postgresql.Role;
      roles[app.name] = appDatabaseRole(`${name}-${app.name}`, app, {
        mount: this.mount.path,
        connection: this.connection.name,
        groupRole: group.name,
        vaultRole: vaultRoleName,
        defaultTtlSeconds: args.defaultTtlSeconds,
        maxTtlSeconds: args.maxTtlSeconds,
        opts: vlt,
      });
    }
    this.roles = roles;
    if (args.rotateRootCredential) {
      new VaultRequest(
        `${name}-rotate-root`,
        {
          ...args.vaultAccess,
          onCreate: this.mount.path.apply((mount) => ({
            method: "POST" as const,
            path: `${mount}/rotate-root/${connectionName}`,
          })),
        },
        { parent: this, dependsOn: [this.connection] },
      );
    }
    // Deleted first (it depends on everything above): revokes open leases while the connection
    // and roles still exist, so Vault runs the revocation statements and drops the users.
    this.leaseRevocation = new VaultRequest(
      `${name}-lease-revocation`,
      {
        ...args.vaultAccess,
        onDelete: this.mount.path.apply((mount) => ({
          method: "PUT" as const,
          // Vault refuses a write to a path ending in "/".
          path: `sys/leases/revoke-prefix/${mount}/creds`,
          body: { sync: true },
        })),
      },
      { parent: this, dependsOn: [this.connection, ...Object.values(roles)] },
    );
    this.registerOutputs({ mount: this.mount, roles: Object.keys(roles) });
  }
}
