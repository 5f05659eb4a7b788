import * as fs from "fs";
import * as path from "path";
import {
  FLAVOR_TRAITS,
  auditDeviceSpecs,
  renderServerConfig,
  tlsFiles,
} from "../../infra/server-config";
import {
  connectionUrl,
  creationStatements,
  revocationStatements,
} from "../../infra/database-statements";

const GOLDEN = path.join(__dirname, "../fixtures/golden");

describe("server config renderer (golden files)", () => {
  it("renders an OpenBao dev server with declarative audit devices", () => {
    expect(
      renderServerConfig({
        flavor: "openbao",
        mode: "dev",
        listenPort: 20014,
        apiAddress: "http://127.0.0.1:20014",
        nodeId: "vp-pr-7",
        auditDevices: auditDeviceSpecs(["file", "stdout"], "/openbao/logs"),
      }),
    ).toBe(fs.readFileSync(path.join(GOLDEN, "openbao-dev.json"), "utf8"));
  });

  it("renders a Vault server with raft storage and no audit stanza (Vault takes them by API)", () => {
    expect(
      renderServerConfig({
        flavor: "vault",
        mode: "server",
        listenPort: 8200,
        apiAddress: "http://127.0.0.1:8210",
        nodeId: "vp-staging",
        auditDevices: auditDeviceSpecs(["file", "stdout"], "/vault/logs"),
      }),
    ).toBe(fs.readFileSync(path.join(GOLDEN, "vault-server.json"), "utf8"));
  });

  it("renders an OpenBao server with a TLS-only listener (TLS 1.2 at least)", () => {
    expect(
      renderServerConfig({
        flavor: "openbao",
        mode: "server",
        listenPort: 8200,
        apiAddress: "https://127.0.0.1:8210",
        nodeId: "vp-staging",
        auditDevices: auditDeviceSpecs(["file", "stdout"], "/openbao/logs"),
        tls: tlsFiles(FLAVOR_TRAITS.openbao),
      }),
    ).toBe(fs.readFileSync(path.join(GOLDEN, "openbao-server-tls.json"), "utf8"));
  });
});

describe("audit devices", () => {
  it("HMACs values and accessors and keeps the file private", () => {
    const [file, stdout] = auditDeviceSpecs(["file", "stdout"], "/vault/logs");
    expect(file.options).toEqual({
      file_path: "/vault/logs/audit.log",
      log_raw: "false",
      hmac_accessor: "true",
      mode: "0600",
    });
    expect(stdout.options).toEqual({
      file_path: "stdout",
      log_raw: "false",
      hmac_accessor: "true",
    });
  });
});

describe("database statements", () => {
  it("creates users that only inherit the group role", () => {
    expect(creationStatements("vp_dev_readonly", "vp_dev_vault")).toEqual([
      `CREATE ROLE "{{name}}" WITH LOGIN INHERIT PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' IN ROLE "vp_dev_readonly";`,
      `GRANT "{{name}}" TO "vp_dev_vault";`,
    ]);
  });

  it("revokes by ending sessions, dropping owned objects, then the role", () => {
    expect(revocationStatements()).toEqual([
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}';`,
      `DROP OWNED BY "{{name}}";`,
      `DROP ROLE IF EXISTS "{{name}}";`,
    ]);
  });

  it("quotes identifiers", () => {
    expect(creationStatements('we"ird', "v")[0]).toContain('IN ROLE "we""ird"');
  });

  it("templates the connection URL for Vault to fill", () => {
    expect(connectionUrl("127.0.0.1", 5432, "vp_dev", "disable")).toBe(
      "postgresql://{{username}}:{{password}}@127.0.0.1:5432/vp_dev?sslmode=disable",
    );
  });
});
