import { newAuditScan, scanLine } from "../../cli/audit-scan";

describe("scanning an audit log line by line", () => {
  it("counts entries, sees logins and HMAC'd values, and finds a secret in plain text", () => {
    const scan = newAuditScan("approle", ["hvs.plain-token"]);
    scanLine(scan, '{"type":"request","request":{"path":"auth/approle/login"}}');
    scanLine(scan, "");
    scanLine(scan, '{"type":"response","auth":{"client_token":"hmac-sha256:abc"}}');
    expect(scan).toMatchObject({ entries: 2, approleLogin: true, hmac: true, leaked: false });
    scanLine(scan, '{"type":"response","auth":{"client_token":"hvs.plain-token"}}');
    expect(scan.leaked).toBe(true);
  });

  it("looks for logins on the configured AppRole mount", () => {
    const scan = newAuditScan("team/approle", []);
    scanLine(scan, '{"request":{"path":"auth/approle/login"}}');
    expect(scan.approleLogin).toBe(false);
    scanLine(scan, '{"request":{"path":"auth/team/approle/login"}}');
    expect(scan.approleLogin).toBe(true);
  });
});
