/**
 * `env drift`: a refresh-and-preview of each stack, listing every resource that changed outside
 * the program. Exit code 2 when anything drifted.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { prepareRun } from "../engine/preflight";
import { restoreTrustFile } from "../engine/trust-file";
import { openStack } from "../engine/workspace";

export async function driftOf(stacks: readonly string[]): Promise<number> {
  let drifted = false;
  for (const stackName of stacks) {
    const events: EngineEvent[] = [];
    const stack = await openStack({ stackName });
    await restoreTrustFile(stack);
    await prepareRun(stack, "preview");
    const result = await stack.preview({
      refresh: true,
      onEvent: (event) => events.push(event),
    });
    const changed = events
      .flatMap((event) => (event.resourcePreEvent ? [event.resourcePreEvent.metadata] : []))
      .filter((step) => step.op !== "same" && step.type !== "pulumi:pulumi:Stack")
      .map((step) => `  ${step.op} ${step.type} ${step.urn.split("::").pop()}`);
    drifted = drifted || changed.length > 0;
    console.log(
      changed.length === 0
        ? `${stackName}: no drift (${JSON.stringify(result.changeSummary)})`
        : `${stackName}: drift, ${changed.length} resources would change:\n${changed.join("\n")}`,
    );
  }

  return drifted ? 2 : 0;
}
