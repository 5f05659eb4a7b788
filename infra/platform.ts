import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { PlatformConfig } from "../stacks/config";
import { AppOutputs, appOutputs, planApps } from "./apps";
import { AppRole } from "./approle";
import { Bootstrap } from "./bootstrap";
import { Audit } from "./audit";
import { Database } from "./database";
import type { EmbeddedPostgres } from "./embedded-postgres";
import { connectPostgres } from "./postgres-connection";
import { Kv } from "./kv";
import { JwtLogins, KubernetesLogins } from "./login-roles";
import type { Connection } from "./connection";
import { connectExternal } from "./external-cluster";
import { pgIdentifier } from "./naming";
import { runOwnServer } from "./own-server";
import { People } from "./people";
import { issueCertificates, Pki } from "./pki";
import { PolicySet } from "./policy-set";
import { Seeds } from "./seeds";
import { FLAVOR_TRAITS, auditDeviceSpecs } from "./server-config";
import type { VaultAccess } from "./vault-request";
import { planTeams, TeamOutputs, teamOutputs } from "./teams";
import { Transit } from "./transit";
import { VaultServer } from "./vault-server";

export interface PlatformArgs {
  readonly config: PlatformConfig;
  /**
   * With TLS: where to write the CA certificate the Vault provider trusts, relative to the
   * project directory. Default .vault-platform/<stack>/ca.pem.
   */
  readonly trustFile?: string;
}

/** A dev server's access: its address and root token. */
type DevAccess = VaultAccess & { readonly token: pulumi.Input<string> };

/**
 * The whole environment: the server, then everything configured inside it. The only place that
 * knows the order; apps are the central concept and everything per app derives from them.
 */
export class Platform extends pulumi.ComponentResource {
  /** The server containers, where the program runs the server (dev and server mode). */
  public readonly server?: VaultServer;
  public readonly bootstrap?: Bootstrap;
  /** The address the program configures through. */
  public readonly address: pulumi.Output<string>;
  /** With TLS: the CA certificate clients trust. */
  public readonly caCert?: pulumi.Output<string>;
  /** External cluster: the namespace everything is configured in. */
  public readonly namespace?: pulumi.Output<string>;
  public readonly vaultProvider: vault.Provider;
  public readonly audit: Audit;
  public readonly kv: Kv;
  public readonly transit: Transit;
  public readonly database: Database;
  public readonly policies: PolicySet;
  public readonly approle: AppRole;
  public readonly kubernetesLogins?: KubernetesLogins;
  public readonly jwtLogins?: JwtLogins;
  public readonly seeds: Seeds;
  /** Dev and pull-request stacks without postgres.host: their own Postgres. */
  public readonly embeddedPostgres?: EmbeddedPostgres;
  public readonly apps: Readonly<Record<string, AppOutputs>>;
  /** People's single sign-on and the teams' groups and policies, where the stack lets people in. */
  public readonly people?: People;
  public readonly teams: Readonly<Record<string, TeamOutputs>>;
  /** The stack's CA and the apps' certificate roles, where config sets pki. */
  public readonly pki?: Pki;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Platform", name, {}, opts);
    const config = args.config;
    const rolePrefix = pgIdentifier("vp", config.stack);
    const protect = config.protect;
    const plans = planApps(config);

    const auditDevices = auditDeviceSpecs(
      config.audit.devices,
      `${FLAVOR_TRAITS[config.server.flavor].home}/logs`,
    );
    let connection: Connection;
    if (config.external) {
      const cluster = connectExternal(this, name, {
        stack: config.stack,
        cluster: config.external,
        namespace: config.namespace,
        protect,
        trustFile: args.trustFile,
      });
      this.namespace = cluster.namespacePath;
      connection = cluster;
    } else {
      const own = runOwnServer(this, name, config, auditDevices, args.trustFile);
      this.server = own.server;
      this.bootstrap = own.bootstrap;
      connection = own;
    }
    this.address = connection.address;
    this.caCert = connection.caCert;
    this.vaultProvider = connection.provider;
    const postgres = connectPostgres(this, name, config);
    this.embeddedPostgres = postgres.embedded;
    const inVault: pulumi.ComponentResourceOptions = {
      parent: this,
      providers: { vault: this.vaultProvider },
    };

    // Audit first, so every later request is on record.
    this.audit = new Audit(
      `${name}-audit`,
      {
        devices: auditDevices,
        declaredInServerConfig: FLAVOR_TRAITS[config.server.flavor].declarativeAudit,
      },
      inVault,
    );
    const afterAudit: pulumi.ComponentResourceOptions = {
      ...inVault,
      dependsOn: Object.values(this.audit.devices),
    };

    this.kv = new Kv(
      `${name}-kv`,
      {
        ...config.kv,
        protect,
        releaseDevMount:
          config.server.mode === "dev" ? (connection.access as DevAccess) : undefined,
      },
      afterAudit,
    );

    this.transit = new Transit(
      `${name}-transit`,
      {
        path: config.transit.path,
        keys: plans.flatMap((plan) =>
          plan.transitKeys.map((key) => ({
            name: key,
            autoRotatePeriodSeconds: config.transit.autoRotatePeriodSeconds,
          })),
        ),
        deletionAllowed: config.rules.teardownAllowed,
        protect,
      },
      afterAudit,
    );

    this.database = new Database(
      `${name}-database`,
      {
        path: config.database.path,
        host: config.postgres.host,
        port: config.postgres.port,
        database: config.postgres.database,
        sslmode: config.postgres.sslmode,
        createDatabase: config.postgres.createDatabase,
        tableOwner: config.postgres.adminUser,
        rolePrefix,
        maxOpenConnections: config.postgres.maxOpenConnections,
        apps: plans.flatMap((plan) => (plan.databaseRole ? [plan.databaseRole] : [])),
        defaultTtlSeconds: config.database.defaultTtlSeconds,
        maxTtlSeconds: config.database.maxTtlSeconds,
        protect,
        vaultAccess: connection.access,
        // Only Vault knows the password of its Postgres role afterwards (not dev: throwaway).
        rotateRootCredential: config.server.mode !== "dev",
        vaultProvider: this.vaultProvider,
        postgresProvider: postgres.provider,
      },
      postgres.embedded
        ? { ...afterAudit, dependsOn: [...Object.values(this.audit.devices), postgres.embedded] }
        : afterAudit,
    );

    this.policies = new PolicySet(
      `${name}-policies`,
      {
        documents: Object.fromEntries(plans.map((plan) => [plan.policyName, plan.policyDocument])),
      },
      afterAudit,
    );

    this.approle = new AppRole(
      `${name}-approle`,
      {
        path: config.approle.path,
        roles: plans
          .filter(({ app }) => app.auth.includes("approle"))
          .map(({ app, policyName }) => ({
            name: app.name,
            policy: this.policies.policies[policyName].name,
            tokenTtlSeconds: config.approle.tokenTtlSeconds,
            tokenMaxTtlSeconds: config.approle.tokenMaxTtlSeconds,
            secretIdTtlSeconds: config.approle.secretIdTtlSeconds,
            secretIdNumUses: config.approle.secretIdNumUses,
            boundCidrs: app.boundCidrs,
            issueSecretId: app.issueSecretId,
            secretIdWrapTtl: config.approle.secretIdWrapTtl,
          })),
      },
      afterAudit,
    );

    const loginApps = plans.map(({ app, policyName }) => ({
      app,
      policy: this.policies.policies[policyName].name,
    }));
    const tokenSettings = {
      tokenTtlSeconds: config.approle.tokenTtlSeconds,
      tokenMaxTtlSeconds: config.approle.tokenMaxTtlSeconds,
    };
    if (config.kubernetes) {
      this.kubernetesLogins = new KubernetesLogins(
        `${name}-kubernetes`,
        { mount: config.kubernetes, apps: loginApps, ...tokenSettings },
        afterAudit,
      );
    }
    if (config.jwt) {
      this.jwtLogins = new JwtLogins(
        `${name}-jwt`,
        { mount: config.jwt, apps: loginApps, ...tokenSettings },
        afterAudit,
      );
    }

    this.seeds = new Seeds(
      `${name}-seeds`,
      {
        // Through the settings resource, so seeds are written after max_versions/cas are set.
        kvMount: this.kv.settings.mount,
        seeds: config.seeds,
      },
      afterAudit,
    );

    this.pki = issueCertificates(`${name}-pki`, config, connection, this.namespace, afterAudit);

    const teams = planTeams(config);
    if (config.people) {
      this.people = new People(`${name}-people`, { login: config.people, teams }, afterAudit);
    }
    this.teams = Object.fromEntries(teams.map((plan) => [plan.team.name, teamOutputs(plan)]));

    const apps: Record<string, AppOutputs> = Object.fromEntries(
      plans.map((plan) => [plan.app.name, appOutputs(plan, this.approle.roleIds[plan.app.name])]),
    );
    this.apps = apps;
    this.registerOutputs({ address: this.address, apps });
  }
}
