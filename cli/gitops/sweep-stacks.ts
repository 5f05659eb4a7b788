/** `env sweep`: the sweeper run over this project's stacks in its backend. */
import { parseDuration } from "../../infra/duration";
import { openStack, openWorkspace } from "../engine/workspace";
import { destroyStack } from "../recovery/destroy";
import { EXPIRES_AT_TAG, sweep } from "./sweeper";

export async function sweepStacks(args: { readonly ttl: string }): Promise<void> {
  const workspace = await openWorkspace();
  const result = await sweep(
    {
      async list() {
        const summaries = await workspace.listStacks();
        return Promise.all(
          summaries.map(async (summary) => ({
            name: summary.name,
            lastUpdate: summary.lastUpdate,
            expiresAt: (
              (await workspace.listTags(summary.name).catch(() => ({}))) as Record<string, string>
            )[EXPIRES_AT_TAG],
          })),
        );
      },
      async destroyAndRemove(stackName) {
        await destroyStack(await openStack({ stackName }), { remove: true });
      },
    },
    new Date(),
    parseDuration(args.ttl),
  );
  console.log(JSON.stringify(result));
}
