/**
 * An app that consumes the platform, as the articles end: at startup it unwraps its secret-id
 * and logs in with its AppRole, loads its KV secrets, takes dynamic Postgres credentials (renewed
 * before they expire, replaced when they can no longer be renewed) and encrypts with its transit
 * key. GET /health reports each of the four; 200 only when all work. Where the app has a name to
 * issue a certificate for (CERT_NAME, one of apps.<app>.pki.names), it also issues itself a
 * certificate, serves the same /health over HTTPS with it, and renews it before it expires.
 *
 * Configuration (environment): VAULT_ADDR, APP_NAME, VAULT_ROLE_ID, VAULT_WRAPPED_SECRET_ID,
 * PGHOST, PGPORT, PGDATABASE; optional KV_MOUNT (secret), DATABASE_MOUNT (database),
 * TRANSIT_MOUNT (transit), APPROLE_MOUNT (approle), PORT (8080); for HTTPS, CERT_NAME and optional
 * PKI_MOUNT (pki), CERT_TTL (the role's default, e.g. 24h), HTTPS_PORT (8443).
 */
import * as http from "http";
import * as https from "https";
import { Client } from "pg";
import {
  DatabaseLease,
  VaultClient,
  appRoleLogin,
  call,
  databaseCredentials,
  issueCertificate,
  renewLease,
  unwrapSecretId,
} from "./vault";

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (!value) {
    throw new Error(`missing environment variable ${name}`);
  }
  return value;
}

const app = setting("APP_NAME");
const mounts = {
  kv: setting("KV_MOUNT", "secret"),
  database: setting("DATABASE_MOUNT", "database"),
  transit: setting("TRANSIT_MOUNT", "transit"),
  approle: setting("APPROLE_MOUNT", "approle"),
  pki: setting("PKI_MOUNT", "pki"),
};
/** The name the app issues its certificate for; none: no HTTPS. */
const certificateName = process.env.CERT_NAME;
const httpsPort = Number(setting("HTTPS_PORT", "8443"));
const vault: VaultClient = { address: setting("VAULT_ADDR") };
const status: Record<"vault" | "kv" | "database" | "transit", string> & { certificate?: string } = {
  vault: "starting",
  kv: "starting",
  database: "starting",
  transit: "starting",
  ...(certificateName ? { certificate: "starting" } : {}),
};
let lease: DatabaseLease | undefined;
let renewals = 0;
let rotations = 0;
let httpsServer: https.Server | undefined;
let certificateRenewals = 0;

async function connectAs(credentials: DatabaseLease): Promise<void> {
  const client = new Client({
    host: setting("PGHOST"),
    port: Number(setting("PGPORT", "5432")),
    database: setting("PGDATABASE"),
    user: credentials.username,
    password: credentials.password,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  await client.query("SELECT 1");
  await client.end();
}

/** New credentials: taken, proven by a connection, kept until renewal no longer extends them. */
async function rotateCredentials(): Promise<void> {
  lease = await databaseCredentials(vault, mounts.database, app);
  await connectAs(lease);
  rotations += 1;
  status.database = `connected as a dynamic user (rotations ${rotations}, renewals ${renewals})`;
  scheduleRenewal(lease.ttlSeconds);
}

/** Renew at two thirds of the TTL; a renewal that grants less than asked means max TTL is near. */
function scheduleRenewal(ttlSeconds: number): void {
  const delay = Math.max(1, Math.floor((ttlSeconds * 2) / 3)) * 1000;
  setTimeout(() => {
    void (async () => {
      try {
        const granted = await renewLease(vault, (lease as DatabaseLease).leaseId);
        renewals += 1;
        status.database = `connected as a dynamic user (rotations ${rotations}, renewals ${renewals})`;
        if (granted < ttlSeconds) {
          await rotateCredentials();
        } else {
          scheduleRenewal(granted);
        }
      } catch (error) {
        status.database = `renewal failed (${(error as Error).message}); rotating`;
        await rotateCredentials().catch((rotation: Error) => {
          status.database = `failed: ${rotation.message}`;
        });
      }
    })();
  }, delay).unref();
}

/**
 * A new certificate for `name`: the first one starts the HTTPS server, later ones replace its
 * key and certificate without a restart (connections open keep theirs). The private key is
 * handed to the server only: never logged, never written to disk.
 */
async function renewCertificate(name: string): Promise<void> {
  const issued = await issueCertificate(vault, mounts.pki, app, name, process.env.CERT_TTL);
  const context = { key: issued.privateKey, cert: issued.certificateChain };
  if (httpsServer) {
    httpsServer.setSecureContext(context);
    certificateRenewals += 1;
  } else {
    const server = https.createServer(context, health);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(httpsPort, "127.0.0.1", resolve);
    });
    httpsServer = server;
    console.log(`${app}: serving https://${name}:${httpsPort}/health on 127.0.0.1`);
  }
  status.certificate = `serving ${name} (serial ${issued.serialNumber}, renewals ${certificateRenewals})`;
  scheduleCertificateRenewal(name, issued.expiresAt);
}

/** Renew at two thirds of the time left; after a failure, again at two thirds of what is left. */
function scheduleCertificateRenewal(name: string, expiresAt: number): void {
  const delay = Math.max(1000, Math.floor(((expiresAt - Date.now()) * 2) / 3));
  setTimeout(() => {
    renewCertificate(name).catch((error: Error) => {
      status.certificate =
        Date.now() < expiresAt
          ? `renewal failed (${error.message}); the current certificate serves until it expires`
          : `failed: the certificate expired and renewal failed (${error.message})`;
      scheduleCertificateRenewal(name, expiresAt);
    });
  }, delay).unref();
}

async function start(): Promise<void> {
  const secretId = await unwrapSecretId(vault, setting("VAULT_WRAPPED_SECRET_ID"));
  const login = await appRoleLogin(vault, mounts.approle, setting("VAULT_ROLE_ID"), secretId);
  vault.token = login.token;
  status.vault = `logged in with AppRole (token ttl ${login.ttlSeconds}s)`;

  try {
    const secret = await call<{ data: { data: Record<string, string> } }>(
      vault,
      "GET",
      `${mounts.kv}/data/${app}/config`,
    );
    status.kv = `loaded ${Object.keys(secret.data.data).length} field(s) from ${mounts.kv}/${app}/config`;
  } catch (error) {
    status.kv = `failed: ${(error as Error).message}`;
  }

  await rotateCredentials().catch((error: Error) => {
    status.database = `failed: ${error.message}`;
  });

  try {
    const encrypted = await call<{ data: { ciphertext: string } }>(
      vault,
      "POST",
      `${mounts.transit}/encrypt/${app}`,
      { plaintext: Buffer.from(`hello from ${app}`).toString("base64") },
    );
    status.transit = `encrypted with key ${app} (${encrypted.data.ciphertext.slice(0, 8)}...)`;
  } catch (error) {
    status.transit = `failed: ${(error as Error).message}`;
  }

  if (certificateName) {
    await renewCertificate(certificateName).catch((error: Error) => {
      status.certificate = `failed: ${error.message}`;
    });
  }
}

function health(request: http.IncomingMessage, response: http.ServerResponse): void {
  if (request.url !== "/health") {
    response.writeHead(404).end();
    return;
  }
  const healthy = Object.values(status).every(
    (value) => !value.startsWith("failed") && value !== "starting",
  );
  response.writeHead(healthy ? 200 : 503, { "Content-Type": "application/json" });
  response.end(JSON.stringify({ app, healthy, ...status }));
}

const server = http.createServer(health);
server.listen(Number(setting("PORT", "8080")), "127.0.0.1", () => {
  console.log(`${app}: listening on 127.0.0.1:${setting("PORT", "8080")}`);
  start().catch((error: Error) => {
    status.vault = `failed: ${error.message}`;
    console.error(`${app}: startup failed: ${error.message}`);
  });
});
