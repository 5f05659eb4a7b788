/**
 * The Postgres the database secrets engine manages, as the program reaches it: the admin
 * connection (a Postgres provider), preceded by the stack's own Postgres where it runs one.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../stacks/config";
import { EmbeddedPostgres } from "./embedded-postgres";
import { dockerPrefix, environmentLabels } from "./naming";

/** Postgres' own default; Vault's pool, the program and the apps' sessions share it. */
const EMBEDDED_MAX_CONNECTIONS = 100;

export interface PostgresConnection {
  readonly provider: postgresql.Provider;
  readonly embedded?: EmbeddedPostgres;
}

/** Children are the platform's own (the provider's name and parent predate this module). */
export function connectPostgres(
  platform: pulumi.Resource,
  name: string,
  config: PlatformConfig,
): PostgresConnection {
  const settings = config.postgres;
  const embedded = settings.embedded
    ? new EmbeddedPostgres(
        `${name}-postgres-server`,
        {
          image: settings.embedded.image,
          port: settings.port,
          adminUser: settings.adminUser,
          adminPassword: settings.adminPassword,
          namePrefix: dockerPrefix(config.stack),
          labels: environmentLabels(config.project, config.stack),
          maxConnections: EMBEDDED_MAX_CONNECTIONS,
        },
        { parent: platform },
      )
    : undefined;
  const provider = new postgresql.Provider(
    `${name}-postgres`,
    {
      host: settings.host,
      port: settings.port,
      username: settings.adminUser,
      password: embedded ? embedded.adminPassword : settings.adminPassword,
      sslmode: settings.sslmode,
      superuser: true,
      database: "postgres",
    },
    // The provider connects once its server accepts connections.
    { parent: platform, dependsOn: embedded ? [embedded] : [] },
  );
  return { provider, embedded };
}
