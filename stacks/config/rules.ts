/**
 * Cross-field and semantic rules that a schema alone cannot say: each a small pure function that
 * adds its problems (key, value, what is expected), table-tested with exact messages.
 */
import { closest, distance } from "fastest-levenshtein";
import { parseDuration } from "../../infra/duration";
import {
  DEFAULT_IMAGES,
  EPHEMERAL_STACK,
  type Flavor,
  type ProfileName,
  type ServerMode,
  inferProfile,
} from "../profiles";
import { RESERVED_MOUNTS } from "./mount-path";
import { Problems } from "./problems";
import { CONFIG_KEYS, ConfigSource, NAMESPACE } from "./source";

const MAX_PORT = 65535;

/** Keys under vault-platform: that the program does not read (typos), with a suggestion. */
export function checkUnknownKeys(source: ConfigSource, problems: Problems): void {
  const known: readonly string[] = CONFIG_KEYS;
  for (const fullKey of source.keys?.() ?? []) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) {
      continue;
    }
    const key = fullKey.slice(NAMESPACE.length + 1);
    if (known.includes(key)) {
      continue;
    }
    const guess = closest(key, [...known]);
    const hint =
      distance(key.toLowerCase(), guess.toLowerCase()) <= Math.max(2, key.length / 3)
        ? `; did you mean ${NAMESPACE}:${guess}?`
        : "";
    problems.add(key, [], `unknown key: the program does not read it${hint}`, source.get(fullKey));
  }
}

/** Two auth methods cannot share a path: the second mount would fail at apply time. */
export function checkAuthPaths(
  paths: readonly [string, string | undefined][],
  problems: Problems,
): void {
  const owner = new Map<string, string>();
  for (const [key, authPath] of paths) {
    if (authPath === undefined) {
      continue;
    }
    const other = owner.get(authPath);
    if (other !== undefined) {
      problems.add(
        key,
        key === "people" ? ["auth", "path"] : ["path"],
        `auth/${authPath} is already the path of vault-platform:${other}'s login; expected another path`,
        authPath,
      );
    }
    owner.set(authPath, key);
  }
}

/** The ports a server uses: API and cluster port per node (node i at port + 2i). */
export function checkDerivedPorts(port: number, nodes: number, problems: Problems): void {
  const highest = port + 2 * (nodes - 1) + 1;
  if (highest > MAX_PORT) {
    problems.add(
      "server",
      ["port"],
      `the server also uses ${nodes > 1 ? `ports up to ${highest} (two per node)` : `port ${highest} (cluster)`}; expected at most ${MAX_PORT - 2 * (nodes - 1) - 1}`,
      port,
    );
  }
}

/**
 * The server's ports (API and cluster port per node) may not take the loopback port of the
 * stack's own Postgres: one of the two containers would fail to start.
 */
export function checkServerPostgresPort(
  port: number,
  nodes: number,
  postgres: { readonly port: number; readonly embedded?: unknown },
  problems: Problems,
): void {
  const highest = port + 2 * (nodes - 1) + 1;
  if (postgres.embedded !== undefined && postgres.port >= port && postgres.port <= highest) {
    problems.add(
      "server",
      ["port"],
      `the stack's own Postgres listens on 127.0.0.1:${postgres.port}, which the server would use too (ports ${port}-${highest}); expected another port, or set vault-platform:postgres.port`,
      port,
    );
  }
}

/** pr-<n> ports are 20000 + 2·(n mod 10000): from 10000 on they would land on another PR's. */
export function checkPrPort(stack: string, portSet: boolean, problems: Problems): void {
  const match = EPHEMERAL_STACK.exec(stack);
  if (match && Number(match[1]) >= 10000 && !portSet) {
    problems.add(
      "server",
      ["port"],
      `stack ${stack}: the default port of pr-<n> wraps at 10000 onto pr-${Number(match[1]) % 10000}'s; set vault-platform:server.port`,
      undefined,
    );
  }
}

/** A path's segments: no "." or ".." (Vault would resolve them, the policy would not). */
export function checkPathSegments(
  key: string,
  path: readonly PropertyKey[],
  value: string,
  problems: Problems,
): void {
  if (value.split("/").some((segment) => segment === "." || segment === "..")) {
    problems.add(key, path, 'expected no "." or ".." path segments', value);
  }
}

/** Keys JavaScript objects treat specially: a seed at such a path would silently vanish. */
const SPECIAL_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function checkSeedPathNames(raw: unknown, problems: Problems): void {
  if (raw === null || typeof raw !== "object") {
    return;
  }
  for (const seedPath of Object.keys(raw)) {
    if (seedPath.split("/").some((segment) => SPECIAL_KEYS.has(segment))) {
      problems.add(
        "seeds",
        [seedPath],
        "expected a KV path without __proto__, constructor or prototype segments",
        raw,
      );
    }
  }
}

/** Two seed paths whose resource names would be the same (names replace "/" and "." by "-"). */
export function checkSeedCollisions(paths: readonly string[], problems: Problems): void {
  const owners = new Map<string, string>();
  for (const seedPath of paths) {
    const id = seedPath.replace(/[^A-Za-z0-9-]/g, "-");
    const other = owners.get(id);
    if (other !== undefined) {
      problems.add(
        "seeds",
        [seedPath],
        `maps to the same resource name as seed "${other}"; rename one of them`,
        seedPath,
      );
    }
    owners.set(id, seedPath);
  }
}

/** Mount paths Vault reserves (or routes elsewhere) at the top. */

/** Engine mounts: not reserved, and none equal to or nested in another. */
/** Mount paths as [key, path] or [key, path, field] (default field "path"). */
export function checkMounts(
  mounts: readonly ([string, string] | [string, string, string])[],
  problems: Problems,
): void {
  for (const [key, path, field = "path"] of mounts) {
    const top = path.split("/")[0];
    if (RESERVED_MOUNTS.has(top)) {
      problems.add(
        key,
        [field],
        `"${top}" is reserved by Vault; expected another mount path`,
        path,
      );
    }
  }
  mounts.forEach(([key, path, field = "path"], index) => {
    for (const [otherKey, otherPath, otherField = "path"] of mounts.slice(0, index)) {
      if (path === otherPath) {
        problems.add(
          key,
          [field],
          `mount path is already used by ${NAMESPACE}:${otherKey}.${otherField}`,
          path,
        );
      } else if (path.startsWith(`${otherPath}/`) || otherPath.startsWith(`${path}/`)) {
        problems.add(
          key,
          [field],
          `mount path overlaps ${NAMESPACE}:${otherKey}.${otherField} ("${otherPath}"); expected mounts that do not nest`,
          path,
        );
      }
    }
  });
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A host name or an IP address, nothing else: it goes into Vault's connection URL as it is. */
export function isHostName(host: string): boolean {
  if (IPV4.test(host) || /^[0-9a-f:]+$/i.test(host)) {
    return host.includes(":") ? host.split(":").length <= 8 : true;
  }
  return host.length <= 253 && host.split(".").every((label) => HOST_LABEL.test(label));
}

export function checkPostgresHost(host: string, problems: Problems): void {
  if (!isHostName(host)) {
    problems.add(
      "postgres",
      ["host"],
      "expected a host name or IP address only (ASCII letters, digits, '-' and '.', at most 253 characters; port, database and options have keys of their own)",
      host,
    );
  }
}

/** Postgres role names the program puts into SQL: plain identifiers only. */
export function checkPostgresUser(user: string, problems: Problems): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(user)) {
    problems.add(
      "postgres",
      ["adminUser"],
      "expected a plain role name (letters, digits, '_'; at most 63 characters)",
      user,
    );
  }
}

/** Docker's reference grammar (simplified): [registry[:port]/]name[:tag][@sha256:digest]. */
const IMAGE_REFERENCE =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** An image Docker accepts, of the flavor configured (an OpenBao image runs `bao`, not `vault`). */
export function checkImage(image: string, flavor: Flavor, problems: Problems): void {
  if (!IMAGE_REFERENCE.test(image)) {
    problems.add(
      "server",
      ["image"],
      "expected an image reference Docker accepts, like hashicorp/vault:1.20.4 (lower case name, tag or @sha256 digest)",
      image,
    );
    return;
  }
  const name = image.split("@")[0].replace(/:[^/]*$/, "");
  const other: Flavor = flavor === "vault" ? "openbao" : "vault";
  if (name.split("/").pop() === DEFAULT_IMAGES[other].split(":")[0].split("/").pop()) {
    problems.add(
      "server",
      ["image"],
      `is an image of flavor "${other}" but server.flavor is "${flavor}"; set server.flavor to "${other}" or use an image of flavor "${flavor}"`,
      image,
    );
  }
}

/** Ten years: Vault's TTLs beyond that are refused or overflow in places. */
export const MAX_DURATION_SECONDS = 10 * 365 * 86400;

/** Durations Vault itself would refuse. */
export function checkDurations(
  durations: readonly [string, readonly PropertyKey[], string][],
  problems: Problems,
): void {
  for (const [key, path, text] of durations) {
    if (parseDuration(text) > MAX_DURATION_SECONDS) {
      problems.add(key, path, "expected at most 87600h (ten years)", text);
    }
  }
}

/** Transit's automatic rotation: off ("0s") or at least an hour (Vault's minimum). */
export function checkAutoRotatePeriod(text: string, problems: Problems): void {
  const seconds = parseDuration(text);
  if (seconds !== 0 && seconds < 3600) {
    problems.add(
      "transit",
      ["autoRotatePeriod"],
      'Vault rotates at most hourly; expected "0s" (off) or at least "1h"',
      text,
    );
  }
}

const STRENGTH: Readonly<Record<ProfileName, number>> = {
  dev: 0,
  ephemeral: 0,
  staging: 1,
  prod: 2,
};

/** A stack named staging or prod running a weaker profile weakens everything at once. */
export function checkProfileForStack(
  stack: string,
  profile: ProfileName,
  overridden: boolean,
  problems: Problems,
): void {
  const implied = inferProfile(stack);
  if (implied === undefined || STRENGTH[profile] >= STRENGTH[implied] || overridden) {
    return;
  }
  problems.add(
    "profile",
    [],
    `stack "${stack}" takes the ${implied} profile; the ${profile} profile weakens its rules (dev mode, TLS, audit, CIDRs). If that is really meant, also set ${NAMESPACE}:allowWeakerProfile to true`,
    profile,
  );
}

/** CIDRs that bind nothing. */
const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);

export function checkBoundCidrs(
  profile: ProfileName,
  apps: readonly { readonly boundCidrs: readonly string[] }[],
  required: boolean,
  problems: Problems,
): void {
  apps.forEach((app, index) => {
    const open = app.boundCidrs.filter((cidr) => ANYWHERE.has(cidr));
    if (required && open.length > 0) {
      problems.add(
        "apps",
        [index, "boundCidrs"],
        `the ${profile} profile requires AppRole logins bound to CIDRs; ${open.join(", ")} binds nothing`,
        app.boundCidrs,
      );
    }
  });
}

/** A transit key listed twice by one app would be one resource registered twice. */
export function checkTransitKeysOnce(
  apps: readonly { readonly transitKeys: readonly string[] }[],
  problems: Problems,
): void {
  apps.forEach((app, index) => {
    const seen = new Set<string>();
    for (const key of app.transitKeys) {
      if (seen.has(key)) {
        problems.add(
          "apps",
          [index, "transitKeys"],
          `transit key "${key}" is listed twice`,
          app.transitKeys,
        );
      }
      seen.add(key);
    }
  });
}

/**
 * A duration that must not exceed another, saying which side came from the profile (a user told
 * about a key they never set should learn where its value came from).
 */
export function checkAtMost(
  [key, field, value, valueSet]: readonly [string, string, string, boolean],
  [limitField, limit, limitSet]: readonly [string, string, boolean],
  profile: ProfileName,
  problems: Problems,
): void {
  if (parseDuration(value) <= parseDuration(limit)) {
    return;
  }
  const origin = `the ${profile} profile's default`;
  problems.add(
    key,
    [field],
    `expected at most ${limitField} (${limit}${limitSet ? "" : `, ${origin}`})${valueSet ? "" : `; the value is ${origin}`}`,
    value,
  );
}

/** Server-mode extras: raft nodes, and one PGP key per unseal key share. */
export function checkNodesAndPgpKeys(
  resolvedServer: {
    readonly mode: ServerMode;
    readonly nodes: number;
    readonly unsealPgpKeys: readonly string[];
    readonly unsealKeyShares: number;
  },
  givenToken: boolean,
  problems: Problems,
): void {
  if (resolvedServer.mode === "dev" && resolvedServer.nodes > 1) {
    problems.add(
      "server",
      ["nodes"],
      "applies to server mode only; a dev-mode server is one in-memory node; expected 1",
      resolvedServer.nodes,
    );
  }
  const pgpKeyCount = resolvedServer.unsealPgpKeys.length;
  if (pgpKeyCount > 0 && (resolvedServer.mode === "dev" || givenToken)) {
    problems.add(
      "server",
      ["unsealPgpKeys"],
      "applies to a server-mode server the program initializes (no dev mode, no vaultToken)",
      `${pgpKeyCount} key${pgpKeyCount === 1 ? "" : "s"}`,
    );
  } else if (pgpKeyCount > 0 && pgpKeyCount !== resolvedServer.unsealKeyShares) {
    problems.add(
      "server",
      ["unsealPgpKeys"],
      `expected one key per unseal key share (unsealKeyShares = ${resolvedServer.unsealKeyShares})`,
      `${pgpKeyCount} key${pgpKeyCount === 1 ? "" : "s"}`,
    );
  }
}
