/**
 * The few Vault calls an app makes, over Node's fetch. No token, secret-id or password is ever
 * logged or put into an error message: errors carry the path and the HTTP status only.
 */
export interface VaultClient {
  readonly address: string;
  token?: string;
}

export async function call<T>(
  client: VaultClient,
  method: string,
  path: string,
  body?: unknown,
  token = client.token,
): Promise<T> {
  const response = await fetch(`${client.address}/v1/${path}`, {
    method,
    headers: {
      "Content-Type": "application/json",
      ...(token ? { "X-Vault-Token": token } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${path} answered HTTP ${response.status}`);
  }
  return (response.status === 204 ? {} : await response.json()) as T;
}

/**
 * The secret-id arrives response-wrapped: only whoever unwraps it first gets it, once, within
 * the wrapping TTL. A wrapping token that was already used fails here, loudly.
 */
export async function unwrapSecretId(client: VaultClient, wrappingToken: string): Promise<string> {
  const unwrapped = await call<{ data: { secret_id: string } }>(
    client,
    "POST",
    "sys/wrapping/unwrap",
    undefined,
    wrappingToken,
  );
  return unwrapped.data.secret_id;
}

export async function appRoleLogin(
  client: VaultClient,
  mount: string,
  roleId: string,
  secretId: string,
): Promise<{ token: string; ttlSeconds: number }> {
  const login = await call<{ auth: { client_token: string; lease_duration: number } }>(
    client,
    "POST",
    `auth/${mount}/login`,
    { role_id: roleId, secret_id: secretId },
  );
  return { token: login.auth.client_token, ttlSeconds: login.auth.lease_duration };
}

export interface DatabaseLease {
  readonly username: string;
  readonly password: string;
  readonly leaseId: string;
  readonly ttlSeconds: number;
}

export async function databaseCredentials(
  client: VaultClient,
  mount: string,
  role: string,
): Promise<DatabaseLease> {
  const creds = await call<{
    lease_id: string;
    lease_duration: number;
    data: { username: string; password: string };
  }>(client, "GET", `${mount}/creds/${role}`);
  return {
    username: creds.data.username,
    password: creds.data.password,
    leaseId: creds.lease_id,
    ttlSeconds: creds.lease_duration,
  };
}

/** Renews a lease; the answer's TTL is what Vault granted (capped by the role's max TTL). */
export async function renewLease(client: VaultClient, leaseId: string): Promise<number> {
  const renewed = await call<{ lease_duration: number }>(client, "PUT", "sys/leases/renew", {
    lease_id: leaseId,
  });
  return renewed.lease_duration;
}

/** A certificate the app issued itself. The private key lives in this object only. */
export interface IssuedCertificate {
  /** The leaf followed by its issuers (PEM), what the server presents. */
  readonly certificateChain: string;
  readonly privateKey: string;
  readonly serialNumber: string;
  /** When the certificate expires, in milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * Issues a certificate from the app's role (`<mount>/issue/<role>`); Vault generates the key and
 * returns it once, in this answer, and never stores it. `ttl` empty: the role's default.
 */
export async function issueCertificate(
  client: VaultClient,
  mount: string,
  role: string,
  commonName: string,
  ttl?: string,
): Promise<IssuedCertificate> {
  const issued = await call<{
    data: {
      certificate: string;
      ca_chain?: string[];
      issuing_ca: string;
      private_key: string;
      serial_number: string;
      expiration: number;
    };
  }>(client, "POST", `${mount}/issue/${role}`, {
    common_name: commonName,
    ...(ttl ? { ttl } : {}),
  });
  const issuers = issued.data.ca_chain ?? [issued.data.issuing_ca];
  return {
    certificateChain: [issued.data.certificate, ...issuers].join("\n"),
    privateKey: issued.data.private_key,
    serialNumber: issued.data.serial_number,
    expiresAt: issued.data.expiration * 1000,
  };
}
