import type { Stack } from "@pulumi/pulumi/automation";
import { repairLostState } from "../../cli/recovery/before-up";
import {
  missingMounts,
  serverInState,
  startStoppedContainers,
} from "../../cli/recovery/lost-state";

const secret = (value: string) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  plaintext: JSON.stringify(value),
});

const deployment = {
  deployment: {
    resources: [
      {
        type: "pulumi:pulumi:Stack",
        outputs: { vaultCaCertificate: "-----BEGIN CERTIFICATE-----" },
      },
      {
        type: "pulumi:providers:vault",
        inputs: { address: "http://127.0.0.1:20014", token: secret("root-token") },
      },
      { type: "docker:index/container:Container", outputs: { name: "vp-pr-7-vault" } },
      { type: "docker:index/container:Container", outputs: { name: "vp-pr-7-postgres" } },
      { type: "vault:index/mount:Mount", outputs: { path: "secret" } },
      { type: "vault:index/mount:Mount", outputs: { path: "database" } },
      { type: "vault:index/mount:Mount", outputs: { path: "team/transit/" } },
      { type: "vault:index/authBackend:AuthBackend", outputs: { path: "approle" } },
      { type: "vault:jwt/authBackend:AuthBackend", outputs: { path: "jwt" } },
      { type: "vault:index/policy:Policy", outputs: { name: "app-orders" } },
    ],
  },
};

describe("what the state says about the server (even without stack outputs)", () => {
  it("reads containers, address, token, CA and the mounts a restarted server would lack", () => {
    expect(serverInState(deployment)).toEqual({
      containers: ["vp-pr-7-vault", "vp-pr-7-postgres"],
      address: "http://127.0.0.1:20014",
      token: "root-token",
      caCert: "-----BEGIN CERTIFICATE-----",
      // secret/ is mounted again by a restarted dev server itself: not a sign of state.
      mounts: ["database/", "team/transit/"],
      auths: ["approle/", "jwt/"],
    });
  });

  it("reads the mounts where the stack made them: its namespace, not the root's provider", () => {
    const root = "urn:pulumi:pr-7::vault-platform::pulumi:providers:vault::platform-vault-root";
    const inNamespace = "urn:pulumi:pr-7::vault-platform::pulumi:providers:vault::platform-vault";
    const external = {
      deployment: {
        resources: [
          {
            urn: root,
            type: "pulumi:providers:vault",
            inputs: { address: "https://127.0.0.1:8200", token: secret("admin-token") },
          },
          {
            urn: inNamespace,
            type: "pulumi:providers:vault",
            inputs: {
              address: "https://127.0.0.1:8200",
              token: secret("admin-token"),
              namespace: "pr-7",
            },
          },
          {
            type: "vault:index/mount:Mount",
            provider: `${inNamespace}::77c1`,
            outputs: { path: "database" },
          },
        ],
      },
    };
    expect(serverInState(external)).toMatchObject({ namespace: "pr-7", mounts: ["database/"] });
  });

  it("is empty for an empty or unreadable export", () => {
    expect(serverInState({})).toEqual({ containers: [], mounts: [], auths: [] });
    expect(serverInState(undefined)).toEqual({ containers: [], mounts: [], auths: [] });
  });
});

describe("stopped containers the stack owns", () => {
  it("starts the stopped ones only, and names the absent ones", async () => {
    const state: Record<string, string | undefined> = {
      "vp-pr-7-vault": "false",
      "vp-pr-7-postgres": "true",
      "vp-pr-7-vault-1": undefined,
    };
    const calls: string[][] = [];
    const docker = async (...args: string[]) => {
      calls.push(args);
      if (args[0] === "inspect") {
        const running = state[args[args.length - 1]];
        if (running === undefined) {
          throw new Error("Error: No such object: vp-pr-7-vault-1");
        }
        return running;
      }
      return "";
    };
    expect(await startStoppedContainers(Object.keys(state), docker)).toEqual({
      started: ["vp-pr-7-vault"],
      absent: ["vp-pr-7-vault-1"],
    });
    expect(calls.filter((call) => call[0] === "start")).toEqual([["start", "vp-pr-7-vault"]]);
  });
});

describe("what a restarted server lacks", () => {
  it("names the mounts and auth methods the state lists that the server does not", () => {
    const server = serverInState(deployment);
    expect(
      missingMounts(server, {
        mounts: { "secret/": {}, "sys/": {}, "team/transit/": {} },
        auths: { "token/": {}, "jwt/": {} },
      }),
    ).toEqual(["database/", "approle/"]);
    expect(
      missingMounts(server, {
        mounts: { "database/": {}, "team/transit/": {} },
        auths: { "approle/": {}, "jwt/": {} },
      }),
    ).toEqual([]);
  });
});

describe("repairLostState with the state already exported", () => {
  it("reads the export it is given instead of exporting again", async () => {
    const exportStack = jest.fn().mockResolvedValue({});
    const refresh = jest.fn();
    const stack = { name: "pr-7", exportStack, refresh } as unknown as Stack;
    await repairLostState(stack, () => undefined, { deployment: { resources: [] } });
    expect(exportStack).not.toHaveBeenCalled();
    expect(refresh).not.toHaveBeenCalled();
  });
});
