/** The resource contract every profile must satisfy (issue acceptance), checked on recorded mocks. */
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { generateCertificates, GeneratedCertificates } from "../../infra/tls";
import { ofType, recorded, settle, stackConfigSource, useMocks } from "./harness";
import type { PlatformConfig } from "../../stacks/config";
import type { Platform } from "../../infra/platform";

export const T = {
  container: "docker:index/container:Container",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  mount: "vault:index/mount:Mount",
  kvSettings: "vault:kv/secretBackendV2:SecretBackendV2",
  connection: "vault:database/secretBackendConnection:SecretBackendConnection",
  dbRole: "vault:database/secretBackendRole:SecretBackendRole",
  pgRole: "postgresql:index/role:Role",
  pgDatabase: "postgresql:index/database:Database",
  transitKey: "vault:transit/secretBackendKey:SecretBackendKey",
  policy: "vault:index/policy:Policy",
  authBackend: "vault:index/authBackend:AuthBackend",
  approleRole: "vault:appRole/authBackendRole:AuthBackendRole",
  secretId: "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId",
  audit: "vault:index/audit:Audit",
  seed: "vault:kv/secretV2:SecretV2",
  vaultProvider: "pulumi:providers:vault",
} as const;

export const TEST_SEEDS = {
  "orders/config": { mode: "overwrite", data: { api_key: "seed-value-orders" } },
  "reporting/config": { mode: "create-once", data: { token: "seed-value-reporting" } },
};

/** Secret config every profile test provides (server mode needs a token). */
export const TEST_SECRETS = {
  seeds: TEST_SEEDS,
  vaultToken: "test-vault-token",
  postgresAdminPassword: "test-admin-password",
};

let cachedCertificates: GeneratedCertificates | undefined;

/** A CA and a server certificate for 127.0.0.1, as an organization's CA would issue them. */
export function testCertificates(): GeneratedCertificates {
  cachedCertificates ??= generateCertificates({
    commonName: "vault.test.internal",
    dnsNames: ["vault.test.internal", "localhost"],
    ipAddresses: ["127.0.0.1"],
    validityHours: 24 * 365,
  });
  return cachedCertificates;
}

/** Where unit tests let the program write the trust file (never into the working tree). */
export const TEST_TRUST_DIR = path.join(os.tmpdir(), `vault-platform-unit-${process.pid}`);

/**
 * Mocks, then the program for a stack from its committed stack file plus overrides. prod needs a
 * certificate from the organization's CA: it gets a test one unless `server` is overridden.
 */
export async function buildProfile(
  stack: string,
  overrides: Record<string, unknown> = {},
  secrets: Record<string, unknown> = {},
): Promise<{ config: PlatformConfig; platform: Platform }> {
  await useMocks({ stack });
  const { loadConfig } = await import("../../stacks/config");
  const { Platform } = await import("../../infra/platform");
  const certificates = testCertificates();
  const providedTls =
    stack === "prod" && !("server" in overrides)
      ? {
          overrides: {
            server: {
              flavor: "vault",
              network: "bridge",
              port: 8220,
              tls: {
                certificate: certificates.certPem,
                caCertificate: certificates.caCertPem,
              },
            },
          },
          secrets: { tlsPrivateKey: certificates.keyPem },
        }
      : { overrides: {}, secrets: {} };
  const config = loadConfig(
    stackConfigSource(
      stack,
      { ...providedTls.overrides, ...overrides },
      { ...TEST_SECRETS, ...providedTls.secrets, ...secrets },
    ),
    "vault-platform",
    stack,
  );
  const platform = new Platform("platform", {
    config,
    trustFile: path.join(TEST_TRUST_DIR, stack, "ca.pem"),
  });
  await settle();
  return { config, platform };
}

/** The server's containers (not the stack's own Postgres). */
export function serverContainers() {
  return ofType(T.container).filter((container) => !container.inputs.name.endsWith("-postgres"));
}

export function mountsOfType(type: string) {
  return ofType(T.mount).filter((mount) => mount.inputs.type === type);
}

/** The acceptance list of the program issue, for one profile. */
export async function expectProfileContract(
  config: PlatformConfig,
  platform: Platform,
): Promise<void> {
  // The server, and beside it the stack's own Postgres where it runs one.
  expect(serverContainers()).toHaveLength(1);
  expect(ofType(T.container)).toHaveLength(config.postgres.embedded ? 2 : 1);

  const kv = mountsOfType("kv");
  expect(kv).toHaveLength(1);
  expect(kv[0].inputs.options).toEqual({ version: "2" });
  expect(ofType(T.kvSettings)).toHaveLength(1);

  expect(mountsOfType("database")).toHaveLength(1);
  expect(ofType(T.connection)).toHaveLength(1);
  expect(ofType(T.dbRole).length).toBeGreaterThanOrEqual(2);
  const vaultPgRoles = ofType(T.pgRole).filter((role) => role.inputs.login === true);
  expect(vaultPgRoles).toHaveLength(1);
  expect(vaultPgRoles[0].inputs).toMatchObject({ createRole: true, superuser: false });

  expect(mountsOfType("transit")).toHaveLength(1);
  expect(ofType(T.transitKey).length).toBeGreaterThanOrEqual(1);

  const policies = ofType(T.policy)
    .map((policy) => policy.inputs.name)
    .sort();
  expect(policies).toEqual(config.apps.map((app) => `app-${app.name}`).sort());

  const approle = ofType(T.authBackend);
  expect(approle).toHaveLength(1);
  expect(approle[0].inputs.type).toBe("approle");
  expect(
    ofType(T.approleRole)
      .map((role) => role.inputs.roleName)
      .sort(),
  ).toEqual(config.apps.map((app) => app.name).sort());

  const minAudit = config.profile === "staging" || config.profile === "prod" ? 2 : 1;
  expect(platform.audit.paths.length).toBeGreaterThanOrEqual(minAudit);
  if (config.server.flavor === "openbao") {
    // OpenBao: declared in the server config file uploaded into the container.
    const serverConfig = JSON.parse(serverContainers()[0].inputs.uploads[0].content);
    expect(serverConfig.audit).toHaveLength(platform.audit.paths.length);
    expect(ofType(T.audit)).toHaveLength(0);
  } else {
    expect(
      ofType(T.audit)
        .map((device) => device.inputs.path)
        .sort(),
    ).toEqual([...platform.audit.paths].sort());
  }

  expect(
    ofType(T.seed)
      .map((seed) => seed.inputs.name)
      .sort(),
  ).toEqual(Object.keys(TEST_SEEDS).sort());

  // Everything inside Vault goes through the explicit provider built from the server's outputs.
  const vaultResources = recorded.filter((resource) => resource.type.startsWith("vault:"));
  expect(
    vaultResources.every((resource) => resource.provider?.includes("pulumi:providers:vault")),
  ).toBe(true);

  // Secrets stay secret.
  expect(await pulumi.isSecret(platform.server?.token as pulumi.Output<string>)).toBe(true);
  for (const seed of config.seeds) {
    expect(await pulumi.isSecret(seed.dataJson)).toBe(true);
  }
  // No seed value reaches a resource name or a plain input other than the seed's data.
  for (const resource of recorded) {
    const rest = Object.fromEntries(
      Object.entries(resource.inputs).filter(([key]) => key !== "dataJson"),
    );
    expect(JSON.stringify(rest)).not.toContain("seed-value-");
    expect(resource.name).not.toContain("seed-value-");
  }
}
