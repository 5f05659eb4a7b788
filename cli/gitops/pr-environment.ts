/**
 * `env up`: brings environments up as the GitOps workflows do, labelling a `pr-<n>` stack for the
 * sweeper (its PR, when it was made, when it expires).
 */
import { parseDuration } from "../../infra/duration";
import { EPHEMERAL_STACK } from "../../stacks/profiles";
import { prepareRun } from "../engine/preflight";
import { backendUrlOf, openStack } from "../engine/workspace";
import { lockHeld, retryLockCollision } from "../recovery/lock-contention";
import { repairLostState } from "../recovery/before-up";
import { recoverIfInterrupted } from "../recovery/recover";
import { retryTransient } from "../recovery/transient";
import { policyOptions } from "./stack-preview";
import { CREATED_AT_TAG, EXPIRES_AT_TAG, PR_TAG } from "./sweeper";

export async function upEnvironments(args: {
  readonly stacks: readonly string[];
  readonly ttl: string;
  readonly policy: boolean;
}): Promise<void> {
  const onOutput = (text: string) => process.stdout.write(text);
  for (const stackName of args.stacks) {
    const stack = await openStack({ stackName });
    const pr = EPHEMERAL_STACK.exec(stackName);
    if (pr) {
      // Tags label the environment for the sweeper: its PR, when it was made, when it expires.
      const now = new Date();
      const createdAt =
        (await stack.workspace.listTags(stackName))[CREATED_AT_TAG] ?? now.toISOString();
      const expiresAt = new Date(now.getTime() + parseDuration(args.ttl) * 1000).toISOString();
      await stack.workspace.setTag(stackName, PR_TAG, pr[1]);
      await stack.workspace.setTag(stackName, CREATED_AT_TAG, createdAt);
      await stack.workspace.setTag(stackName, EXPIRES_AT_TAG, expiresAt);
    }
    const deployment = await recoverIfInterrupted(stack, backendUrlOf(stack));
    await prepareRun(stack);
    await repairLostState(stack, undefined, deployment);
    await retryTransient("up", () =>
      retryLockCollision(
        "up",
        () => stack.up({ onOutput, ...(args.policy ? policyOptions(stackName) : {}) }),
        () => lockHeld(backendUrlOf(stack), "vault-platform", stackName),
      ),
    );
  }
}
