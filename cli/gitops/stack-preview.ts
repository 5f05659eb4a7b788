/**
 * One stack's part of the PR comment: the access diff against the base commit, the engine's
 * preview with the policy pack, and the policy findings.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { POLICY_PACK_DIR, policyConfigFor } from "../../guardrails/enforcement";
import { inferProfile } from "../../stacks/profiles";
import { prepareRun } from "../engine/preflight";
import { PROJECT_ROOT } from "../engine/project-root";
import { accessModelOf, diffAccess } from "./access-diff";
import type { StackPreview } from "./comment";

const PROJECT = "vault-platform";

/** Policy pack options: mandatory rules for staging/prod, advisory for dev/ephemeral. */
export function policyOptions(stackName: string): {
  policyPacks: string[];
  policyPackConfigs: string[];
} {
  // A stack whose profile the name does not tell is held to the strictest level.
  const profile = inferProfile(stackName) ?? "prod";
  return { policyPacks: [POLICY_PACK_DIR], policyPackConfigs: [policyConfigFor(profile)] };
}

function collectPolicy(events: EngineEvent[]): StackPreview["policy"] {
  return events
    .flatMap((event) => (event.policyEvent ? [event.policyEvent] : []))
    .map((policy) => ({
      rule: policy.policyName,
      level: policy.enforcementLevel,
      message: policy.message.trim(),
    }));
}

export async function previewOne(
  stack: Stack,
  args: { readonly base?: string; readonly policy: boolean },
): Promise<StackPreview> {
  const events: EngineEvent[] = [];
  let access: StackPreview["access"];
  try {
    access = diffAccess(
      accessModelOf(PROJECT_ROOT, PROJECT, stack.name, args.base ?? "HEAD"),
      accessModelOf(PROJECT_ROOT, PROJECT, stack.name),
    );
  } catch (error) {
    return {
      stack: stack.name,
      changes: {},
      policy: [],
      access: [],
      error: (error as Error).message,
    };
  }
  try {
    await prepareRun(stack, "preview");
    const result = await stack.preview({
      onEvent: (event) => events.push(event),
      ...(args.policy ? policyOptions(stack.name) : {}),
    });
    return {
      stack: stack.name,
      changes: result.changeSummary,
      policy: collectPolicy(events),
      access,
    };
  } catch (error) {
    const policy = collectPolicy(events);
    const message =
      policy.length > 0 ? "blocked by mandatory policies" : (error as Error).message.split("\n")[0];
    return { stack: stack.name, changes: {}, policy, access, error: message };
  }
}
