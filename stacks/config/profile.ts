/** Which profile a stack takes: as configured, else implied by the stack name. */
import { EPHEMERAL_STACK, PROFILE_NAMES, ProfileName, inferProfile } from "../profiles";
import { Problems, readJson } from "./problems";
import { checkProfileForStack } from "./rules";
import type { ConfigSource } from "./source";

export function resolveProfile(
  source: ConfigSource,
  stack: string,
  problems: Problems,
): ProfileName | undefined {
  const profileValue = readJson(source, "profile", problems);
  let profile: ProfileName | undefined;
  if (profileValue === undefined) {
    profile = inferProfile(stack);
    if (profile === undefined) {
      problems.add(
        "profile",
        [],
        `stack "${stack}" has no implied profile (dev, staging, prod, pr-<n>); expected one of ${PROFILE_NAMES.map((p) => JSON.stringify(p)).join(", ")}`,
        undefined,
      );
    }
  } else if (
    typeof profileValue === "string" &&
    (PROFILE_NAMES as readonly string[]).includes(profileValue)
  ) {
    profile = profileValue as ProfileName;
    if (profile === "ephemeral" && !EPHEMERAL_STACK.test(stack)) {
      problems.add(
        "profile",
        [],
        `the ephemeral profile needs a stack named pr-<n>, not "${stack}"`,
        profileValue,
      );
    }
  } else {
    problems.add(
      "profile",
      [],
      `expected one of ${PROFILE_NAMES.map((p) => JSON.stringify(p)).join(", ")}`,
      profileValue,
    );
  }

  const allowWeakerProfile = readJson(source, "allowWeakerProfile", problems);
  if (allowWeakerProfile !== undefined && typeof allowWeakerProfile !== "boolean") {
    problems.add("allowWeakerProfile", [], "expected true or false", allowWeakerProfile);
  }
  if (profile !== undefined) {
    checkProfileForStack(stack, profile, allowWeakerProfile === true, problems);
  }
  return profile;
}
