import { failureLines } from "../e2e/failures";

describe("failureLines (the tier-2 run's closing list of failed tests)", () => {
  it("names flavor, file and test, with the first lines of the error and no stack or colours", () => {
    const report = {
      testResults: [
        {
          name: "/repo/tests/e2e/cluster.e2e.test.ts",
          assertionResults: [
            { fullName: "cluster comes up", status: "passed" },
            {
              fullName: "cluster survives a node stop",
              status: "failed",
              failureMessages: [
                "Error: \u001b[31mverify failed\u001b[39m\n\n  2 checks failed\n    at Object.<anonymous> (x.ts:1:1)\n  more\n  and more",
              ],
            },
          ],
        },
      ],
    };
    expect(failureLines("vault", report)).toEqual([
      "vault cluster.e2e.test.ts › cluster survives a node stop: Error: verify failed | 2 checks failed | more",
    ]);
  });

  it("reports a file that failed before any test ran by its own message", () => {
    const report = {
      testResults: [
        {
          name: "/repo/tests/e2e/load.e2e.test.ts",
          message: "Test suite failed to run\n\n  Cannot find module 'x'",
          assertionResults: [],
        },
      ],
    };
    expect(failureLines("openbao", report)).toEqual([
      "openbao load.e2e.test.ts: Test suite failed to run | Cannot find module 'x'",
    ]);
  });

  it("says nothing for a run without failures or without a report", () => {
    expect(failureLines("vault", {})).toEqual([]);
  });
});
