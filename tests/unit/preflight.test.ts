import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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

  // A pr-<n> stack's default namespace: the way out is tenancy "prefix", not leaving it out.
  const prDefault = { path: "pr-7", create: true, tenancyKey: "sharedCluster" } as const;
  it.each([
    [
      "openbao",
      { version: "2.2.1" },
      'vault-platform:sharedCluster.tenancy: OpenBao 2.2.1 has no namespaces (they came with 2.3), and a pr-<n> stack lives in a namespace of its own (pr-7) unless it shares the cluster by path prefix; set sharedCluster.tenancy to "prefix" (mounts and auth paths under pr-7/, policies named pr-7-...), or upgrade the cluster',
    ],
    [
      "vault",
      { version: "1.20.4", enterprise: false },
      'vault-platform:sharedCluster.tenancy: this Vault (1.20.4) is not Vault Enterprise or HCP Vault and has no namespaces, and a pr-<n> stack lives in a namespace of its own (pr-7) unless it shares the cluster by path prefix; set sharedCluster.tenancy to "prefix" (mounts and auth paths under pr-7/, policies named pr-7-...), or point it at an Enterprise cluster',
    ],
    ["vault", { version: "1.20.4+ent", enterprise: true }, undefined],
  ] as const)("a pr-<n> stack's default namespace on %s %j", (flavor, health, expected) => {
    expect(namespaceSupportProblem(flavor, health, prDefault)).toBe(expected);
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

  const pullRequest = (tenancy?: string, key: "server" | "sharedCluster" = "sharedCluster") =>
    loadConfig(
      stackConfigSource("pr-7", {
        [key]: {
          ...(key === "server" ? { mode: "external" } : {}),
          flavor: "vault",
          address: "https://a.internal:8200",
          auth: { method: "jwt", role: "pr", jwtEnv: "CI_JWT" },
          ...(tenancy ? { tenancy } : {}),
        },
        postgres: { host: "pg.internal" },
      }),
      "vault-platform",
      "pr-7",
    );

  it("stops a pr-<n> stack's own namespace on Vault Community, naming the tenancy key", async () => {
    const ask = async () => ({ status: 200, body: healthy });
    expect(await preflightExternal(pullRequest(), ask)).toEqual([
      'vault-platform:sharedCluster.tenancy: this Vault (1.20.4) is not Vault Enterprise or HCP Vault and has no namespaces, and a pr-<n> stack lives in a namespace of its own (pr-7) unless it shares the cluster by path prefix; set sharedCluster.tenancy to "prefix" (mounts and auth paths under pr-7/, policies named pr-7-...), or point it at an Enterprise cluster',
    ]);
    expect(await preflightExternal(pullRequest(undefined, "server"), ask)).toEqual([
      'vault-platform:server.tenancy: this Vault (1.20.4) is not Vault Enterprise or HCP Vault and has no namespaces, and a pr-<n> stack lives in a namespace of its own (pr-7) unless it shares the cluster by path prefix; set server.tenancy to "prefix" (mounts and auth paths under pr-7/, policies named pr-7-...), or point it at an Enterprise cluster',
    ]);
    expect(await preflightExternal(pullRequest("prefix"), ask)).toEqual([]);
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

  it("pulls each image the engine lacks; a failed pull names the key and the image", async () => {
    const asked: string[] = [];
    const missing = (image: string) => {
      asked.push(image);
      return Promise.reject(new Error(`No such image: ${image}`));
    };
    const pulled: string[] = [];
    const pullOk = (image: string) => {
      pulled.push(image);
      return Promise.resolve();
    };
    expect(await preflightDocker(ownPostgres(), present, missing, pullOk)).toEqual([]);
    expect(pulled).toEqual(["hashicorp/vault:1.20.4", "postgres:15.18"]);
    const pullFails = (image: string) =>
      Promise.reject(new Error(`Error response from daemon: pull access denied for ${image}`));
    expect(await preflightDocker(ownPostgres(), present, missing, pullFails)).toEqual([
      "vault-platform:server.image: the image hashicorp/vault:1.20.4 is not in the local Docker engine and pulling it failed (Error response from daemon: pull access denied for hashicorp/vault:1.20.4); load it (docker load -i <file>) or set vault-platform:server.image to an image the engine has or can pull",
      "vault-platform:postgres.image: the image postgres:15.18 is not in the local Docker engine and pulling it failed (Error response from daemon: pull access denied for postgres:15.18); load it (docker load -i <file>) or set vault-platform:postgres.image to an image the engine has or can pull",
    ]);
    expect(asked).toEqual([
      "hashicorp/vault:1.20.4",
      "postgres:15.18",
      "hashicorp/vault:1.20.4",
      "postgres:15.18",
    ]);
    expect(await preflightDocker(ownPostgres(), present, present)).toEqual([]);
  });

  describe("against a fake Docker engine (a docker command on PATH)", () => {
    let dir: string;
    const path0 = process.env.PATH;
    /** A docker CLI that has no image, and whose pull succeeds or fails as `PULL` says. */
    const fakeDocker = (pull: "ok" | "fail") => `#!/bin/sh
echo "$@" >> "${dir}/calls"
case "$1" in
  info) echo 28.2.2 ;;
  image) echo "Error: No such image: $4" >&2; exit 1 ;;
  pull)
    ${
      pull === "ok"
        ? 'echo "$2: Pulling from library"; echo "a1b2c3: Pull complete"; echo "Status: Downloaded newer image for $2"'
        : 'echo "Error response from daemon: Get \\"https://registry-1.docker.io/v2/\\": dial tcp: lookup registry-1.docker.io: no such host" >&2; exit 1'
    } ;;
esac
`;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-docker-"));
      process.env.PATH = `${dir}:${path0}`;
      // Were the real docker CLI run instead, it would find no engine rather than pull.
      process.env.DOCKER_HOST = `unix://${dir}/no-engine.sock`;
    });
    afterEach(() => {
      process.env.PATH = path0;
      delete process.env.DOCKER_HOST;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("shows the pull's progress and goes on", async () => {
      fs.writeFileSync(path.join(dir, "docker"), fakeDocker("ok"), { mode: 0o755 });
      const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
      try {
        expect(await preflightDocker(dev())).toEqual([]);
        expect(log).toHaveBeenCalledWith(
          "server.image: the image hashicorp/vault:1.20.4 is not in the local Docker engine; pulling it",
        );
      } finally {
        log.mockRestore();
      }
      expect(fs.readFileSync(path.join(dir, "calls"), "utf8").split("\n")).toEqual([
        "info --format {{.ServerVersion}}",
        "image inspect --format {{.Id}} hashicorp/vault:1.20.4",
        "pull hashicorp/vault:1.20.4",
        "",
      ]);
    });

    it("stops on a failed pull with the engine's reason, the key and the image", async () => {
      fs.writeFileSync(path.join(dir, "docker"), fakeDocker("fail"), { mode: 0o755 });
      const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
      const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        expect(await preflightDocker(dev())).toEqual([
          'vault-platform:server.image: the image hashicorp/vault:1.20.4 is not in the local Docker engine and pulling it failed (Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host); load it (docker load -i <file>) or set vault-platform:server.image to an image the engine has or can pull',
        ]);
      } finally {
        log.mockRestore();
        stderr.mockRestore();
      }
    });
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
