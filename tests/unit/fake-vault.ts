/**
 * A fake Vault API on 127.0.0.1 for the dynamic providers' tests: init, unseal, seal status,
 * leader, token lookup/renew/create; it records every call.
 */
import * as http from "http";
import { AddressInfo } from "net";

export interface Call {
  method: string;
  path: string;
  token?: string;
  body?: Record<string, unknown>;
}

export class FakeVault {
  calls: Call[] = [];
  initialized = false;
  sealed = true;
  failWith?: number;
  joinAfter = 0;
  /** Seconds the token asking lookup-self has left. */
  tokenTtl = 768 * 3600;
  /** Where set: the only unseal keys that open it, and the only tokens it knows (else any). */
  keyring?: string[];
  tokens?: string[];
  inits = 0;
  private progress = 0;
  provisioned = 0;
  private server = http.createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      const path = (request.url ?? "").replace(/^\/v1\//, "");
      this.calls.push({
        method: request.method ?? "",
        path,
        token: request.headers["x-vault-token"] as string | undefined,
        body: text ? JSON.parse(text) : undefined,
      });
      const reply = (status: number, body?: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (this.failWith) {
        return reply(this.failWith, { errors: ["secret detail"] });
      }
      if (path === "sys/init" && request.method === "GET") {
        return reply(200, { initialized: this.initialized });
      }
      if (path === "sys/init") {
        this.initialized = true;
        // A second initialization (an empty server after its data was lost) has new keys.
        const n = ++this.inits;
        const keys = n === 1 ? ["k1", "k2", "k3"] : ["m1", "m2", "m3"];
        if (this.keyring) {
          this.keyring = keys;
          this.tokens = [`root-${n}`];
        }
        return reply(200, { keys_base64: keys, root_token: `root-${n}` });
      }
      if (path === "sys/unseal" && text.includes("reset")) {
        this.progress = 0;
        return reply(200, { sealed: this.sealed });
      }
      if (path === "sys/unseal" && this.keyring) {
        const key = (JSON.parse(text) as { key: string }).key;
        if (!this.keyring.includes(key)) {
          this.progress = 0;
          return reply(400, { errors: ["invalid key"] });
        }
        // Opens at the second key (the tests' threshold).
        this.sealed = ++this.progress < 2;
        this.progress = this.sealed ? this.progress : 0;
        return reply(200, { sealed: this.sealed });
      }
      if (path === "sys/unseal") {
        // A raft follower takes keys only once it has joined (here: after `joinAfter` polls).
        if (this.joinAfter > 0) {
          this.joinAfter--;
          return reply(400, { errors: ["not yet joined"] });
        }
        this.sealed = false;
        return reply(200, { sealed: false });
      }
      if (path === "sys/seal-status") {
        return reply(200, { sealed: this.sealed, initialized: this.initialized });
      }
      if (path === "sys/leader") {
        return reply(200, { leader_address: this.sealed ? "" : "https://leader:8200" });
      }
      if (path === "auth/token/lookup-self") {
        const token = request.headers["x-vault-token"] as string;
        if (this.tokens && !this.tokens.includes(token)) {
          return reply(403, { errors: ["permission denied"] });
        }
        return reply(200, { data: { ttl: this.tokenTtl } });
      }
      if (path === "auth/token/renew-self") {
        this.tokenTtl = 768 * 3600;
        return reply(200, { auth: { lease_duration: this.tokenTtl } });
      }
      if (path === "auth/token/create-orphan") {
        const token = `provisioner-${++this.provisioned}`;
        this.tokens?.push(token);
        return reply(200, { auth: { client_token: token } });
      }
      return reply(204);
    });
  });
  address = "";
  /** Listens on `port` (default: any free one). */
  async start(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
