import { T } from "./contract";
import { named, ofType, recorded, settle, useMocks } from "./harness";

describe("Database component", () => {
  it("creates Vault's own Postgres role, group roles, grants, the connection and roles per app", async () => {
    await useMocks({ stack: "staging" });
    const postgresql = await import("@pulumi/postgresql");
    const vault = await import("@pulumi/vault");
    const { Database } = await import("../../infra/database");
    new Database("db", {
      path: "database",
      host: "pg.internal",
      port: 5433,
      database: "app",
      sslmode: "require",
      createDatabase: false,
      tableOwner: "app_owner",
      rolePrefix: "vp_staging",
      maxOpenConnections: 4,
      apps: [
        { name: "orders", access: "readwrite" },
        { name: "reporting", access: "readonly" },
      ],
      defaultTtlSeconds: 1800,
      maxTtlSeconds: 14400,
      vaultAccess: { address: "http://127.0.0.1:1", token: "database-test-token" },
      vaultProvider: new vault.Provider("v", { address: "http://127.0.0.1:1", token: "t" }),
      postgresProvider: new postgresql.Provider("p", { host: "pg.internal" }),
    });
    await settle();

    const vaultRole = named("db-vault-role");
    expect(vaultRole.inputs).toEqual({
      name: "vp_staging_vault",
      login: true,
      createRole: true,
      superuser: false,
      createDatabase: false,
      password: "mock-password-db-vault-password",
    });
    expect(vaultRole.secretInputs).toEqual(["password"]);
    expect(ofType(T.pgDatabase)).toHaveLength(0);
    expect(named("db-readonly").inputs).toEqual({ name: "vp_staging_readonly", login: false });
    expect(named("db-readwrite-tables").inputs).toMatchObject({
      database: "app",
      role: "vp_staging_readwrite",
      objectType: "table",
      privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    });
    expect(named("db-readonly-tables").inputs.privileges).toEqual(["SELECT"]);
    expect(named("db-readonly-future-tables").inputs).toMatchObject({
      owner: "app_owner",
      privileges: ["SELECT"],
    });
    expect(named("db-readonly-admin").inputs).toEqual({
      role: "vp_staging_vault",
      grantRole: "vp_staging_readonly",
      withAdminOption: true,
    });

    const connection = named("db-connection");
    expect(connection.inputs).toMatchObject({
      backend: "database",
      name: "postgres",
      pluginName: "postgresql-database-plugin",
      verifyConnection: true,
      allowedRoles: ["orders", "reporting"],
      postgresql: {
        connectionUrl:
          "postgresql://{{username}}:{{password}}@pg.internal:5433/app?sslmode=require",
        username: "vp_staging_vault",
        maxOpenConnections: 4,
      },
    });
    expect(connection.secretInputs).toContain("postgresql");

    const orders = named("db-orders").inputs;
    expect(orders).toMatchObject({
      backend: "database",
      name: "orders",
      dbName: "postgres",
      defaultTtl: 1800,
      maxTtl: 14400,
    });
    expect(orders.creationStatements[0]).toContain('IN ROLE "vp_staging_readwrite"');
    expect(named("db-reporting").inputs.creationStatements[0]).toContain(
      'IN ROLE "vp_staging_readonly"',
    );
    expect(orders.revocationStatements).toHaveLength(3);
    const revocation = ofType("pulumi-nodejs:dynamic/vaultplatform:VaultRequest");
    expect(revocation).toHaveLength(1);
    expect(revocation[0].inputs).toMatchObject({
      address: "http://127.0.0.1:1",
      onDelete: {
        method: "PUT",
        path: "sys/leases/revoke-prefix/database/creds",
        body: { sync: true },
      },
    });
    expect(revocation[0].secretInputs).toContain("token");
    // The Postgres side goes through the Postgres provider, the Vault side through Vault's.
    for (const resource of recorded) {
      if (resource.type.startsWith("postgresql:index")) {
        expect(resource.provider).toContain("pulumi:providers:postgresql::p::");
      }
      if (resource.type.startsWith("vault:")) {
        expect(resource.provider).toContain("pulumi:providers:vault::v::");
      }
    }
  });
});
