/**
 * Who gains or loses access to what: the capabilities added or removed per app or team, policy
 * and path
 * between two versions of the config. Computed from the access model (no Vault needed), so a
 * pull request shows it before anything is deployed.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { AccessModel, accessModel } from "../../infra/access-model";
import type { Capability } from "../../infra/acl-policy";
import { loadConfig } from "../../stacks/config";
import { inferProfile } from "../../stacks/profiles";
import { stackFileSource } from "../../stacks/stack-files";

export interface AccessChange {
  readonly policy: string;
  /** Whose policy: "app orders", "team payments". */
  readonly subject: string;
  /** A policy path, or a login path (auth/<mount>/login). */
  readonly path: string;
  /** Capabilities, or for a login path who may log in (role and bindings). */
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * What each path grants in a policy: its capabilities, for login paths who may log in, and for
 * a certificate role's issue path also the names it allows.
 */
function grantsByPath(model: AccessModel, policy: string): Map<string, readonly string[]> {
  const grants = new Map<string, readonly string[]>(
    (model[policy]?.rules ?? []).map((rule): [string, readonly Capability[]] => [
      rule.path,
      rule.capabilities,
    ]),
  );
  for (const grant of [...(model[policy]?.logins ?? []), ...(model[policy]?.certificates ?? [])]) {
    grants.set(grant.path, [...(grants.get(grant.path) ?? []), ...grant.grants]);
  }
  return grants;
}

export function diffAccess(before: AccessModel, after: AccessModel): AccessChange[] {
  const changes: AccessChange[] = [];
  const policies = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const policy of policies) {
    const subject = (after[policy] ?? before[policy]).subject;
    const old = grantsByPath(before, policy);
    const next = grantsByPath(after, policy);
    const paths = [...new Set([...old.keys(), ...next.keys()])].sort();
    for (const rulePath of paths) {
      const was = old.get(rulePath) ?? [];
      const now = next.get(rulePath) ?? [];
      const added = now.filter((capability) => !was.includes(capability));
      const removed = was.filter((capability) => !now.includes(capability));
      if (added.length > 0 || removed.length > 0) {
        changes.push({ policy, subject, path: rulePath, added, removed });
      }
    }
  }
  return changes;
}

/** The access model of a stack from its config files: in the work tree, or at a git revision. */
export function accessModelOf(
  root: string,
  project: string,
  stack: string,
  revision?: string,
): AccessModel {
  const read = (file: string): string | undefined => {
    if (revision === undefined) {
      const full = path.join(root, file);
      return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
    }
    try {
      return execFileSync("git", ["show", `${revision}:${file}`], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
    } catch {
      return undefined;
    }
  };
  const projectYaml = read("Pulumi.yaml");
  if (projectYaml === undefined) {
    // The project did not exist at that revision: nobody had access.
    return {};
  }
  const stackYaml = read(`Pulumi.${stack}.yaml`);
  if (stackYaml === undefined && inferProfile(stack) === undefined) {
    // A stack that needs its own file and has none there did not exist: nobody had access.
    return {};
  }
  const source = stackFileSource(projectYaml, stackYaml);
  return accessModel(loadConfig(source, project, stack));
}
