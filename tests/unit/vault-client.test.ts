/** The checks' client against fake Vault nodes on 127.0.0.1: namespace header and failover. */
import * as http from "http";
import type { AddressInfo } from "net";
import { vaultErrors, vaultRequest } from "../../cli/checks/vault-client";

interface FakeNode {
  readonly address: string;
  readonly seen: { path: string; namespace?: string }[];
  close(): Promise<void>;
}

async function fakeNode(
  status: () => number,
  headers: () => Record<string, string> = () => ({}),
): Promise<FakeNode> {
  const seen: FakeNode["seen"] = [];
  const server = http.createServer((request, response) => {
    seen.push({
      path: request.url ?? "",
      namespace: request.headers["x-vault-namespace"] as string | undefined,
    });
    response.writeHead(status(), { "Content-Type": "application/json", ...headers() });
    response.end(JSON.stringify({ data: { ok: true } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("vaultRequest", () => {
  it("sends the namespace header and fails over past a node that cannot serve", async () => {
    const standby = await fakeNode(() => 503);
    const active = await fakeNode(() => 200);
    try {
      const target = {
        address: standby.address,
        addresses: [standby.address, active.address],
        namespace: "pr-7",
      };
      const answer = await vaultRequest(target, "GET", "secret/data/x", "token");
      expect(answer.status).toBe(200);
      expect(standby.seen).toEqual([{ path: "/v1/secret/data/x", namespace: "pr-7" }]);
      expect(active.seen).toEqual([{ path: "/v1/secret/data/x", namespace: "pr-7" }]);
      // The node that answered is asked first next time.
      await vaultRequest(target, "GET", "secret/data/y", "token");
      expect(standby.seen).toHaveLength(1);
      expect(active.seen).toHaveLength(2);
    } finally {
      await standby.close();
      await active.close();
    }
  });

  it("follows a standby's redirect to the active node, with method, token and namespace", async () => {
    const active = await fakeNode(() => 200);
    const standby = await fakeNode(
      () => 307,
      () => ({ Location: `${active.address}/v1/database/creds/orders` }),
    );
    try {
      const answer = await vaultRequest(
        { address: standby.address, namespace: "pr-7" },
        "GET",
        "database/creds/orders",
        "token",
      );
      expect(answer.status).toBe(200);
      expect(active.seen).toEqual([{ path: "/v1/database/creds/orders", namespace: "pr-7" }]);
    } finally {
      await standby.close();
      await active.close();
    }
  });

  it("fails over past a node that is gone", async () => {
    const gone = await fakeNode(() => 200);
    await gone.close();
    const active = await fakeNode(() => 200);
    try {
      const answer = await vaultRequest(
        { address: gone.address, addresses: [gone.address, active.address] },
        "GET",
        "sys/health",
      );
      expect(answer.status).toBe(200);
    } finally {
      await active.close();
    }
  });

  it("returns a single node's error answer as it is (no retry)", async () => {
    const node = await fakeNode(() => 503);
    try {
      expect((await vaultRequest(node.address, "GET", "sys/health")).status).toBe(503);
      expect(node.seen).toHaveLength(1);
    } finally {
      await node.close();
    }
  });
});

describe("vaultErrors", () => {
  it("words what Vault said of a refused request, short", () => {
    expect(vaultErrors({ status: 400, body: { errors: ["invalid role or secret ID"] } })).toBe(
      ": invalid role or secret ID",
    );
    expect(vaultErrors({ status: 403, body: { errors: ["permission denied", "x"] } })).toBe(
      ": permission denied; x",
    );
    const long = vaultErrors({ status: 500, body: { errors: ["e".repeat(500)] } });
    expect(long).toHaveLength(2 + 200);
    expect(long.endsWith("…")).toBe(true);
  });

  it("says nothing when the answer has no errors list", () => {
    expect(vaultErrors({ status: 502, body: undefined })).toBe("");
    expect(vaultErrors({ status: 403, body: { errors: [] } })).toBe("");
    expect(vaultErrors({ status: 404, body: "not json" })).toBe("");
  });
});
