import { expectProfileContract, buildProfile, T } from "./contract";
import { graphSummary, named, ofType } from "./harness";

describe("ephemeral profile (pr-1)", () => {
  it("registers an isolated dev-mode platform on its own port, database and roles", async () => {
    const { config, platform } = await buildProfile("pr-1", { server: { flavor: "openbao" } });
    await expectProfileContract(config, platform);
    expect(config.profile).toBe("ephemeral");

    const container = named("platform-server-container").inputs;
    expect(container).toMatchObject({
      name: "vp-pr-1-vault",
      image: "openbao/openbao:2.6.2",
      user: "openbao",
      entrypoints: ["bao"],
    });
    expect(container.envs).toContain("BAO_DEV_LISTEN_ADDRESS=127.0.0.1:20002");
    // OpenBao takes audit devices from its config file; the file is uploaded with the container.
    const serverConfig = JSON.parse(container.uploads[0].content);
    expect(serverConfig.audit).toEqual([
      {
        file: {
          file: {
            description: "Audit log on the environment's logs volume",
            options: {
              file_path: "/openbao/logs/audit.log",
              hmac_accessor: "true",
              log_raw: "false",
              mode: "0600",
            },
          },
        },
      },
    ]);
    expect(ofType(T.audit)).toHaveLength(0);
    expect(named("platform-database-database").inputs.name).toBe("vp_pr_1");
    expect(named("platform-database-vault-role").inputs.name).toBe("vp_pr_1_vault");
    expect(graphSummary()).toMatchSnapshot();
  });
});
