import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lockHeld, retryLockCollision } from "../../cli/recovery/lock-contention";
import { lockDirectory } from "../../cli/recovery/recover";

const LOCKED = new Error(
  "code: 255\n stderr: error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
);
const noPause = () => Promise.resolve();

/** An attempt that fails with the given errors in turn, then answers "done". */
function attempts(...errors: Error[]) {
  const calls: number[] = [];
  const attempt = async () => {
    calls.push(calls.length);
    const error = errors[calls.length - 1];
    if (error) {
      throw error;
    }
    return "done";
  };
  return { attempt, calls };
}

describe("retryLockCollision", () => {
  it("tries once more when the lock that refused the run is gone after the pause", async () => {
    const { attempt, calls } = attempts(LOCKED);
    const lines: string[] = [];
    await expect(
      retryLockCollision(
        "up",
        attempt,
        () => false,
        (line) => lines.push(line),
        noPause,
      ),
    ).resolves.toBe("done");
    expect(calls).toHaveLength(2);
    expect(lines).toEqual([
      "up met another run taking the stack's lock at the same moment; trying once more",
    ]);
  });

  it("stops on a lock that another run still holds", async () => {
    const { attempt, calls } = attempts(LOCKED);
    await expect(
      retryLockCollision(
        "up",
        attempt,
        () => true,
        () => undefined,
        noPause,
      ),
    ).rejects.toBe(LOCKED);
    expect(calls).toHaveLength(1);
  });

  it.each([
    ["only once more", [LOCKED, LOCKED], 2],
    ["never on other errors", [new Error("connection refused")], 1],
  ])("tries %s", async (_, errors, tries) => {
    const { attempt, calls } = attempts(...errors);
    await expect(
      retryLockCollision(
        "up",
        attempt,
        () => false,
        () => undefined,
        noPause,
      ),
    ).rejects.toBe(errors[errors.length - 1]);
    expect(calls).toHaveLength(tries);
  });
});

describe("lockHeld", () => {
  it("reads a file backend's lock directory of the stack", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "vp-lock-"));
    const backend = `file://${root}?metadata=skip`;
    try {
      expect(lockHeld(backend, "vault-platform", "pr-1")).toBe(false);
      const directory = lockDirectory(backend, "vault-platform", "pr-1");
      fs.mkdirSync(directory, { recursive: true });
      expect(lockHeld(backend, "vault-platform", "pr-1")).toBe(false);
      fs.writeFileSync(path.join(directory, "a.json"), "{}");
      expect(lockHeld(backend, "vault-platform", "pr-1")).toBe(true);
      expect(lockHeld(backend, "vault-platform", "pr-2")).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("counts a lock as held where it cannot look (a bucket or the cloud backend)", () => {
    expect(lockHeld("s3://bucket/state", "vault-platform", "pr-1")).toBe(true);
  });
});
