import {
  describePlan,
  judgeLock,
  lockDirectory,
  pidAlive,
  planRecovery,
  recoverIfInterrupted,
} from "../../cli/recovery/recover";
import { pendingCreates } from "../../cli/recovery/pending-creates";
import type { Stack } from "@pulumi/pulumi/automation";

const holder = { file: "/l.json", pid: 4242, hostname: "ci-1", timestamp: "2026-11-24T10:00:00Z" };
const at = (iso: string) => new Date(iso);

describe("judgeLock: released without asking only when the holder is provably gone", () => {
  it.each([
    [
      "same host, process gone",
      { hostname: "ci-1", now: at("2026-11-24T10:00:05Z"), alive: () => false },
      { releasable: true, why: "held by process 4242 on this host, which is gone" },
    ],
    [
      "same host, process still running",
      { hostname: "ci-1", now: at("2026-11-24T12:00:00Z"), alive: () => true },
      { releasable: false, why: "held by process 4242 on this host, still running" },
    ],
    [
      "another host, no max age",
      { hostname: "laptop", now: at("2026-11-25T10:00:00Z"), alive: () => false },
      { releasable: false, why: "held by process 4242 on ci-1 since 2026-11-24T10:00:00Z" },
    ],
    [
      "another host, younger than the max age",
      {
        hostname: "laptop",
        now: at("2026-11-24T10:30:00Z"),
        maxAgeSeconds: 7200,
        alive: () => false,
      },
      { releasable: false, why: "held by process 4242 on ci-1 since 2026-11-24T10:00:00Z" },
    ],
    [
      "another host, older than the max age",
      {
        hostname: "laptop",
        now: at("2026-11-24T13:00:00Z"),
        maxAgeSeconds: 7200,
        alive: () => true,
      },
      { releasable: true, why: "held by ci-1 for 10800s, over VAULT_PLATFORM_LOCK_MAX_AGE" },
    ],
  ])("%s", (_case, context, expected) => {
    expect(judgeLock(holder, context)).toEqual(expected);
  });
});

describe("pending creates of an interrupted run", () => {
  const deployment = {
    deployment: {
      pending_operations: [
        {
          type: "creating",
          resource: {
            urn: "urn:pulumi:pr-50::vault-platform::docker:index/container:Container::platform-server-container",
            type: "docker:index/container:Container",
            inputs: { name: "vp-pr-50-vault" },
          },
        },
        {
          type: "creating",
          resource: {
            urn: "urn:pulumi:pr-50::vault-platform::vault:index/mount:Mount::platform-kv-mount",
            type: "vault:index/mount:Mount",
            inputs: { path: "secret" },
          },
        },
        {
          type: "updating",
          resource: { urn: "urn:x::y", type: "vault:index/policy:Policy" },
        },
      ],
    },
  };

  it("lists creates only, each with what becomes of it", () => {
    expect(pendingCreates(deployment)).toEqual([
      {
        urn: "urn:pulumi:pr-50::vault-platform::docker:index/container:Container::platform-server-container",
        type: "docker:index/container:Container",
        object: "container vp-pr-50-vault",
        resolution: { action: "remove", object: { kind: "container", name: "vp-pr-50-vault" } },
      },
      {
        urn: "urn:pulumi:pr-50::vault-platform::vault:index/mount:Mount::platform-kv-mount",
        type: "vault:index/mount:Mount",
        object: "mount secret",
        resolution: { action: "adopt", id: "secret" },
      },
    ]);
    expect(pendingCreates({})).toEqual([]);
  });

  it("describes the plan a human confirms", () => {
    expect(
      describePlan("pr-50", {
        lock: { ...holder, releasable: false, why: "held by process 4242 on ci-1 since x" },
        pending: pendingCreates(deployment),
        unrecorded: [{ kind: "volume", name: "vp-pr-50-logs" }],
      }),
    ).toEqual([
      "would release (needs --yes) the lock of pr-50: held by process 4242 on ci-1 since x",
      "remove the volume vp-pr-50-logs (labelled with this stack, not in its state: left by an interrupted run)",
      "remove the container vp-pr-50-vault (labelled with this stack) an interrupted run created, then forget its pending create",
      "adopt the mount secret if the interrupted run created it (else the next up creates it)",
    ]);
  });

  it("finds a file backend's lock directory of the stack", () => {
    expect(lockDirectory("file:///state", "vault-platform", "pr-50")).toBe(
      "/state/.pulumi/locks/organization/vault-platform/pr-50",
    );
    expect(lockDirectory("file:///state?metadata=skip", "vault-platform", "pr-50")).toBe(
      "/state/.pulumi/locks/organization/vault-platform/pr-50",
    );
  });
});

describe("whether a lock holder still runs", () => {
  it("counts a zombie (killed, not yet reaped) as gone, a running process as alive", () => {
    const stat = (state: string) => () => `${process.pid} (pulumi) ${state} 1 1 1 0 -1`;
    expect(pidAlive(process.pid, stat("S"))).toBe(true);
    expect(pidAlive(process.pid, stat("R"))).toBe(true);
    expect(pidAlive(process.pid, stat("Z"))).toBe(false);
    expect(pidAlive(process.pid, stat("X"))).toBe(false);
    // No such process at all.
    expect(pidAlive(2 ** 22 + 7, stat("S"))).toBe(false);
  });
});

describe("the state a clean stack was exported with is handed on", () => {
  it("exports once and returns that export when there is nothing to recover", async () => {
    const exported = { deployment: { resources: [{ type: "pulumi:pulumi:Stack" }] } };
    const exportStack = jest.fn().mockResolvedValue(exported);
    const stack = { name: "pr-7", exportStack } as unknown as Stack;
    const log = jest.fn();
    await expect(recoverIfInterrupted(stack, "s3://bucket", log)).resolves.toBe(exported);
    expect(exportStack).toHaveBeenCalledTimes(1);
    expect(log).not.toHaveBeenCalled();
  });
});

describe("an unreadable state", () => {
  it("counts no Docker object as unrecorded (it says nothing of what is recorded)", async () => {
    const stack = {
      name: "pr-7",
      exportStack: jest.fn().mockRejectedValue(new Error("failed to load checkpoint")),
    } as unknown as Stack;
    await expect(planRecovery(stack, "s3://bucket")).resolves.toEqual({
      pending: [],
      unrecorded: [],
      deployment: undefined,
    });
  });
});
