/**
 * The checks before `up` of what the state lists but is gone (issue 28): a container removed by
 * hand, a mount disabled, a Postgres role dropped by a DBA. The engine trusts its state and would
 * report "unchanged" over them; a whole refresh would read everything (and replace a dev server's
 * container, see stack-cli.ts). So, in one pass, cheap reads only: the stack's containers (docker
 * inspect), the server's mounts and auth methods (lost-state.ts, one sys/mounts and one sys/auth
 * read), the roles and databases the state lists in Postgres (one query each); what is gone is
 * refreshed with what refers to it, and the up creates it again.
 */
import { Client } from "pg";
import { postgresSsl } from "../engine/preflight";
import { reveal } from "../engine/workspace";
import {
  Deployment,
  StateResource,
  withDependents,
  withoutDroppedKeepingKeys,
} from "./state-graph";

/** An object the state lists, as the user knows it, with the resource that holds it. */
export interface Recorded {
  readonly urn: string;
  /** "container vp-pr-7-vault", "role vp_pr_7_readonly", "database vp_pr_7". */
  readonly what: string;
  readonly name: string;
}

const POSTGRES_KINDS: Readonly<Record<string, "role" | "database">> = {
  "postgresql:index/role:Role": "role",
  "postgresql:index/database:Database": "database",
};

function resourcesOf(deployment: unknown): readonly StateResource[] {
  return (deployment as Deployment | undefined)?.deployment?.resources ?? [];
}

function nameOf(resource: StateResource): string | undefined {
  const name = reveal(resource.outputs?.name ?? resource.inputs?.name);
  return typeof name === "string" && name.length > 0 ? name : undefined;
}

function recorded(deployment: unknown, kinds: Readonly<Record<string, string>>): Recorded[] {
  return resourcesOf(deployment).flatMap((resource) => {
    const kind = kinds[resource.type];
    const name = nameOf(resource);
    return kind && name ? [{ urn: resource.urn, what: `${kind} ${name}`, name }] : [];
  });
}

export function recordedContainers(deployment: unknown): Recorded[] {
  return recorded(deployment, { "docker:index/container:Container": "container" });
}

export function recordedPostgresObjects(deployment: unknown): Recorded[] {
  return recorded(deployment, POSTGRES_KINDS);
}

/** How the state's Postgres provider reaches the server (secrets in plain text in this export). */
export function postgresSettings(deployment: unknown):
  | {
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly database: string;
      readonly ssl: ReturnType<typeof postgresSsl>;
    }
  | undefined {
  const provider = resourcesOf(deployment).find(
    (resource) => resource.type === "pulumi:providers:postgresql",
  );
  const inputs = (provider?.inputs ?? {}) as Record<string, unknown>;
  const [host, port, user, password] = ["host", "port", "username", "password"].map((key) =>
    reveal(inputs[key]),
  );
  if (typeof host !== "string" || typeof user !== "string" || typeof password !== "string") {
    return undefined;
  }
  const [database, sslmode] = [inputs.database, inputs.sslmode].map(reveal);
  return {
    host,
    port: Number(port ?? 5432),
    user,
    password,
    database: typeof database === "string" ? database : "postgres",
    ssl: postgresSsl(typeof sslmode === "string" ? sslmode : undefined),
  };
}

/**
 * The Postgres roles and databases of the state that Postgres does not have; none when Postgres
 * does not answer (the preflight names that; a stopped embedded Postgres is started first).
 */
export async function missingPostgresObjects(deployment: unknown): Promise<Recorded[]> {
  const objects = recordedPostgresObjects(deployment);
  const settings = postgresSettings(deployment);
  if (objects.length === 0 || settings === undefined) {
    return [];
  }
  const client = new Client({ ...settings, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const names = objects.map((object) => object.name);
    const [roles, databases] = await Promise.all([
      client.query<{ name: string }>(
        "SELECT rolname AS name FROM pg_roles WHERE rolname = ANY($1)",
        [names],
      ),
      client.query<{ name: string }>(
        "SELECT datname AS name FROM pg_database WHERE datname = ANY($1)",
        [names],
      ),
    ]);
    const present = new Set([
      ...roles.rows.map((row) => `role ${row.name}`),
      ...databases.rows.map((row) => `database ${row.name}`),
    ]);
    return objects.filter((object) => !present.has(object.what));
  } catch {
    return [];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * What to refresh for objects found gone: their resources and every custom resource that refers
 * to them (a mount's roles and connection, a role's grants), never a provider (it has no remote
 * object to read).
 */
export function refreshTargetsFor(deployment: unknown, gone: readonly Recorded[]): string[] {
  const resources = resourcesOf(deployment);
  const targets = withDependents(
    resources,
    gone.map((object) => object.urn),
  );
  return resources
    .filter(
      (resource) =>
        targets.has(resource.urn) &&
        resource.custom !== false &&
        !resource.type.startsWith("pulumi:providers:"),
    )
    .map((resource) => resource.urn);
}

const DEV_SERVER_PARENT = "vaultplatform:index:VaultServer";

/**
 * A dev server's container gone: what the server held in memory went with it. The state without
 * that container and what refers to it (the Vault provider, every Vault object, what was written
 * through them), so the up creates them on a new server; undefined when the container is not a
 * dev server's, or when something kept elsewhere (Postgres) refers to it. A refresh could not do
 * this: there is no server to read from.
 */
export function withoutLostDevServer(
  deployment: Deployment,
  gone: readonly Recorded[],
): { readonly state: Deployment; readonly dropped: number } | undefined {
  const resources = deployment.deployment.resources ?? [];
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const mode = resources.find((resource) => resource.type === "pulumi:pulumi:Stack")?.outputs
    ?.serverMode;
  const servers = gone.filter(
    (container) => byUrn.get(byUrn.get(container.urn)?.parent ?? "")?.type === DEV_SERVER_PARENT,
  );
  if (mode !== "dev" || servers.length === 0) {
    return undefined;
  }
  const dropped = withDependents(
    resources,
    servers.map((container) => container.urn),
  );
  // Components stay (their children are what goes); Postgres objects outlive the server.
  for (const resource of resources) {
    if (resource.custom === false) {
      dropped.delete(resource.urn);
    }
  }
  if (
    resources.some(
      (resource) => dropped.has(resource.urn) && resource.type.startsWith("postgresql:"),
    )
  ) {
    return undefined;
  }
  // A component that stays may have waited for what goes: the next up records it again.
  return { state: withoutDroppedKeepingKeys(deployment, dropped), dropped: dropped.size };
}
