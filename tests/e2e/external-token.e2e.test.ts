/**
 * Tier 2 (issue 28): a pr-<n> stack on an existing OpenBao cluster (TLS, the program logging in
 * with a token, the namespace created by the stack) with an external Postgres (its superuser on
 * 127.0.0.1): `npm run up`, verify, and a second `npm run up` that changes nothing. The checks
 * before `up` read the stack's mounts in its namespace; read in the root namespace they found
 * every mount missing and refreshed the whole stack on every up. On Vault Community, which has no
 * namespaces, the stack shares the root namespace by path prefix (server.tenancy prefix).
 */
import * as fs from "fs";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { formatResults, runChecks } from "../../cli/checks/run-checks";
import { environmentOf } from "../../cli/checks/stack-environment";
import { PROJECT_ROOT } from "../../cli/engine/workspace";
import { openTestStack } from "./claims";
import {
  ADDRESSES,
  caCert,
  credentials,
  docker,
  initCluster,
  LABEL,
  opts,
  startCluster,
  TENANCY,
  workDir,
} from "./existing-cluster";
import { postgresRoles, removeLeftovers } from "./helpers";
import { expectSucceeded, npmRun } from "./npm-run";
import { E2E_FLAVOR, E2E_PG_ADMIN, E2E_PG_PORT, requireToolchain } from "./toolchain";

const STACK = `pr-${7500 + (process.pid % 400)}`;
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: opts(STACK).backendUrl,
  PULUMI_CONFIG_PASSPHRASE_FILE: path.join(opts(STACK).stateDir, "passphrase"),
};
let stack: Stack | undefined;
let removed = false;

const cli = (args: string[]) => npmRun({ stack: STACK, env }, args);

beforeAll(async () => {
  await requireToolchain();
  startCluster();
  await initCluster();
  stack = await openTestStack(opts(STACK));
  await stack.setAllConfig(
    {
      "vault-platform:server.mode": { value: "external" },
      "vault-platform:server.flavor": { value: E2E_FLAVOR },
      "vault-platform:server.tls.caCertificate": { value: caCert },
      ...Object.fromEntries(
        ADDRESSES.map((address, i) => [`vault-platform:server.address[${i}]`, { value: address }]),
      ),
      "vault-platform:server.auth.method": { value: "token" },
      ...(TENANCY === "prefix" ? { "vault-platform:server.tenancy": { value: "prefix" } } : {}),
      "vault-platform:vaultToken": { value: credentials.rootToken, secret: true },
      "vault-platform:postgres.host": { value: "127.0.0.1" },
      "vault-platform:postgres.port": { value: String(E2E_PG_PORT) },
      "vault-platform:postgresAdminPassword": { value: E2E_PG_ADMIN.password, secret: true },
    },
    true,
  );
}, 300_000);

afterAll(async () => {
  if (stack && !removed) {
    await cli(["destroy", "--remove"]);
    await removeLeftovers(STACK).catch(() => undefined);
  }
  fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), { force: true });
  const containers = docker("ps", "-aq", "--filter", `label=${LABEL}`).split("\n").filter(Boolean);
  if (containers.length > 0) {
    docker("rm", "-f", "-v", ...containers);
  }
  fs.rmSync(workDir, { recursive: true, force: true });
}, 600_000);

describe(`an existing ${E2E_FLAVOR} cluster, token login, the stack's own ${TENANCY}`, () => {
  it("up, verify, and a second up that changes nothing", async () => {
    expectSucceeded(await cli(["up"]));
    const results = await runChecks(await environmentOf(stack as Stack));
    if (results.some((result) => !result.ok)) {
      throw new Error(formatResults(results));
    }
    const again = await cli(["up"]);
    expectSucceeded(again);
    expect(again.output).not.toMatch(/gone|lost its state/);
    expect(again.output).not.toMatch(/[1-9]\d* (to create|created|to update|updated|replaced)/);
  }, 600_000);

  it("destroys, leaving no Postgres role of the stack", async () => {
    expectSucceeded(await cli(["destroy", "--remove"]));
    removed = true;
    expect(await postgresRoles(`vp_${STACK.replace("-", "_")}`)).toEqual([]);
  }, 600_000);
});
