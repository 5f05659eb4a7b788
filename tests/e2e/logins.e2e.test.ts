/**
 * Tier 2: apps log in with JWT and Kubernetes beside AppRole, on the flavor under test. The test
 * is the identity provider: it signs JWTs with a key the JWT mount trusts, and it serves a
 * minimal TokenReview API over TLS on 127.0.0.1 that vouches for the service-account tokens it
 * issued. The right identities log in with exactly the app's policy; wrong ones are refused;
 * `verify` logs in with every method.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks, vaultRequest } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { destroyStack } from "../../cli/recovery/destroy";
import { generateCertificates } from "../../infra/tls";
import {
  dockerLeftovers,
  postgresRoles,
  removeLeftovers,
  secondUp,
  stepTimer,
  flavorAndPostgres,
} from "./helpers";
import { E2E_FLAVOR, E2E_IMAGE, requireToolchain } from "./toolchain";
import { openTestStack } from "./claims";

const STACK = `pr-${3000 + (process.pid % 1000)}`;
const ISSUER = "https://ci.example.test";
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-logins-"));
const opts = { stackName: STACK, backendUrl: `file://${stateDir}`, stateDir };
const signingKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const { timings, timed } = stepTimer();
const tls = generateCertificates({
  commonName: "kubernetes.test",
  dnsNames: ["localhost"],
  ipAddresses: ["127.0.0.1"],
  validityHours: 24,
});
/** Service-account tokens this fake cluster issued: token -> "system:serviceaccount:ns:name". */
const issued = new Map<string, string>();
let tokenReview: https.Server;
let stack: Stack;
let destroyed = false;

function sign(claims: Record<string, unknown>, key: crypto.KeyObject = signingKey.privateKey) {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
  return `${unsigned}.${crypto.sign("sha256", Buffer.from(unsigned), key).toString("base64url")}`;
}

function ciToken(overrides: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return sign({
    iss: ISSUER,
    aud: "vault-platform",
    sub: "repo:org/shop:ref:refs/heads/main",
    repository: "org/shop",
    iat: now,
    nbf: now - 5,
    exp: now + 600,
    ...overrides,
  });
}

/** A service-account token as a cluster issues it (the fake TokenReview vouches for it). */
function serviceAccountToken(namespace: string, name: string): string {
  const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const uid = crypto.randomUUID();
  const token = sign(
    {
      iss: "kubernetes/serviceaccount",
      sub: `system:serviceaccount:${namespace}:${name}`,
      "kubernetes.io/serviceaccount/namespace": namespace,
      "kubernetes.io/serviceaccount/service-account.name": name,
      "kubernetes.io/serviceaccount/service-account.uid": uid,
    },
    other.privateKey,
  );
  issued.set(token, JSON.stringify({ namespace, name, uid }));
  return token;
}

async function startTokenReview(): Promise<number> {
  tokenReview = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const review = JSON.parse(body || "{}") as { spec?: { token?: string } };
      const known = issued.get(review.spec?.token ?? "");
      const account = known ? (JSON.parse(known) as Record<string, string>) : undefined;
      response.writeHead(201, { "Content-Type": "application/json" });
      response.end(
        JSON.stringify({
          kind: "TokenReview",
          apiVersion: "authentication.k8s.io/v1",
          status: account
            ? {
                authenticated: true,
                user: {
                  username: `system:serviceaccount:${account.namespace}:${account.name}`,
                  uid: account.uid,
                  groups: ["system:serviceaccounts", `system:serviceaccounts:${account.namespace}`],
                },
              }
            : { authenticated: false },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => tokenReview.listen(0, "127.0.0.1", resolve));
  return (tokenReview.address() as AddressInfo).port;
}

beforeAll(async () => {
  await requireToolchain();
  const port = await startTokenReview();
  stack = await openTestStack(opts);
  const publicKey = signingKey.publicKey.export({ type: "spki", format: "pem" }).toString();
  await stack.setAllConfig(
    {
      ...flavorAndPostgres(),
      "vault-platform:apps[0].name": { value: "orders" },
      "vault-platform:apps[0].auth[0]": { value: "approle" },
      "vault-platform:apps[0].auth[1]": { value: "jwt" },
      "vault-platform:apps[0].jwt.boundAudiences[0]": { value: "vault-platform" },
      "vault-platform:apps[0].jwt.boundClaims.repository": { value: "org/shop" },
      "vault-platform:apps[0].transitKeys[0]": { value: "orders" },
      "vault-platform:apps[1].name": { value: "reporting" },
      "vault-platform:apps[1].auth[0]": { value: "kubernetes" },
      "vault-platform:apps[1].kubernetes.serviceAccounts[0]": { value: "reporting" },
      "vault-platform:apps[1].kubernetes.namespaces[0]": { value: "analytics" },
      "vault-platform:jwt.boundIssuer": { value: ISSUER },
      "vault-platform:jwt.validationPublicKeys[0]": { value: publicKey },
      "vault-platform:kubernetes.host": { value: `https://127.0.0.1:${port}` },
      "vault-platform:kubernetes.caCertificate": { value: tls.caCertPem },
      "vault-platform:kubernetes.tokenReviewerJwt": {
        value: serviceAccountToken("kube-system", "vault-reviewer"),
        secret: true,
      },
    },
    true,
  );
}, 120_000);

afterAll(async () => {
  if (!destroyed && stack) {
    await destroyStack(stack, { remove: true }).catch(() => undefined);
    await removeLeftovers(STACK).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
  await new Promise((resolve) => tokenReview?.close(resolve));
  console.log(`[e2e] logins timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

async function login(mount: string, role: string, jwt: string) {
  const outputs = await stack.outputs();
  return vaultRequest(
    outputs.vaultAddress.value as string,
    "POST",
    `auth/${mount}/login`,
    undefined,
    {
      role,
      jwt,
    },
  );
}

async function policiesOf(token: string): Promise<string[]> {
  const address = (await stack.outputs()).vaultAddress.value as string;
  const self = await vaultRequest(address, "GET", "auth/token/lookup-self", token);
  return [...(self.body.data.policies as string[])].sort();
}

describe(`apps logging in with JWT and Kubernetes (${E2E_FLAVOR}, ${E2E_IMAGE})`, () => {
  it("goes up with a JWT mount, a Kubernetes mount and one role per app and method", async () => {
    const result = await timed("up", () => stack.up({ onOutput: () => undefined }));
    expect(result.summary.result).toBe("succeeded");
    expect(result.outputs.mounts.value).toMatchObject({ jwt: "jwt", kubernetes: "kubernetes" });
    expect(result.outputs.apps.value.orders.logins).toEqual(["approle", "jwt"]);
    expect(result.outputs.apps.value.reporting.logins).toEqual(["kubernetes"]);
  }, 600_000);

  it("JWT: the right claims log in with exactly the app's policy; others are refused", async () => {
    const good = await login("jwt", "orders", ciToken());
    expect(good.status).toBe(200);
    expect(await policiesOf(good.body.auth.client_token)).toEqual(["app-orders"]);
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      "another repository": ciToken({ repository: "org/other" }),
      "another audience": ciToken({ aud: "someone-else" }),
      expired: ciToken({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
      "another issuer": ciToken({ iss: "https://evil.example.test" }),
      "signed with another key": sign(
        { iss: ISSUER, aud: "vault-platform", sub: "x", repository: "org/shop", exp: now + 600 },
        crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
      ),
    };
    for (const [why, token] of Object.entries(refused)) {
      const answer = await login("jwt", "orders", token);
      expect(`${why}: ${answer.status >= 400 && answer.status < 500}`).toBe(`${why}: true`);
    }
    // reporting has no JWT role.
    expect((await login("jwt", "reporting", ciToken())).status).toBeGreaterThanOrEqual(400);
  }, 120_000);

  it("Kubernetes: the bound service account logs in; another namespace's is refused", async () => {
    const good = await login(
      "kubernetes",
      "reporting",
      serviceAccountToken("analytics", "reporting"),
    );
    expect(good.status).toBe(200);
    expect(await policiesOf(good.body.auth.client_token)).toEqual(["app-reporting"]);
    for (const [why, token] of Object.entries({
      "another namespace": serviceAccountToken("shop", "reporting"),
      "another service account": serviceAccountToken("analytics", "orders"),
      "a token the cluster never issued": sign({
        sub: "system:serviceaccount:analytics:reporting",
      }),
    })) {
      const answer = await login("kubernetes", "reporting", token);
      expect(`${why}: ${answer.status >= 400 && answer.status < 500}`).toBe(`${why}: true`);
    }
  }, 120_000);

  it("verify logs in with every method of every app (and says which it could not try)", async () => {
    const env = await environmentOf(stack);
    const without = await runChecks(env);
    expect(without.filter((result) => result.skipped).map((result) => result.check)).toEqual([
      "orders: JWT login",
      "reporting: Kubernetes login",
    ]);
    const results = await timed("verify with tokens", () =>
      runChecks({
        ...env,
        loginTokens: {
          orders: { jwt: ciToken() },
          reporting: { kubernetes: serviceAccountToken("analytics", "reporting") },
        },
      }),
    );
    console.log(`[e2e] logins verify\n${formatResults(results)}`);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results.map((result) => result.check)).toEqual(
      expect.arrayContaining([
        "orders: AppRole login",
        "orders: JWT login",
        "reporting: Kubernetes login",
        "reporting: reads its KV path",
      ]),
    );
  }, 120_000);

  it("shows zero changes on a second up, then destroys everything", async () => {
    expect(await timed("second up", () => secondUp(stack))).toEqual({});
    await timed("destroy", () => destroyStack(stack, { remove: true }));
    destroyed = true;
    expect(dockerLeftovers(STACK)).toEqual([]);
    expect(await postgresRoles(`vp_${STACK.replace("-", "_")}`)).toEqual([]);
  }, 600_000);
});
