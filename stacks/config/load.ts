/**
 * Stack config -> one typed, validated, frozen object. Every bad value fails here, before any
 * resource is registered, with a message that names the key, the value and what was expected.
 * No side effects at import time; the raw values come through a `ConfigSource` so tests can feed
 * any input without a Pulumi engine.
 */
import { z } from "zod";
import { parseDuration } from "../../infra/duration";
import { DEFAULT_IMAGES, profileDefaults } from "../profiles";
import { jwtMountSchema, kubernetesMountSchema } from "./login-schemas";
import { resolveJwtMount, resolveKubernetesMount } from "./logins";
import { checkApps, resolveApps } from "./apps";
import { deepFreeze } from "./freeze";
import { peopleSchema, resolvePeople, resolveTeams, teamSchema } from "./people";
import { backupSchema, resolveBackup } from "./backup";
import { checkAppPki, pkiSchema, resolvePki } from "./pki";
import { resolvePostgres } from "./postgres";
import { resolveProfile } from "./profile";
import { readSeeds, resolveSeeds } from "./seeds";
import {
  checkFieldsApply,
  checkNoAuditDevices,
  checkProgramLoginApart,
  resolveExternal,
  type ResolvedCluster,
  serverModeOf,
} from "./external";
import { ConfigError, Problems, parse, readJson, readSecretString } from "./problems";
import {
  appSchema,
  approleSchema,
  auditSchema,
  databaseSchema,
  kvSchema,
  namespaceSchema,
  postgresSchema,
  serverSchema,
  sharedClusterSchema,
  transitSchema,
} from "./schemas";
import {
  checkAtMost,
  checkAuthPaths,
  checkAutoRotatePeriod,
  checkDerivedPorts,
  checkServerPostgresPort,
  checkDurations,
  checkImage,
  checkMounts,
  checkPostgresUser,
  checkPrPort,
  checkNodesAndPgpKeys,
  checkUnknownKeys,
} from "./rules";
import { ConfigSource, NAMESPACE } from "./source";
import { checkNoPeopleUnderPrefix, prefixedPath } from "./tenancy";
import { checkNoPrivateKey, resolveTls } from "./tls";
import type { PlatformConfig } from "./types";

/**
 * Reads and validates the whole stack config. Throws a ConfigError listing every problem found.
 */
export function loadConfig(source: ConfigSource, project: string, stack: string): PlatformConfig {
  const problems = new Problems((key) => source.isSecret(key));
  checkUnknownKeys(source, problems);

  const profile = resolveProfile(source, stack, problems);
  const protectValue = readJson(source, "protect", problems);
  if (protectValue !== undefined && typeof protectValue !== "boolean") {
    problems.add("protect", [], "expected true or false", protectValue);
  }
  const server = parse(serverSchema, source, "server", problems);
  const sharedCluster = parse(sharedClusterSchema, source, "sharedCluster", problems);
  const namespace = parse(namespaceSchema, source, "namespace", problems);
  const postgres = parse(postgresSchema, source, "postgres", problems);
  const kv = parse(kvSchema, source, "kv", problems);
  const database = parse(databaseSchema, source, "database", problems);
  const transit = parse(transitSchema, source, "transit", problems);
  const approle = parse(approleSchema, source, "approle", problems);
  const audit = parse(auditSchema, source, "audit", problems);
  const apps = parse(z.array(appSchema), source, "apps", problems);
  const kubernetesInput = parse(kubernetesMountSchema, source, "kubernetes", problems);
  const jwtInput = parse(jwtMountSchema, source, "jwt", problems);
  const teamsInput = parse(z.array(teamSchema), source, "teams", problems);
  const peopleInput = parse(peopleSchema, source, "people", problems);
  const pkiInput = parse(pkiSchema, source, "pki", problems);
  const backupInput = parse(backupSchema, source, "backup", problems);
  const peopleClientSecret = readSecretString(source, "peopleClientSecret", problems);
  const vaultToken = readSecretString(source, "vaultToken", problems);
  const vaultSecretId = readSecretString(source, "vaultSecretId", problems);
  const postgresAdminPassword = readSecretString(source, "postgresAdminPassword", problems);
  const tlsPrivateKey = readSecretString(source, "tlsPrivateKey", problems);
  const tlsPrivateKeyText = source.get(`${NAMESPACE}:tlsPrivateKey`);

  const seeds = readSeeds(source, problems);

  if (profile === undefined || problems.list.length > 0) {
    throw new ConfigError(problems.list);
  }

  // ---- Resolve against the profile. -------------------------------------------------------
  const defaults = profileDefaults(profile, stack);
  const mode = serverModeOf(profile, server, sharedCluster, defaults.server.mode);
  const external = mode === "external";
  checkFieldsApply(mode, server, namespace, vaultSecretId, problems);
  const cluster: ResolvedCluster = external
    ? resolveExternal(
        {
          profile,
          stack,
          rules: defaults.rules,
          server,
          sharedCluster,
          namespace,
          vaultToken,
          vaultSecretId,
        },
        problems,
      )
    : {};
  const flavor = server?.flavor ?? (external ? sharedCluster?.flavor : undefined) ?? "vault";
  const resolvedServer = {
    flavor,
    image: server?.image ?? DEFAULT_IMAGES[flavor],
    mode,
    network: server?.network ?? defaults.server.network,
    bindAddress: server?.bindAddress ?? "127.0.0.1",
    port: server?.port ?? defaults.server.port,
    unsealKeyShares: server?.unsealKeyShares ?? 3,
    unsealKeyThreshold: server?.unsealKeyThreshold ?? 2,
    revokeRootToken: server?.revokeRootToken ?? false,
    unsealPgpKeys: server?.unsealPgpKeys ?? [],
    nodes: server?.nodes ?? 1,
  };
  if (!external) {
    checkNodesAndPgpKeys(resolvedServer, vaultToken !== undefined, problems);
  }
  const tlsMode = external
    ? "disabled"
    : (server?.tls?.mode ?? (resolvedServer.mode === "dev" ? "disabled" : defaults.server.tls));
  const resolvedTls = external
    ? checkNoPrivateKey(tlsPrivateKey, problems)
    : resolveTls(
        tlsMode,
        server?.tls ?? {},
        tlsPrivateKey,
        tlsPrivateKeyText,
        resolvedServer,
        problems,
      );
  if (resolvedServer.mode === "dev" && tlsMode !== "disabled") {
    problems.add(
      "server",
      ["tls", "mode"],
      'applies to server mode only; a dev-mode server listens on plain HTTP; expected "disabled"',
      tlsMode,
    );
  }
  if (resolvedServer.mode === "server" && tlsMode === "disabled" && defaults.rules.requireTls) {
    problems.add(
      "server",
      ["tls", "mode"],
      `the ${profile} profile requires TLS on the listener; expected "generated" or "provided"`,
      tlsMode,
    );
  }
  const resolvedPostgres = resolvePostgres(
    {
      postgres,
      adminPassword: postgresAdminPassword,
      defaults,
      profile,
      stack,
      network: resolvedServer.network,
      external,
    },
    problems,
  );
  const resolvedApprole = {
    path: approle?.path ?? "approle",
    tokenTtl: approle?.tokenTtl ?? defaults.approle.tokenTtl,
    tokenMaxTtl: approle?.tokenMaxTtl ?? defaults.approle.tokenMaxTtl,
    secretIdTtl: approle?.secretIdTtl ?? defaults.approle.secretIdTtl,
    secretIdNumUses: approle?.secretIdNumUses ?? defaults.approle.secretIdNumUses,
    secretIdWrapTtl: approle?.secretIdWrapTtl ?? defaults.approle.secretIdWrapTtl,
  };
  const resolvedDatabase = {
    path: database?.path ?? "database",
    defaultTtl: database?.defaultTtl ?? defaults.database.defaultTtl,
    maxTtl: database?.maxTtl ?? defaults.database.maxTtl,
  };
  const resolvedAudit = {
    devices: external
      ? checkNoAuditDevices(audit?.devices, problems)
      : (audit?.devices ?? defaults.audit.devices),
  };
  const resolvedKv = {
    path: kv?.path ?? "secret",
    maxVersions: kv?.maxVersions ?? defaults.kv.maxVersions,
    casRequired: kv?.casRequired ?? false,
    deleteVersionAfter: kv?.deleteVersionAfter ?? defaults.kv.deleteVersionAfter,
  };
  const resolvedTransit = {
    path: transit?.path ?? "transit",
    autoRotatePeriod: transit?.autoRotatePeriod ?? defaults.transit.autoRotatePeriod,
  };
  const resolvedApps = resolveApps(apps ?? [], problems);
  const usesLogin = (method: "kubernetes" | "jwt") =>
    resolvedApps.some((app) => app.auth.includes(method));
  const kubernetesMount = resolveKubernetesMount(
    kubernetesInput,
    { secret: source.isSecret(`${NAMESPACE}:kubernetes`) },
    usesLogin("kubernetes"),
    problems,
  );
  const jwtMount = resolveJwtMount(jwtInput, usesLogin("jwt"), problems);

  // ---- Cross-field rules. -----------------------------------------------------------------
  const rules = defaults.rules;
  if (resolvedServer.mode === "dev" && !rules.allowDevMode) {
    problems.add(
      "server",
      ["mode"],
      `the ${profile} profile does not allow a dev-mode server; expected "server"`,
      "dev",
    );
  }
  if (resolvedServer.unsealKeyThreshold > resolvedServer.unsealKeyShares) {
    problems.add(
      "server",
      ["unsealKeyThreshold"],
      `expected at most unsealKeyShares (${resolvedServer.unsealKeyShares})`,
      resolvedServer.unsealKeyThreshold,
    );
  }
  if (resolvedServer.mode === "dev" && resolvedServer.revokeRootToken) {
    problems.add(
      "server",
      ["revokeRootToken"],
      "applies to server mode only; a dev server's root token is generated",
      true,
    );
  }
  if (protectValue === false && !rules.teardownAllowed) {
    problems.add(
      "protect",
      [],
      `the ${profile} profile keeps data-bearing resources protected; expected true`,
      false,
    );
  }
  if (!external && resolvedAudit.devices.length < rules.minAuditDevices) {
    problems.add(
      "audit",
      ["devices"],
      `the ${profile} profile needs at least ${rules.minAuditDevices} audit devices`,
      resolvedAudit.devices,
    );
  }
  checkAtMost(
    ["approle", "tokenTtl", resolvedApprole.tokenTtl, approle?.tokenTtl !== undefined],
    ["tokenMaxTtl", resolvedApprole.tokenMaxTtl, approle?.tokenMaxTtl !== undefined],
    profile,
    problems,
  );
  checkAtMost(
    ["database", "defaultTtl", resolvedDatabase.defaultTtl, database?.defaultTtl !== undefined],
    ["maxTtl", resolvedDatabase.maxTtl, database?.maxTtl !== undefined],
    profile,
    problems,
  );
  checkMounts(
    [
      ["kv", resolvedKv.path],
      ["database", resolvedDatabase.path],
      ["transit", resolvedTransit.path],
      ...(pkiInput ? ([["pki", pkiInput.path ?? "pki"]] as [string, string][]) : []),
      ...(pkiInput?.mode === "internal"
        ? ([["pki", pkiInput.rootPath ?? "pki-root", "rootPath"]] as [string, string, string][])
        : []),
    ],
    problems,
  );
  if (!external) {
    checkImage(resolvedServer.image, flavor, problems);
    checkDerivedPorts(resolvedServer.port, resolvedServer.nodes, problems);
    checkServerPostgresPort(resolvedServer.port, resolvedServer.nodes, resolvedPostgres, problems);
    checkPrPort(stack, server?.port !== undefined, problems);
  }
  checkPostgresUser(resolvedPostgres.adminUser, problems);
  checkDurations(
    [
      ["approle", ["tokenTtl"], resolvedApprole.tokenTtl],
      ["approle", ["tokenMaxTtl"], resolvedApprole.tokenMaxTtl],
      ["approle", ["secretIdTtl"], resolvedApprole.secretIdTtl],
      ["approle", ["secretIdWrapTtl"], resolvedApprole.secretIdWrapTtl],
      ["database", ["defaultTtl"], resolvedDatabase.defaultTtl],
      ["database", ["maxTtl"], resolvedDatabase.maxTtl],
      ["kv", ["deleteVersionAfter"], resolvedKv.deleteVersionAfter],
      ["transit", ["autoRotatePeriod"], resolvedTransit.autoRotatePeriod],
    ],
    problems,
  );
  checkAutoRotatePeriod(resolvedTransit.autoRotatePeriod, problems);
  checkApps(resolvedApps, apps, profile, rules, problems);
  const pki = resolvePki(pkiInput, { profile, project, stack }, problems);
  checkAppPki(resolvedApps, pki, problems);
  const appNames = resolvedApps.map((app) => app.name);
  const prefix = cluster.prefix;
  if (prefix !== undefined) {
    checkNoPeopleUnderPrefix(prefix.key, teamsInput, peopleInput, problems);
  }
  const teams = prefix ? [] : resolveTeams(teamsInput ?? [], appNames, problems);
  const people = prefix
    ? undefined
    : resolvePeople(peopleInput, peopleClientSecret, teams, profile, problems);
  checkAuthPaths(
    [
      ["approle", resolvedApprole.path],
      ["kubernetes", kubernetesMount?.path],
      ["jwt", jwtMount?.path],
      ["people", people?.path],
    ],
    problems,
  );
  // Tenancy "prefix": every mount and auth path of the stack under its prefix, from here on.
  const under = (path: string) => prefixedPath(prefix?.path, path);
  checkProgramLoginApart(
    cluster,
    [
      ["approle", ["path"], under(resolvedApprole.path)],
      ["kubernetes", ["path"], kubernetesMount && under(kubernetesMount.path)],
      ["jwt", ["path"], jwtMount && under(jwtMount.path)],
      ["people", ["auth", "path"], people?.path],
    ],
    problems,
  );
  const resolvedSeeds = resolveSeeds(seeds, problems);

  if (problems.list.length > 0) {
    throw new ConfigError(problems.list);
  }

  return deepFreeze({
    project,
    stack,
    profile,
    rules,
    protect: typeof protectValue === "boolean" ? protectValue : !rules.teardownAllowed,
    server: { ...resolvedServer, tls: resolvedTls },
    vaultToken: external ? undefined : vaultToken,
    external: cluster.external,
    namespace: cluster.namespace,
    ...(prefix ? { pathPrefix: prefix.path } : {}),
    postgres: resolvedPostgres,
    kv: {
      path: under(resolvedKv.path),
      maxVersions: resolvedKv.maxVersions,
      casRequired: resolvedKv.casRequired,
      deleteVersionAfterSeconds: parseDuration(resolvedKv.deleteVersionAfter),
    },
    database: {
      path: under(resolvedDatabase.path),
      defaultTtlSeconds: parseDuration(resolvedDatabase.defaultTtl),
      maxTtlSeconds: parseDuration(resolvedDatabase.maxTtl),
    },
    transit: {
      path: under(resolvedTransit.path),
      autoRotatePeriodSeconds: parseDuration(resolvedTransit.autoRotatePeriod),
    },
    approle: {
      path: under(resolvedApprole.path),
      tokenTtlSeconds: parseDuration(resolvedApprole.tokenTtl),
      tokenMaxTtlSeconds: parseDuration(resolvedApprole.tokenMaxTtl),
      secretIdTtlSeconds: parseDuration(resolvedApprole.secretIdTtl),
      secretIdNumUses: resolvedApprole.secretIdNumUses,
      secretIdWrapTtl: resolvedApprole.secretIdWrapTtl,
    },
    audit: resolvedAudit,
    apps: resolvedApps,
    kubernetes: kubernetesMount && { ...kubernetesMount, path: under(kubernetesMount.path) },
    jwt: jwtMount && { ...jwtMount, path: under(jwtMount.path) },
    seeds: resolvedSeeds,
    teams,
    backup: resolveBackup(backupInput),
    ...(people ? { people } : {}),
    ...(pki
      ? {
          pki: {
            ...pki,
            path: under(pki.path),
            rootPath: pki.rootPath === undefined ? undefined : under(pki.rootPath),
          },
        }
      : {}),
  });
}
