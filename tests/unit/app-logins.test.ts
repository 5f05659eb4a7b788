/** AppRole logins of the checks across a failover, against a fake Vault node on 127.0.0.1. */
import * as http from "http";
import type { AddressInfo } from "net";
import { appLogin } from "../../cli/checks/app-logins";
import type { Environment } from "../../cli/checks/run-checks";

/** A node that mints secret-ids and answers each login with the next of `logins`. */
async function fakeNode(logins: (() => { status: number; body: unknown })[]) {
  let served = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    const answer = request.url?.endsWith("/secret-id")
      ? { status: 200, body: { data: { secret_id: "s" } } }
      : logins[Math.min(served++, logins.length - 1)]();
    response.writeHead(answer.status, { "Content-Type": "application/json" });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    logins: () => served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function environment(address: string): Environment {
  return {
    address,
    // A cluster: the other address is never reached (the first answers every time).
    addresses: [address, "http://127.0.0.1:9"],
    adminToken: "admin",
    mounts: { kv: "secret", database: "database", transit: "transit", approle: "approle" },
    apps: [],
    postgres: { host: "127.0.0.1", port: 5432, database: "app" },
  };
}

const app = { name: "orders", roleId: "r", kvRead: [], transitKeys: [] };
const denied = { status: 403, body: { errors: ["permission denied"] } };

afterEach(() => jest.restoreAllMocks());

describe("appLogin on a cluster", () => {
  it("tries again through the next node when one node keeps refusing", async () => {
    const refusing = await fakeNode([() => denied]);
    const serving = await fakeNode([
      () => ({ status: 200, body: { auth: { client_token: "t" } } }),
    ]);
    try {
      const env = {
        ...environment(refusing.address),
        addresses: [refusing.address, serving.address],
      };
      await expect(appLogin(env, app)).resolves.toBe("t");
      expect([refusing.logins(), serving.logins()]).toEqual([1, 1]);
    } finally {
      await refusing.close();
      await serving.close();
    }
  });

  it("tries again after a refusal that came only once the failover window had passed", async () => {
    // The first login waited as long as the whole window (a node stopped under it): the
    // window for trying again starts at the refusal, not at the first try.
    const now = Date.now();
    let late = 0;
    jest.spyOn(Date, "now").mockImplementation(() => now + late);
    const node = await fakeNode([
      () => {
        late = 31_000;
        return denied;
      },
      () => ({ status: 200, body: { auth: { client_token: "t" } } }),
    ]);
    try {
      await expect(appLogin(environment(node.address), app)).resolves.toBe("t");
      expect(node.logins()).toBe(2);
    } finally {
      await node.close();
    }
  });

  it("gives up once the window after the first refusal has passed, saying what Vault said", async () => {
    const now = Date.now();
    let late = 0;
    jest.spyOn(Date, "now").mockImplementation(() => now + late);
    const node = await fakeNode([
      () => denied,
      () => {
        late = 31_000;
        return denied;
      },
    ]);
    try {
      await expect(appLogin(environment(node.address), app)).rejects.toThrow(
        "AppRole login of orders answered HTTP 403: permission denied",
      );
      expect(node.logins()).toBe(2);
    } finally {
      await node.close();
    }
  });
});
