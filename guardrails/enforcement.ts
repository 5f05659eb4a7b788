/**
 * Which policy config each environment profile runs the pack with: staging and prod keep every
 * policy mandatory (the pack's default), dev and ephemeral stacks lower them all to advisory so a
 * violation warns instead of blocking.
 */
import * as path from "path";
import type { ProfileName } from "../stacks/profiles";

/** Directory of the pack, for `--policy-pack` or the Automation API's `policyPacks`. */
export const POLICY_PACK_DIR = __dirname;

const ENFORCEMENT_BY_PROFILE: Readonly<Record<ProfileName, "advisory" | "mandatory">> = {
  dev: "advisory",
  ephemeral: "advisory",
  staging: "mandatory",
  prod: "mandatory",
};

/** Absolute path of the file to pass with `--policy-pack-config` (or `policyPackConfigs`). */
export function policyConfigFor(profile: ProfileName): string {
  return path.join(POLICY_PACK_DIR, `config.${ENFORCEMENT_BY_PROFILE[profile]}.json`);
}
