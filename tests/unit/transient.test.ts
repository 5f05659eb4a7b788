import { isTransient, retryTransient } from "../../cli/recovery/transient";

describe("runs stopped by a transient Postgres error", () => {
  const transient = new Error(
    "error: could not execute revoke query: pq: tuple concurrently updated",
  );

  it("knows the transient error from any other", () => {
    expect(isTransient(transient)).toBe(true);
    expect(isTransient(new Error("Conflict. The container name is already in use"))).toBe(false);
    expect(isTransient("tuple concurrently updated")).toBe(true);
  });

  it("runs once more after a transient failure, saying so, and not after any other", async () => {
    const log = jest.fn();
    const attempt = jest.fn().mockRejectedValueOnce(transient).mockResolvedValueOnce("done");
    await expect(retryTransient("up", attempt, log)).resolves.toBe("done");
    expect(attempt).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledWith(expect.stringContaining("up stopped on a transient"));

    const failing = jest.fn().mockRejectedValue(new Error("permission denied"));
    await expect(retryTransient("destroy", failing, log)).rejects.toThrow("permission denied");
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it("gives up after the second transient failure", async () => {
    const attempt = jest.fn().mockRejectedValue(transient);
    await expect(retryTransient("up", attempt, () => undefined)).rejects.toThrow(
      "tuple concurrently updated",
    );
    expect(attempt).toHaveBeenCalledTimes(2);
  });
});
