import * as fs from "fs";
import * as path from "path";
import { accessModelOf, diffAccess } from "../../cli/gitops/access-diff";
import { renderComment } from "../../cli/gitops/comment";
import { accessModel } from "../../infra/access-model";
import { loadConfig } from "../../stacks/config";
import { stackFileSource } from "../../stacks/stack-files";
import { testCertificates } from "./contract";

const ROOT = path.resolve(__dirname, "../..");
const PROJECT_YAML = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");

function modelOf(stackYaml: string, stack = "prod") {
  return accessModel(loadConfig(stackFileSource(PROJECT_YAML, stackYaml), "vault-platform", stack));
}

/**
 * The committed prod stack file, completed the way a user completes it before the first up: the
 * certificate from their CA and its key (encrypted: the access diff never decrypts).
 */
function completedProd(): string {
  const committed = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
  const { certPem, caCertPem } = testCertificates();
  const block = (pem: string) =>
    pem
      .trim()
      .split("\n")
      .map((line) => `          ${line}`)
      .join("\n");
  const completed = committed.replace(
    "    port: 8220\n",
    `    port: 8220\n    tls:\n      certificate: |\n${block(certPem)}\n      caCertificate: |\n${block(caCertPem)}\n`,
  );
  expect(completed).not.toBe(committed);
  return `${completed}  vault-platform:tlsPrivateKey:\n    secure: v1:AAAABBBBCCCC\n`;
}

const PROD = completedProd();

/** The PR comment of a staging change from one stack file to another, against its golden file. */
function expectStagingComment(
  file: string,
  changes: Record<string, number>,
  before: string,
  after: string,
): void {
  const comment = renderComment(
    [
      {
        stack: "staging",
        changes,
        policy: [],
        access: diffAccess(modelOf(before, "staging"), modelOf(after, "staging")),
      },
    ],
    "0123456789abcdef0123",
  );
  const golden = path.join(ROOT, "tests/fixtures/golden", file);
  if (process.env.UPDATE_GOLDEN === "1") {
    fs.writeFileSync(golden, comment);
  }
  expect(comment).toBe(fs.readFileSync(golden, "utf8"));
}

describe("access diff", () => {
  it("is empty when nothing changes", () => {
    expect(diffAccess(modelOf(PROD), modelOf(PROD))).toEqual([]);
  });

  it("names exactly the app, path and capability a widened policy gains", () => {
    const widened = PROD.replace('read: ["reporting/*"]', 'read: ["reporting/*", "orders/*"]');
    expect(widened).not.toBe(PROD);
    expect(diffAccess(modelOf(PROD), modelOf(widened))).toEqual([
      {
        policy: "app-reporting",
        subject: "app reporting",
        path: "secret/data/orders/*",
        added: ["read"],
        removed: [],
      },
      {
        policy: "app-reporting",
        subject: "app reporting",
        path: "secret/metadata/orders/*",
        added: ["read", "list"],
        removed: [],
      },
    ]);
  });

  it("reports capabilities lost when access narrows (readwrite -> readonly keeps creds path)", () => {
    const narrowed = PROD.replace('      transitKeys: ["orders"]\n', "");
    expect(diffAccess(modelOf(PROD), modelOf(narrowed))).toEqual([
      {
        policy: "app-orders",
        subject: "app orders",
        path: "transit/decrypt/orders",
        added: [],
        removed: ["update"],
      },
      {
        policy: "app-orders",
        subject: "app orders",
        path: "transit/encrypt/orders",
        added: [],
        removed: ["update"],
      },
    ]);
  });

  it("shows a new app's whole access as gained", () => {
    const withBilling = PROD.replace(
      "  vault-platform:apps:\n",
      '  vault-platform:apps:\n    - name: billing\n      kv:\n        read: ["billing/*"]\n      boundCidrs: ["10.30.0.0/16"]\n',
    );
    const changes = diffAccess(modelOf(PROD), modelOf(withBilling));
    expect(new Set(changes.map((change) => change.subject))).toEqual(new Set(["app billing"]));
    expect(changes.every((change) => change.removed.length === 0)).toBe(true);
    expect(changes.map((change) => change.path)).toContain("secret/data/billing/*");
  });

  it("reads encrypted values in stack files as secrets, without decrypting them", () => {
    const source = stackFileSource(
      PROJECT_YAML,
      "config:\n  vault-platform:vaultToken:\n    secure: v1:abc\n",
    );
    expect(source.get("vault-platform:vaultToken")).toBe("[encrypted]");
    expect(source.isSecret("vault-platform:vaultToken")).toBe(true);
    expect(source.isSecret("vault-platform:apps")).toBe(false);
  });

  it("evaluates the committed stack files at a git revision and in the work tree", () => {
    const atHead = accessModelOf(ROOT, "vault-platform", "staging", "HEAD");
    const workTree = accessModelOf(ROOT, "vault-platform", "staging");
    expect(Object.keys(workTree).sort()).toEqual(["app-orders", "app-reporting"]);
    expect(Object.keys(atHead).sort()).toEqual(["app-orders", "app-reporting"]);
    // A stack that needs its own file and has none at that revision: nobody had access.
    expect(accessModelOf(ROOT, "vault-platform", "feature-x", "HEAD")).toEqual({});
    // A revision before the project existed: nobody had access.
    expect(
      accessModelOf(ROOT, "vault-platform", "staging", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
    ).toEqual({});
  });
});

describe("access diff of logins", () => {
  const DEV_WITH = (orders: string) => `config:
  vault-platform:jwt:
    validationPublicKeys: ["-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----"]
  vault-platform:apps:
${orders}
    - name: reporting
      auth: [jwt]
      jwt: { boundAudiences: [vault], boundClaims: { repository: org/reporting } }
`;
  it("shows who gains and who loses a login: method, role and bindings", () => {
    const before = modelOf(DEV_WITH("    - name: orders"), "dev");
    const after = modelOf(
      DEV_WITH(`    - name: orders
      auth: [jwt]
      jwt: { boundAudiences: [vault], boundClaims: { repository: org/shop, ref: refs/heads/main } }`),
      "dev",
    );
    expect(diffAccess(before, after).filter((change) => change.path.startsWith("auth/"))).toEqual([
      {
        policy: "app-orders",
        subject: "app orders",
        path: "auth/approle/login",
        added: [],
        removed: ["role orders"],
      },
      {
        policy: "app-orders",
        subject: "app orders",
        path: "auth/jwt/login",
        added: [
          "role orders",
          "audience vault",
          "claim repository=org/shop",
          "claim ref=refs/heads/main",
        ],
        removed: [],
      },
    ]);
  });
});

describe("access diff of teams", () => {
  const STAGING = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  const withTeams = (teams: string) =>
    `${STAGING}  vault-platform:teams:\n${teams}  vault-platform:people:\n    auth:\n      method: oidc\n      discoveryUrl: https://idp.example.test/realms/eng\n      clientId: vault\n      redirectUris: ["http://localhost:8250/oidc/callback"]\n  vault-platform:peopleClientSecret:\n    secure: v1:AAAABBBBCCCC\n`;
  const before = withTeams(
    '    - name: payments\n      groups: ["eng-pay"]\n      apps: ["orders"]\n      access: operate\n    - name: analytics\n      groups: ["eng-data"]\n      apps: ["reporting"]\n',
  );
  // reporting moves from analytics to payments; analytics keeps orders to read; a second IdP
  // group joins payments.
  const after = withTeams(
    '    - name: payments\n      groups: ["eng-pay", "eng-pay-oncall"]\n      apps: ["orders", "reporting"]\n      access: operate\n    - name: analytics\n      groups: ["eng-data"]\n      apps: ["orders"]\n',
  );

  it("shows an app moving between teams for both teams, and a group joining a team", () => {
    const changes = diffAccess(modelOf(before, "staging"), modelOf(after, "staging"));
    const bySubject = (subject: string) =>
      changes
        .filter((change) => change.subject === subject)
        .map(({ path: changed, added, removed }) => [changed, added, removed]);
    expect(bySubject("team payments")).toEqual([
      ["auth/oidc/login", ["IdP group eng-pay-oncall"], []],
      ["database/creds/reporting", ["read"], []],
      ["secret/data/reporting/*", ["create", "read", "update", "patch", "delete"], []],
      ["secret/delete/reporting/*", ["update"], []],
      ["secret/metadata/reporting/*", ["read", "list"], []],
      ["secret/undelete/reporting/*", ["update"], []],
      ["transit/decrypt/reporting", ["update"], []],
      ["transit/encrypt/reporting", ["update"], []],
    ]);
    expect(bySubject("team analytics")).toEqual([
      ["secret/data/orders/*", ["read"], []],
      ["secret/data/reporting/*", [], ["read"]],
      ["secret/metadata/orders/*", ["read", "list"], []],
      ["secret/metadata/reporting/*", [], ["read", "list"]],
    ]);
    // Apps' own access does not change.
    expect(changes.every((change) => change.subject.startsWith("team "))).toBe(true);
  });

  it("renders the PR comment with the teams' changes (golden file)", () => {
    expectStagingComment("pr-comment-teams.md", { update: 2, same: 51 }, before, after);
  });
});

describe("access diff of certificates", () => {
  const STAGING = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  /** The staging apps with certificate names, and the stack's internal CA. */
  const withCertificates = (orders: string, reporting: string) => {
    const yaml = STAGING.replace(
      '      transitKeys: ["orders"]\n',
      `      transitKeys: ["orders"]\n      pki:\n${orders}`,
    ).replace(
      '      transitKeys: ["reporting"]\n',
      `      transitKeys: ["reporting"]\n      pki:\n${reporting}`,
    );
    expect(yaml).not.toBe(STAGING);
    return `${yaml}  vault-platform:pki:\n    mode: internal\n`;
  };
  const before = withCertificates(
    '        names: ["orders.example.internal"]\n',
    '        names: ["reports.example.internal"]\n',
  );
  // orders gains a second name; reporting's role now also allows names under its one.
  const after = withCertificates(
    '        names: ["orders.example.internal", "orders-api.example.internal"]\n',
    '        names: ["reports.example.internal"]\n        allowSubdomains: true\n',
  );

  it("shows the names on the app's issue path", () => {
    expect(diffAccess(modelOf(before, "staging"), modelOf(after, "staging"))).toEqual([
      {
        policy: "app-orders",
        subject: "app orders",
        path: "pki/issue/orders",
        added: ["name orders-api.example.internal"],
        removed: [],
      },
      {
        policy: "app-reporting",
        subject: "app reporting",
        path: "pki/issue/reporting",
        added: ["name reports.example.internal and subdomains"],
        removed: ["name reports.example.internal"],
      },
    ]);
  });

  it("shows an app gaining certificates with the capability and every name", () => {
    const changes = diffAccess(modelOf(STAGING, "staging"), modelOf(before, "staging"));
    expect(changes.map(({ path: changed, added, removed }) => [changed, added, removed])).toEqual([
      ["pki/issue/orders", ["update", "name orders.example.internal"], []],
      ["pki/issue/reporting", ["update", "name reports.example.internal"], []],
    ]);
  });

  it("renders the PR comment with the names' changes (golden file)", () => {
    expectStagingComment("pr-comment-pki.md", { update: 2, same: 57 }, before, after);
  });
});
