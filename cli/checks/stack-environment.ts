/**
 * The environment the outside-in checks run against, built from a stack's outputs (and, for an
 * existing cluster, the program's own login from the stack's config).
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { programToken, resolvedConfig } from "../engine/program-login";
import { loginTokenVariable } from "./app-logins";
import type { AppUnderTest, Environment } from "./environment";

/** Builds the check environment from a stack's outputs (and its config in server mode). */
export async function environmentOf(stack: Stack, probeTable?: string): Promise<Environment> {
  const outputs = await stack.outputs();
  const value = <T>(key: string): T => {
    if (!(key in outputs)) {
      throw new Error(`stack output "${key}" is missing: has the stack been brought up?`);
    }
    return outputs[key].value as T;
  };
  const external = outputs.serverMode?.value === "external";
  const adminToken = external
    ? await programToken(stack, await resolvedConfig(stack))
    : ((outputs.rootToken?.value as string | undefined) ??
      (outputs.provisionerToken?.value as string | undefined) ??
      (await stack.getConfig("vault-platform:vaultToken").then((c) => c.value)));
  if (!adminToken) {
    throw new Error(
      "no admin token: no rootToken or provisionerToken output, and no vault-platform:vaultToken",
    );
  }
  const apps = value<Record<string, Omit<AppUnderTest, "name">>>("apps");
  const postgres = value<{ host: string; port: number; database: string }>("postgres");
  return {
    address: value<string>("vaultAddress"),
    addresses: outputs.vaultAddresses?.value as string[] | undefined,
    namespace: outputs.namespace?.value as string | undefined,
    caCert: outputs.vaultCaCertificate?.value as string | undefined,
    adminToken,
    mounts: value<Environment["mounts"]>("mounts"),
    apps: Object.entries(apps).map(([name, app]) => ({ name, ...app })),
    loginTokens: Object.fromEntries(
      Object.keys(apps).map((name) => [
        name,
        {
          jwt: process.env[loginTokenVariable(name, "jwt")],
          kubernetes: process.env[loginTokenVariable(name, "kubernetes")],
        },
      ]),
    ),
    postgres: { host: postgres.host, port: postgres.port, database: postgres.database },
    container: outputs.container?.value as string | undefined,
    containers: outputs.containers?.value as string[] | undefined,
    auditLogPath: value<string[]>("auditDevices").includes("file")
      ? value<string>("auditLogPath")
      : undefined,
    probeTable,
  };
}
