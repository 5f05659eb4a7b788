import * as pulumi from "@pulumi/pulumi";
import { T } from "./contract";
import { ofType, settle, useMocks, valueOf } from "./harness";

describe("the program entry point (index.ts)", () => {
  it("reads stack config, builds the platform and exports outputs with tokens secret", async () => {
    await useMocks({ stack: "pr-9" });
    pulumi.runtime.setAllConfig(
      {
        "vault-platform:server": JSON.stringify({ flavor: "openbao" }),
        "vault-platform:apps": JSON.stringify([
          { name: "billing", database: "readonly", transitKeys: ["billing"], issueSecretId: true },
          { name: "web", database: "readwrite" },
        ]),
        "vault-platform:seeds": JSON.stringify({ "billing/config": { data: { key: "v" } } }),
      },
      ["vault-platform:seeds"],
    );
    const program = await import("../../index");
    await settle();

    expect(program.profile).toBe("ephemeral");
    expect(await valueOf(program.vaultAddress)).toBe("http://127.0.0.1:20018");
    expect(await valueOf(program.mounts.kv)).toBe("secret");
    expect(program.auditDevices).toEqual(["file"]);
    expect(await valueOf(program.apps.billing.roleId as pulumi.Output<string>)).toBe(
      "role-id-billing",
    );
    expect(program.apps.billing.logins).toEqual(["approle"]);
    expect(program.apps.billing.policy).toBe("app-billing");
    expect(await pulumi.isSecret(program.rootToken as pulumi.Output<string>)).toBe(true);
    expect(await pulumi.isSecret(program.wrappedSecretIds.billing)).toBe(true);
    // What this stack does not have is left out, not exported as undefined (an engine warning).
    for (const absent of ["vaultAddresses", "vaultCaCertificate", "provisionerToken"]) {
      expect(Object.keys(program)).not.toContain(absent);
    }
    expect(Object.keys(program)).toEqual(expect.arrayContaining(["vaultAddress", "mounts"]));
    expect(ofType(T.seed)).toHaveLength(1);
    expect(ofType(T.seed)[0].secretInputs).toContain("dataJson");
  });
});
