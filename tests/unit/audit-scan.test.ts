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

describe("finding any of many secrets in a line in one pass", () => {
  const secrets = Array.from(
    { length: 300 },
    (_, i) => `hvs.CAESIJ${String(i).padStart(4, "0")}tail${i}x`,
  );
  const scan = () => newAuditScan("approle", [...secrets, "short"]);

  it("finds each secret wherever it stands, and a secret shorter than the index key", () => {
    for (const secret of [secrets[0], secrets[150], secrets[299]]) {
      const one = scan();
      scanLine(one, `{"token":"${secret}"}`);
      expect(one.leaked).toBe(true);
      const atEdges = scan();
      scanLine(atEdges, secret);
      expect(atEdges.leaked).toBe(true);
    }
    const short = scan();
    scanLine(short, '{"x":"a short one"}');
    expect(short.leaked).toBe(true);
  });

  it("does not take a secret's prefix or its end alone for the secret", () => {
    const partial = scan();
    scanLine(partial, `{"a":"hvs.CAESIJ0150","b":"tail150x"}`);
    expect(partial.leaked).toBe(false);
  });
});
