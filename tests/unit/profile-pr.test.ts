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

  it("runs its own Postgres: loopback only, password generated and handed over in a file", async () => {
    const { config } = await buildProfile(
      "pr-1",
      { server: { flavor: "openbao" } },
      { postgresAdminPassword: "" },
    );
    expect(config.postgres).toMatchObject({
      host: "127.0.0.1",
      port: 10001,
      embedded: { image: "postgres:15.18" },
    });
    const postgres = named("platform-postgres-server-container");
    expect(postgres.inputs).toMatchObject({
      name: "vp-pr-1-postgres",
      image: "postgres:15.18",
      networkMode: "host",
      envs: ["POSTGRES_USER=postgres", "POSTGRES_PASSWORD_FILE=/run/postgres-admin-password"],
      wait: true,
      volumes: [{ containerPath: "/var/lib/postgresql/data", volumeName: "vp-pr-1-postgres" }],
    });
    // `postgres -c <setting>` for each setting.
    const [program, ...flags] = postgres.inputs.command as string[];
    expect(program).toBe("postgres");
    expect(flags.filter((_, index) => index % 2 === 0).every((flag) => flag === "-c")).toBe(true);
    expect(flags.filter((_, index) => index % 2 === 1)).toEqual([
      "listen_addresses=127.0.0.1",
      "port=10001",
      "max_connections=100",
    ]);
    expect(postgres.secretInputs).toEqual(["uploads"]);
    // The generated password reaches the container and the admin connection, nowhere else.
    const password = named("platform-postgres-server-admin-password");
    expect(password.inputs).toMatchObject({ length: 32, special: false });
    const provider = named("platform-postgres");
    expect(provider.inputs).toMatchObject({ host: "127.0.0.1", port: "10001" });
    expect(provider.secretInputs).toContain("password");
    expect(postgres.inputs.uploads[0].content).toBe(provider.inputs.password);
    expect(named("platform-postgres-server-data").inputs.labels).toEqual([
      { label: "vault-platform.project", value: "vault-platform" },
      { label: "vault-platform.stack", value: "pr-1" },
    ]);
  });
});
