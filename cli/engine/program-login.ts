/**
 * The program's own login to a cluster it does not run, as the CLI commands prepare it: the
 * stack's config resolved once, the JWT moved from the file or variable named in config into the
 * environment the engine and its providers inherit (never into config or state), and a token
 * for `npm run verify`.
 */
import * as fs from "fs";
import * as path from "path";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { PROGRAM_JWT_ENV, programLoginToken } from "../../infra/vault-http";
import { ConfigSource, loadConfig, PlatformConfig, ProgramAuth } from "../../stacks/config";
import { stackFileSource } from "../../stacks/stack-files";
import { PROJECT_ROOT } from "./project-root";

const PROJECT = "vault-platform";

/** The stack's config (decrypted) over the defaults declared in Pulumi.yaml. */
export async function stackConfigSource(stack: Stack): Promise<ConfigSource> {
  const values = await stack.getAllConfig();
  const defaults = stackFileSource(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"));
  return {
    get: (key) => values[key]?.value ?? defaults.get(key),
    isSecret: (key) => values[key]?.secret ?? false,
    keys: () => [...new Set([...Object.keys(values), ...(defaults.keys?.() ?? [])])],
  };
}

export async function resolvedConfig(stack: Stack, source?: ConfigSource): Promise<PlatformConfig> {
  return loadConfig(source ?? (await stackConfigSource(stack)), PROJECT, stack.name);
}

/** The JWT a jwt login uses, from the file or environment variable config names. */
export function readProgramJwt(auth: Extract<ProgramAuth, { method: "jwt" }>): string {
  if (auth.jwtFile !== undefined) {
    const file = path.resolve(PROJECT_ROOT, auth.jwtFile);
    if (!fs.existsSync(file)) {
      throw new Error(`vault-platform:server.auth.jwtFile: no file at ${file}`);
    }
    return fs.readFileSync(file, "utf8").trim();
  }
  const name = auth.jwtEnv as string;
  const jwt = process.env[name]?.trim();
  if (!jwt) {
    throw new Error(`vault-platform:server.auth.jwtEnv: the environment variable ${name} is empty`);
  }
  return jwt;
}

/**
 * Before the engine runs: with a jwt login, the JWT goes into the workspace's environment as
 * TERRAFORM_VAULT_AUTH_JWT, where the Vault provider and the lifecycle calls read it.
 */
export async function prepareProgramLogin(
  stack: Stack,
  source?: ConfigSource,
): Promise<PlatformConfig> {
  const config = await resolvedConfig(stack, source);
  const auth = config.external?.auth;
  if (auth?.method === "jwt") {
    (stack.workspace as LocalWorkspace).envVars[PROGRAM_JWT_ENV] = readProgramJwt(auth);
  }
  return config;
}

/** A token of the program's own, for the checks that act as an operator (minting secret-ids). */
export async function programToken(stack: Stack, config: PlatformConfig): Promise<string> {
  const external = config.external;
  if (!external) {
    throw new Error("not an external cluster");
  }
  const auth = external.auth;
  const secret = async (key: string) => (await stack.getConfig(`${PROJECT}:${key}`)).value;
  if (auth.method === "token") {
    return secret("vaultToken");
  }
  const login = async (address: string) => {
    const target = { address, caCert: external.caCertificate };
    if (auth.method === "approle") {
      return programLoginToken(
        target,
        { method: "approle", path: auth.path, roleId: auth.roleId, namespace: auth.namespace },
        await secret("vaultSecretId"),
      );
    }
    process.env[PROGRAM_JWT_ENV] = readProgramJwt(auth);
    return programLoginToken(target, {
      method: "jwt",
      path: auth.path,
      role: auth.role,
      namespace: auth.namespace,
    });
  };
  // Each address in turn: a node of a cluster may be down, or a standby that cannot serve yet.
  let refused: unknown;
  for (const address of external.addresses) {
    try {
      return await login(address);
    } catch (error) {
      refused = error;
    }
  }
  throw refused;
}
