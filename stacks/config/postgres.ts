/**
 * Where the Postgres the database secrets engine manages comes from: an existing server
 * (postgres.host), or, on dev and pull-request stacks that name none, one the stack runs itself
 * (a container on the host network, listening on loopback only, admin password generated).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { pgIdentifier } from "../../infra/naming";
import { EPHEMERAL_STACK, type ProfileDefaults, type ProfileName } from "../profiles";
import type { Problems } from "./problems";
import { checkPostgresHost, isHostName } from "./rules";
import type { postgresSchema } from "./schemas";
import type { PostgresConfig } from "./types";

/** The image of an embedded Postgres: the official image's interface, pinned. */
export const EMBEDDED_POSTGRES_IMAGE = "postgres:15.18";

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

/**
 * The loopback port of an embedded Postgres: dev 9432, pr-<n> 10000 + n mod 10000, so that
 * several environments run side by side on one Docker host, clear of a local Postgres on 5432,
 * of the pr-<n> Vault ports (20000 + 2·n) and of Linux's ephemeral ports (32768 and up), which the
 * kernel hands to any outgoing connection or listener on port 0 and would make a bind fail.
 */
export function embeddedPostgresPort(stack: string): number {
  const match = EPHEMERAL_STACK.exec(stack);
  return match ? 10000 + (Number(match[1]) % 10000) : 9432;
}

export interface PostgresInputs {
  readonly postgres?: z.infer<typeof postgresSchema>;
  readonly adminPassword?: pulumi.Output<string>;
  readonly defaults: ProfileDefaults;
  readonly profile: ProfileName;
  readonly stack: string;
  /** The network of the server's containers; meaningless where the program runs none. */
  readonly network: "host" | "bridge";
  /** server.mode "external": the program runs no container, neither the server nor Postgres. */
  readonly external: boolean;
}

export function resolvePostgres(inputs: PostgresInputs, problems: Problems): PostgresConfig {
  const { postgres, defaults, profile, stack, network } = inputs;
  const host = postgres?.host ?? defaults.postgres.host;
  const embedded = host === undefined && defaults.postgres.embedded && !inputs.external;
  const common = {
    database: postgres?.database ?? pgIdentifier("vp", stack),
    adminUser: postgres?.adminUser ?? "postgres",
    adminPassword: inputs.adminPassword,
    sslmode: postgres?.sslmode ?? "disable",
    createDatabase: postgres?.createDatabase ?? defaults.postgres.createDatabase,
    maxOpenConnections: postgres?.maxOpenConnections ?? 4,
  };
  if (embedded) {
    if (network === "bridge") {
      problems.add(
        "postgres",
        ["host"],
        'the stack\'s own Postgres runs on the host network; set vault-platform:server.network to "host", or postgres.host to a server Vault can reach',
        undefined,
      );
    }
    if (postgres?.sslmode !== undefined && postgres.sslmode !== "disable") {
      problems.add(
        "postgres",
        ["sslmode"],
        'the stack\'s own Postgres listens on loopback without TLS; expected "disable" or a postgres.host',
        postgres.sslmode,
      );
    }
    return {
      ...common,
      host: "127.0.0.1",
      port: postgres?.port ?? embeddedPostgresPort(stack),
      embedded: { image: postgres?.image ?? EMBEDDED_POSTGRES_IMAGE },
    };
  }
  if (postgres?.image !== undefined) {
    problems.add(
      "postgres",
      ["image"],
      "applies only to the stack's own Postgres, which runs where postgres.host is unset",
      postgres.image,
    );
  }
  if (host === undefined) {
    problems.add(
      "postgres",
      ["host"],
      inputs.external
        ? "a cluster the program does not run reaches Postgres over the network; expected a host name or address"
        : `the ${profile} profile has no default Postgres host; expected a host name or address`,
      undefined,
    );
  } else if (!isHostName(host)) {
    checkPostgresHost(host, problems);
  } else if (!inputs.external && network === "bridge" && LOOPBACK.includes(host)) {
    // A rule about the program's own containers: an external cluster is none of them (and
    // external mode refuses server.network, the key the message points to).
    problems.add(
      "postgres",
      ["host"],
      'a container on a bridge network cannot reach the host\'s loopback; set vault-platform:server.network to "host" or use an address Vault can reach',
      host,
    );
  }
  return { ...common, host: host ?? "", port: postgres?.port ?? 5432 };
}
