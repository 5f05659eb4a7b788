/**
 * The environment the outside-in checks run against, built from a stack's outputs (and, for an
 * existing cluster, the program's own login from the stack's config).
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { programToken, resolvedConfig } from "../engine/program-login";
import { loginTokenVariable } from "./app-logins";
import type { AppUnderTest, Environment, MemberCredential, TeamUnderTest } from "./environment";
import { memberCredentialVariables } from "./team-checks";

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
    ...peopleOf(outputs),
    postgres: { host: postgres.host, port: postgres.port, database: postgres.database },
    pki: outputs.pki?.value as Environment["pki"],
    container: outputs.container?.value as string | undefined,
    containers: outputs.containers?.value as string[] | undefined,
    auditLogPath: value<string[]>("auditDevices").includes("file")
      ? value<string>("auditLogPath")
      : undefined,
    probeTable,
  };
}

/** The teams, the people login and each team's member credential from the environment. */
function peopleOf(
  outputs: Record<string, { value: unknown }>,
): Pick<Environment, "teams" | "people" | "memberCredentials"> {
  const teams = (outputs.teams?.value ?? {}) as Record<string, Omit<TeamUnderTest, "name">>;
  const people = outputs.people?.value as Environment["people"] | undefined;
  if (!people) {
    return {};
  }
  const credential = (team: string): MemberCredential[] => {
    const variables = memberCredentialVariables(team);
    const jwt = process.env[variables.jwt];
    const token = process.env[variables.token];
    return token ? [{ token }] : jwt ? [{ jwt }] : [];
  };
  return {
    people,
    teams: Object.entries(teams).map(([name, team]) => ({ name, ...team })),
    memberCredentials: Object.fromEntries(
      Object.keys(teams).flatMap((team) => credential(team).map((found) => [team, found])),
    ),
  };
}
