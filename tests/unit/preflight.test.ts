import {
  namespaceSupportProblem,
  preflightDocker,
  preflightExternal,
  preflightPostgres,
} from "../../cli/engine/preflight";
import { loadConfig } from "../../stacks/config";
import { stackConfigSource } from "./harness";

describe("namespaceSupportProblem", () => {
  it.each([
    ["openbao", { version: "2.6.2" }, undefined],
    ["openbao", { version: "2.3.0" }, undefined],
    ["openbao", { version: "3.0.1" }, undefined],
    [
      "openbao",
      { version: "2.2.1" },
      "vault-platform:namespace: OpenBao 2.2.1 has no namespaces (they came with 2.3); upgrade the cluster or configure the stack without a namespace",
    ],
    ["vault", { version: "1.20.4+ent", enterprise: true }, undefined],
    [
      "vault",
      { version: "1.20.4", enterprise: false },
      "vault-platform:namespace: this Vault (1.20.4) is not Vault Enterprise or HCP Vault and has no namespaces; configure the stack without a namespace, or point it at an Enterprise cluster",
    ],
  ] as const)("%s %j", (flavor, health, expected) => {
    expect(namespaceSupportProblem(flavor, health)).toBe(expected);
  });
});

describe("preflightExternal", () => {
  const config = (flavor: string, namespace?: object) =>
    loadConfig(
      stackConfigSource(
        "dev",
        {
          server: {
            mode: "external",
            flavor,
            address: ["https://a.internal:8200", "https://b.internal:8200"],
            auth: { method: "token" },
          },
          postgres: { host: "pg.internal" },
          ...(namespace ? { namespace } : {}),
        },
        { vaultToken: "t" },
      ),
      "vault-platform",
      "dev",
    );
  const healthy = { initialized: true, sealed: false, version: "1.20.4", enterprise: false };

  it("asks the next address when one is down, and stops a namespace on Vault Community", async () => {
    const asked: string[] = [];
    const problems = await preflightExternal(
      config("vault", { path: "team-a" }),
      async (address) => {
        asked.push(address);
        if (address.startsWith("https://a.")) {
          throw new Error("connect ECONNREFUSED");
        }
        return { status: 200, body: healthy };
      },
    );
    expect(asked).toEqual(["https://a.internal:8200", "https://b.internal:8200"]);
    expect(problems).toEqual([
      "vault-platform:namespace: this Vault (1.20.4) is not Vault Enterprise or HCP Vault and has no namespaces; configure the stack without a namespace, or point it at an Enterprise cluster",
    ]);
  });

  it("passes without a namespace on the same server", async () => {
    expect(
      await preflightExternal(config("vault"), async () => ({ status: 200, body: healthy })),
    ).toEqual([]);
  });

  it("names the key and every address when none answers as unsealed", async () => {
    const problems = await preflightExternal(config("openbao"), async (address) =>
      address.startsWith("https://a.")
        ? { status: 503, body: { initialized: true, sealed: true } }
        : Promise.reject(new Error("timed out")),
    );
    expect(problems).toEqual([
      "vault-platform:server.address: no address answers as an initialized, unsealed server (https://a.internal:8200: sys/health answered HTTP 503; https://b.internal:8200: timed out)",
    ]);
  });

  it("asks nothing of a server the program runs", async () => {
    const ask = jest.fn();
    const dev = loadConfig(stackConfigSource("dev", {}), "vault-platform", "dev");
    expect(await preflightExternal(dev, ask)).toEqual([]);
    expect(ask).not.toHaveBeenCalled();
  });
});

describe("preflight of a server the program runs", () => {
  const dev = () =>
    loadConfig(
      stackConfigSource("dev", { postgres: { host: "127.0.0.1" } }),
      "vault-platform",
      "dev",
    );
  const ownPostgres = () => loadConfig(stackConfigSource("pr-7", {}), "vault-platform", "pr-7");
  const present = () => Promise.resolve();

  it("stops when the Docker engine does not answer, naming the mode", async () => {
    expect(
      await preflightDocker(dev(), () =>
        Promise.reject(
          new Error("Cannot connect to the Docker daemon at unix:///var/run/docker.sock"),
        ),
      ),
    ).toEqual([
      'vault-platform:server.mode: "dev" runs the server as containers, but the Docker engine does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock); start it (dockerd) and run again',
    ]);
    expect(await preflightDocker(dev(), present, present)).toEqual([]);
  });

  it("names each image the engine lacks: the server's, and the stack's own Postgres'", async () => {
    const asked: string[] = [];
    const missing = (image: string) => {
      asked.push(image);
      return Promise.reject(new Error(`No such image: ${image}`));
    };
    expect(await preflightDocker(ownPostgres(), present, missing)).toEqual([
      "vault-platform:server.image: the image hashicorp/vault:1.20.4 is not in the local Docker engine; pull or load it (docker pull hashicorp/vault:1.20.4) and run again",
      "vault-platform:postgres.image: the image postgres:15.18 is not in the local Docker engine; pull or load it (docker pull postgres:15.18) and run again",
    ]);
    expect(asked).toEqual(["hashicorp/vault:1.20.4", "postgres:15.18"]);
    expect(await preflightDocker(ownPostgres(), present, present)).toEqual([]);
  });

  it("does not connect to the stack's own Postgres: the stack creates it", async () => {
    const connect = jest.fn(() => Promise.reject(new Error("must not be called")));
    expect(await preflightPostgres(ownPostgres(), undefined, connect)).toEqual([]);
    expect(connect).not.toHaveBeenCalled();
  });

  it("stops when the Postgres admin connection fails, naming the key and address, never the password", async () => {
    const seen: unknown[] = [];
    const problems = await preflightPostgres(dev(), "hunter2", async (settings) => {
      seen.push(settings);
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    });
    expect(problems).toEqual([
      "vault-platform:postgres.host: cannot connect to Postgres at 127.0.0.1:5432 as postgres (connect ECONNREFUSED 127.0.0.1:5432); check postgres.host/port/adminUser and postgresAdminPassword (or PGPASSWORD)",
    ]);
    expect(problems.join("")).not.toContain("hunter2");
    expect(seen).toEqual([
      { host: "127.0.0.1", port: 5432, user: "postgres", password: "hunter2", ssl: false },
    ]);
    expect(await preflightPostgres(dev(), undefined, () => Promise.resolve())).toEqual([]);
  });
});
