/**
 * What a tier-2 run creates, claimed before it is created, so that a run killed before its
 * cleanup (Ctrl-C, a cancelled CI job, kill -9) leaves nothing behind for long: the next run, or
 * the runner on SIGINT/SIGTERM, sweeps every claim (the stack's containers, volumes, networks and
 * Postgres roles, its Pulumi.<stack>.yaml in the checkout, and containers labelled
 * vault-platform.e2e) before it starts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openStack, PROJECT_ROOT, StackOptions } from "../../cli/engine/workspace";
import { pgIdentifier } from "../../infra/naming";
import { dockerLeftovers, postgresRoles, removeLeftovers } from "./helpers";

const CLAIMS = path.join(os.tmpdir(), "vault-platform-e2e-claims");

/** Records that this run is about to create the stack. */
export function claimStack(stackName: string): void {
  fs.mkdirSync(CLAIMS, { recursive: true });
  fs.writeFileSync(path.join(CLAIMS, stackName), String(process.pid));
}

/** openStack, claimed first. */
export function openTestStack(options: StackOptions): ReturnType<typeof openStack> {
  claimStack(options.stackName);
  return openStack(options);
}

function removeLabelledContainers(): void {
  const ids = execFileSync("docker", ["ps", "-aq", "--filter", "label=vault-platform.e2e"], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  if (ids.length > 0) {
    execFileSync("docker", ["rm", "-f", "-v", ...ids], { stdio: "ignore" });
  }
}

/** Removes what claimed stacks left behind; returns the stacks where it found something. */
export async function sweepClaims(): Promise<string[]> {
  const claimed = fs.existsSync(CLAIMS) ? fs.readdirSync(CLAIMS) : [];
  removeLabelledContainers();
  const found: string[] = [];
  for (const stackName of claimed) {
    const stackFile = path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`);
    const roles = await postgresRoles(pgIdentifier("vp", stackName));
    if (dockerLeftovers(stackName).length > 0 || roles.length > 0 || fs.existsSync(stackFile)) {
      found.push(stackName);
      try {
        await removeLeftovers(stackName);
      } catch (error) {
        // Kept claimed: the next sweep tries again; the run goes on.
        console.log(`tier 2: could not sweep ${stackName}: ${(error as Error).message}`);
        continue;
      }
      fs.rmSync(stackFile, { force: true });
    }
    fs.rmSync(path.join(CLAIMS, stackName), { force: true });
  }
  return found;
}
