import { newAuditScan, scanLine } from "../../cli/checks/audit-scan";

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

  it("agrees with a plain search on many generated lines, secrets in them or not", () => {
    // A fixed linear congruential sequence: the same lines on every run.
    let seed = 42;
    const next = (below: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % below;
    };
    const alphabet = 'abcdefXYZ0123456789.-_"{}:é';
    const text = (length: number) =>
      Array.from({ length }, () => alphabet[next(alphabet.length)]).join("");
    const some = Array.from({ length: 50 }, () => text(8 + next(30)));
    let found = 0;
    for (let i = 0; i < 400; i++) {
      const planted = next(3) === 0 ? some[next(some.length)] : "";
      const line = text(next(200)) + planted + text(next(50));
      const one = newAuditScan("approle", some);
      scanLine(one, line);
      const expected = some.some((secret) => line.includes(secret));
      expect(one.leaked).toBe(expected);
      found += expected ? 1 : 0;
    }
    // Both outcomes were exercised.
    expect(found).toBeGreaterThan(50);
    expect(found).toBeLessThan(350);
  });
});
