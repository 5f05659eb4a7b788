/**
 * Backups on disk (cli/backup/backup-files.ts), what a restore refuses before it changes
 * anything (restore-backup.ts), and when an up takes a snapshot first (before-risk.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { imageChangeRefusal, serverImageInState } from "../../cli/backup/before-risk";
import {
  BackupRecord,
  fileMismatch,
  pruneSnapshots,
  readRecord,
  recordPathOf,
  sha256Of,
  snapshotName,
  snapshotsOf,
  writeRecord,
} from "../../cli/backup/backup-files";
import { restoreRefusal } from "../../cli/backup/restore-backup";
import { keySetsInState, ServerTarget } from "../../cli/backup/server-target";
import { keysetFingerprint } from "../../infra/server-keys";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vp-backup-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function snapshot(stack: string, at: string, content = "raft data"): string {
  const file = path.join(dir, snapshotName(stack, new Date(at)));
  fs.writeFileSync(file, content, { mode: 0o600 });
  writeRecord(file, record(file, stack));
  return file;
}

function record(file: string, stack = "staging"): BackupRecord {
  return {
    stack,
    takenAt: "2026-12-03T18:00:00.000Z",
    flavor: "openbao",
    serverVersion: "2.6.2",
    bytes: fs.statSync(file).size,
    sha256: sha256Of(file),
    keyset: keysetFingerprint(["k1"]),
    reason: "npm run backup",
  };
}

describe("backup files", () => {
  it("names snapshots by stack and time so that they sort oldest first", () => {
    expect(snapshotName("pr-7", new Date("2026-12-03T18:26:00.123Z"))).toBe(
      "pr-7-20261203T182600123Z.snap",
    );
    expect(recordPathOf("/b/pr-7-20261203T182600123Z.snap")).toBe(
      "/b/pr-7-20261203T182600123Z.json",
    );
  });

  it("writes the record 0600 beside the snapshot and reads it back", () => {
    const file = snapshot("staging", "2026-12-03T18:00:00Z");
    expect(fs.statSync(recordPathOf(file)).mode & 0o777).toBe(0o600);
    expect(readRecord(file)).toEqual(record(file));
    expect(fileMismatch(file, record(file))).toBeUndefined();
  });

  it("says what is wrong with a snapshot that is not the one its record describes", () => {
    const file = snapshot("staging", "2026-12-03T18:00:00Z", "raft data, whole");
    const described = record(file);
    fs.truncateSync(file, 5);
    expect(fileMismatch(file, described)).toBe(
      `it has 5 bytes where its record says ${described.bytes} (truncated or changed)`,
    );
    fs.writeFileSync(file, "raft data, other");
    expect(fileMismatch(file, described)).toMatch(/^its sha256 is [0-9a-f]{16}…, its record says/);
    fs.rmSync(recordPathOf(file));
    expect(readRecord(file)).toMatch(/^no record beside it/);
    fs.writeFileSync(recordPathOf(file), "{not json");
    expect(readRecord(file)).toMatch(/is not JSON/);
    fs.writeFileSync(recordPathOf(file), JSON.stringify({ stack: "staging" }));
    expect(readRecord(file)).toMatch(/has no takenAt$/);
  });

  it("keeps the newest of a stack's snapshots and leaves other stacks' alone", () => {
    const times = ["2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"];
    const files = times.map((at) => snapshot("staging", at));
    const other = snapshot("prod", "2026-11-01T00:00:00Z");
    expect(pruneSnapshots(dir, "staging", 2)).toEqual([files[0]]);
    expect(snapshotsOf(dir, "staging")).toEqual(files.slice(1));
    expect(fs.existsSync(recordPathOf(files[0]))).toBe(false);
    expect(snapshotsOf(dir, "prod")).toEqual([other]);
  });
});

describe("what a restore refuses before it changes anything", () => {
  const keys = [
    { keyset: keysetFingerprint(["k2"]), unsealKeys: ["k2"], rootToken: "r2" },
    { keyset: keysetFingerprint(["k1"]), unsealKeys: ["k1"], rootToken: "r1" },
  ];
  const target: Pick<ServerTarget, "stack" | "mode" | "flavor" | "keySets" | "revokesRootToken"> = {
    stack: "staging",
    mode: "server",
    flavor: "openbao",
    keySets: keys,
    revokesRootToken: false,
  };
  const good: BackupRecord = {
    stack: "staging",
    takenAt: "2026-12-03T18:00:00.000Z",
    flavor: "openbao",
    serverVersion: "2.6.2",
    bytes: 10,
    sha256: "ab",
    keyset: keysetFingerprint(["k1"]),
    reason: "npm run backup",
  };

  it.each<[string, Partial<typeof target>, Partial<BackupRecord>, string | undefined, string]>([
    [
      "a dev server",
      { mode: "dev" },
      {},
      undefined,
      "stack staging runs a dev server: it keeps nothing to restore into (server.mode server does)",
    ],
    [
      "a cluster the program does not run",
      { mode: "external" },
      {},
      undefined,
      "stack staging configures a cluster it does not run: its operators restore it (operator raft snapshot restore)",
    ],
    [
      "a truncated file",
      {},
      {},
      "it has 5 bytes where its record says 10 (truncated or changed)",
      "the file is not the snapshot its record describes: it has 5 bytes where its record says 10 (truncated or changed)",
    ],
    [
      "another flavor",
      {},
      { flavor: "vault" },
      undefined,
      "the snapshot is of a vault server and stack staging runs openbao",
    ],
    [
      "a revoked root token",
      { revokesRootToken: true },
      {},
      undefined,
      "stack staging revokes its root token (server.revokeRootToken): restore with operator raft snapshot restore -force, then unseal with the keys of the snapshot",
    ],
    [
      "a snapshot of another server",
      {},
      { keyset: "0123456789abcdef" },
      undefined,
      `its data is sealed with unseal keys 0123456789abcdef, and stack staging holds ${keys[0].keyset}, ${keys[1].keyset}: a snapshot of another server, or of keys this stack no longer keeps`,
    ],
  ])("refuses %s", (_case, targetChange, recordChange, mismatch, message) => {
    expect(
      restoreRefusal({ ...target, ...targetChange }, { ...good, ...recordChange }, mismatch),
    ).toBe(message);
  });

  it("takes a snapshot sealed with an earlier key set the stack still holds", () => {
    expect(restoreRefusal(target, good, undefined)).toBeUndefined();
  });

  it("reads the key sets from the state's ServerInit, the current one first", () => {
    const deployment = {
      deployment: {
        resources: [
          {
            urn: "urn:pulumi:staging::vault-platform::x$pulumi-nodejs:vaultplatform:ServerInit::server-init",
            type: "pulumi-nodejs:vaultplatform:ServerInit",
            outputs: {
              unsealKeys: ["k2"],
              rootToken: "r2",
              keyset: keys[0].keyset,
              earlierKeys: [keys[1]],
            },
          },
        ],
      },
    };
    expect(keySetsInState(deployment)).toEqual(keys);
    expect(keySetsInState({ deployment: { resources: [] } })).toEqual([]);
  });
});

describe("when an up takes a snapshot first", () => {
  const state = (mode: string, image: string) => ({
    deployment: {
      resources: [
        { urn: "stack", type: "pulumi:pulumi:Stack", outputs: { serverMode: mode } },
        { urn: "server", type: "vaultplatform:index:VaultServer", custom: false },
        {
          urn: "container",
          type: "docker:index/container:Container",
          parent: "server",
          inputs: { image },
        },
      ],
    },
  });

  it("knows the image a server-mode server runs, and nothing of other modes", () => {
    expect(serverImageInState(state("server", "openbao/openbao:2.6.2"))).toBe(
      "openbao/openbao:2.6.2",
    );
    expect(serverImageInState(state("dev", "openbao/openbao:2.6.2"))).toBeUndefined();
    expect(serverImageInState({})).toBeUndefined();
  });
});

describe("what an up refuses when server.image changes", () => {
  it.each<[string, string, boolean, string | undefined]>([
    ["openbao/openbao:2.5.3", "openbao/openbao:2.6.2", false, undefined],
    ["hashicorp/vault:1.19.5", "hashicorp/vault:1.20.4", false, undefined],
    ["openbao/openbao:2.6.2", "openbao/openbao:2.6.2-custom", false, undefined],
    ["openbao/openbao:2.6.2", "registry.local/bao:latest-build", false, undefined],
    [
      "hashicorp/vault:1.20.4",
      "hashicorp/vault:1.19.5",
      false,
      "vault-platform:server.image: hashicorp/vault:1.19.5 is older than the running hashicorp/vault:1.20.4; an older server may not read what a newer one wrote: run npm run up -- --allow-downgrade if you mean it (a snapshot is taken first)",
    ],
    ["hashicorp/vault:1.20.4", "hashicorp/vault:1.19.5", true, undefined],
    [
      "openbao/openbao:2.6.2",
      "openbao/openbao:2.6.1",
      false,
      "vault-platform:server.image: openbao/openbao:2.6.1 is older than the running openbao/openbao:2.6.2; an older server may not read what a newer one wrote: run npm run up -- --allow-downgrade if you mean it (a snapshot is taken first)",
    ],
    [
      "openbao/openbao:1.9.0",
      "openbao/openbao:2.6.2",
      false,
      "vault-platform:server.image: openbao/openbao:2.6.2 is a major version away from the running openbao/openbao:1.9.0; upgrade within a major version, one step at a time, as the vendor's upgrade guide says",
    ],
  ])("%s -> %s (allow downgrade: %s)", (running, wanted, allow, refusal) => {
    expect(imageChangeRefusal(running, wanted, allow)).toBe(refusal);
  });
});
