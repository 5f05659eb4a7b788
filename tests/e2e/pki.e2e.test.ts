/**
 * Tier 2: certificates from a CA the platform owns, on the flavor under test. Internal mode with
 * three apps: each issues a certificate for its name whose chain verifies up to the exported CA,
 * is refused another app's name, and sees its revoked serial in the CRL (verify's checks);
 * verify fails naming app and name once a role is widened by hand; no private key anywhere in
 * state, outputs or logs; a second up changes nothing; destroy leaves nothing. External mode: the
 * stack exports the intermediate's CSR, the test's own CA signs it, the signed certificate comes
 * back as config, and issuance then verifies up to that CA.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks, vaultRequest } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { destroyStack } from "../../cli/recovery/destroy";
import { openTestStack } from "./claims";
import {
  dockerLeftovers,
  flavorAndPostgres,
  postgresRoles,
  removeLeftovers,
  secondUp,
  stepTimer,
} from "./helpers";
import { E2E_FLAVOR, E2E_IMAGE, requireToolchain } from "./toolchain";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type Key = Parameters<typeof x509.SubjectKeyIdentifierExtension.create>[0] & { type: string };
const INTERNAL = `pr-${2000 + (process.pid % 500)}`;
const EXTERNAL = `pr-${2500 + (process.pid % 500)}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-pki-"));
const optsOf = (stackName: string) => ({
  stackName,
  backendUrl: `file://${stateDir}`,
  stateDir,
});
const { timings, timed } = stepTimer();
const stacks: Record<string, Stack> = {};
const destroyed = new Set<string>();
/** Every line the engine printed: searched for keys. */
const logs: string[] = [];
const onOutput = (text: string) => logs.push(text);

const APPS = [
  { name: "orders", names: ["orders.svc.internal"], allowSubdomains: true },
  { name: "billing", names: ["billing.svc.internal", "billing-api.svc.internal"], keyType: "rsa" },
  { name: "reporting", names: ["reporting.svc.internal"] },
];

function appsConfig(): ConfigMap {
  return Object.fromEntries(
    APPS.flatMap((app, index) => [
      [`vault-platform:apps[${index}].name`, { value: app.name }],
      ...app.names.map((name, i) => [
        `vault-platform:apps[${index}].pki.names[${i}]`,
        { value: name },
      ]),
      ...(app.allowSubdomains
        ? [[`vault-platform:apps[${index}].pki.allowSubdomains`, { value: "true" }]]
        : []),
      ...(app.keyType
        ? [[`vault-platform:apps[${index}].pki.keyType`, { value: app.keyType }]]
        : []),
    ]),
  );
}

async function open(stackName: string, mode: "internal" | "external"): Promise<Stack> {
  const stack = await openTestStack(optsOf(stackName));
  stacks[stackName] = stack;
  await stack.setAllConfig(
    { ...flavorAndPostgres(), ...appsConfig(), "vault-platform:pki.mode": { value: mode } },
    true,
  );
  return stack;
}

async function tearDown(stackName: string): Promise<void> {
  await timed(`destroy ${stackName}`, () => destroyStack(stacks[stackName], { remove: true }));
  destroyed.add(stackName);
  expect(dockerLeftovers(stackName)).toEqual([]);
  expect(await postgresRoles(`vp_${stackName.replace("-", "_")}`)).toEqual([]);
}

/** No private key of any kind: not in the state (secrets decrypted), the outputs or the logs. */
async function expectNoPrivateKey(stack: Stack): Promise<void> {
  const state = JSON.stringify(await stack.exportStack());
  expect(state).not.toMatch(/PRIVATE KEY/);
  expect(JSON.stringify(await stack.outputs())).not.toMatch(/PRIVATE KEY/);
  expect(logs.join("")).not.toMatch(/PRIVATE KEY/);
}

beforeAll(async () => {
  await requireToolchain();
}, 120_000);

afterAll(async () => {
  for (const [stackName, stack] of Object.entries(stacks)) {
    if (!destroyed.has(stackName)) {
      await destroyStack(stack, { remove: true }).catch(() => undefined);
      await removeLeftovers(stackName).catch(() => undefined);
    }
    fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`), { force: true });
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
  console.log(`[e2e] pki timings (s): ${JSON.stringify(timings)}`);
}, 600_000);

const PKI_CHECKS = [
  "issues a certificate for",
  "refused names it does not own",
  "certificate role allows its names only",
  "revoked certificate is in the CRL",
];

describe(`certificates, internal CA (${E2E_FLAVOR}, ${E2E_IMAGE})`, () => {
  let stack: Stack;

  it("goes up with a root and an intermediate made inside Vault, and a role per app", async () => {
    stack = await open(INTERNAL, "internal");
    const result = await timed("up", () => stack.up({ onOutput }));
    expect(result.summary.result).toBe("succeeded");
    const pki = result.outputs.pki.value;
    expect(pki).toMatchObject({ mode: "internal", path: "pki", ready: true });
    expect(result.outputs.apps.value.orders.pki).toEqual({
      role: "orders",
      names: ["orders.svc.internal"],
      allowSubdomains: true,
      allowIpSans: false,
    });
    await expectNoPrivateKey(stack);
  });

  it("verify: each app issues for its name up to the CA, is refused others', CRL lists the revoked", async () => {
    const results = await timed("verify", async () => runChecks(await environmentOf(stack)));
    const failed = results.filter((result) => !result.ok);
    expect(failed).toEqual([]);
    for (const app of APPS) {
      for (const check of PKI_CHECKS) {
        expect(
          results.filter((result) => result.check.startsWith(`${app.name}: ${check}`)),
        ).toHaveLength(1);
      }
    }
    console.log(
      formatResults(results.filter((result) => /certificate|CRL|names/.test(result.check))),
    );
  });

  it("verify fails naming app and name when a role is widened by hand", async () => {
    const env = await environmentOf(stack);
    const role = await vaultRequest(env, "GET", "pki/roles/reporting", env.adminToken);
    expect(role.status).toBe(200);
    // The whole role written back with one name more (a POST resets the fields it lacks).
    const widen = (domains: string[]) =>
      vaultRequest(env, "POST", "pki/roles/reporting", env.adminToken, {
        ...role.body.data,
        allowed_domains: domains,
      });
    expect((await widen(["reporting.svc.internal", "billing.svc.internal"])).status).toBe(200);
    try {
      const failed = (await runChecks(env)).filter((result) => !result.ok);
      expect(failed.map((result) => `${result.check}: ${result.detail}`)).toEqual([
        "reporting: refused names it does not own: app reporting could issue billing.svc.internal (a name of app billing)",
        "reporting: certificate role allows its names only: role reporting allows names app reporting does not declare: billing.svc.internal",
      ]);
    } finally {
      expect((await widen(["reporting.svc.internal"])).status).toBe(200);
    }
  });

  it("shows zero changes on a second up, then destroys everything", async () => {
    expect(await timed("second up", () => secondUp(stack))).toEqual({});
    await tearDown(INTERNAL);
  });
});

/** The test's own CA: a root whose key never leaves this process. */
async function testCa(): Promise<{ root: x509.X509Certificate; key: Key }> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=vault-platform e2e organization root",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 2 * 365 * 86400_000),
    keys: keys as unknown as Parameters<
      typeof x509.X509CertificateGenerator.createSelfSigned
    >[0]["keys"],
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as Key),
    ],
  });
  return { root, key: keys.privateKey as unknown as Key };
}

async function signIntermediate(
  csrPem: string,
  ca: { root: x509.X509Certificate; key: Key },
): Promise<x509.X509Certificate> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  expect(await csr.verify()).toBe(true);
  return x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: csr.subject,
    issuer: ca.root.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 86400_000),
    publicKey: csr.publicKey,
    signingKey: ca.key,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.root),
    ],
  });
}

describe(`certificates, external CA (${E2E_FLAVOR}, ${E2E_IMAGE})`, () => {
  let stack: Stack;

  it("exports the intermediate's CSR and says what is missing until it is signed", async () => {
    stack = await open(EXTERNAL, "external");
    const lines: string[] = [];
    const result = await timed("up external", () =>
      stack.up({ onOutput: (text) => (lines.push(text), onOutput(text)) }),
    );
    expect(result.summary.result).toBe("succeeded");
    expect(result.outputs.pki.value).toMatchObject({ mode: "external", ready: false });
    expect(result.outputs.pki.value.csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(lines.join("")).toContain("set vault-platform:pki.intermediateCertificate");
    const checks = await runChecks(await environmentOf(stack));
    const issuing = checks.filter((result) => result.check.includes("issues a certificate"));
    expect(issuing.every((result) => result.skipped)).toBe(true);
  });

  it("takes the certificate the test's CA signed, and issuance verifies up to that CA", async () => {
    const ca = await testCa();
    const csr = (await stack.outputs()).pki.value.csr as string;
    const intermediate = await signIntermediate(csr, ca);
    const bundle = `${intermediate.toString("pem")}\n${ca.root.toString("pem")}\n`;
    await stack.setConfig("vault-platform:pki.intermediateCertificate", { value: bundle }, true);
    const result = await timed("up signed", () => stack.up({ onOutput }));
    expect(result.summary.result).toBe("succeeded");
    expect(result.outputs.pki.value.ready).toBe(true);
    expect(new x509.X509Certificate(result.outputs.pki.value.caCertificate).equal(ca.root)).toBe(
      true,
    );
    const results = await runChecks(await environmentOf(stack));
    expect(results.filter((check) => !check.ok)).toEqual([]);
    const issued = results.find(
      (check) => check.check === "orders: issues a certificate for orders.svc.internal",
    );
    expect(issued?.detail).toContain("CN=vault-platform e2e organization root");
    await expectNoPrivateKey(stack);
    expect(await timed("second up external", () => secondUp(stack))).toEqual({});
    await tearDown(EXTERNAL);
  });
});
