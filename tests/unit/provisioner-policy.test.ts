import * as fs from "fs";
import * as path from "path";
import { renderProvisionerPolicy } from "../../infra/provisioner-policy";

const GOLDEN = path.join(__dirname, "../fixtures/golden");

describe("provisioner policy from the resolved config (golden files)", () => {
  it.each([
    [
      "provisioner-default.hcl",
      { kv: "secret", database: "database", transit: "transit", auth: ["approle"] },
    ],
    [
      "provisioner-nested.hcl",
      { kv: "team/kv", database: "team/db", transit: "team/transit", auth: ["team/approle"] },
    ],
    [
      "provisioner-people.hcl",
      {
        kv: "secret",
        database: "database",
        transit: "transit",
        auth: ["approle", "oidc"],
        identityGroups: true,
      },
    ],
    [
      "provisioner-pki.hcl",
      {
        kv: "secret",
        database: "database",
        transit: "transit",
        auth: ["approle"],
        pki: ["pki", "pki-root"],
      },
    ],
  ])("renders %s", (file, paths) => {
    const golden = path.join(GOLDEN, file);
    if (process.env.UPDATE_GOLDEN === "1") {
      fs.writeFileSync(golden, renderProvisionerPolicy(paths));
    }
    expect(renderProvisionerPolicy(paths)).toBe(fs.readFileSync(golden, "utf8"));
  });

  it("grants nested mounts by their full path, and no single-segment wildcard", () => {
    const hcl = renderProvisionerPolicy({
      kv: "team/kv",
      database: "team/db",
      transit: "team/transit",
      auth: ["team/approle"],
    });
    expect(hcl).toContain('path "auth/team/approle/*"');
    expect(hcl).toContain('path "team/kv/data/*"');
    expect(hcl).toContain('path "team/db/rotate-root/*"');
    expect(hcl).not.toContain('path "+/');
    expect(hcl).not.toContain('path "auth/approle/*"');
  });
});
