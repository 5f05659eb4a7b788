import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import {
  fileBackendDirectory,
  removeCheckpointBackups,
  repairCheckpointFiles,
  withoutSidecars,
} from "../../cli/recovery/checkpoint-files";

function backend(): { url: string; base: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vp-checkpoint-"));
  const stacks = path.join(dir, ".pulumi", "stacks", "vault-platform");
  fs.mkdirSync(stacks, { recursive: true });
  return { url: `file://${dir}`, base: path.join(stacks, "pr-7") };
}

describe("checkpoint files a killed run left unreadable", () => {
  it("removes an empty sidecar and restores an empty checkpoint from its backup", () => {
    const { url, base } = backend();
    fs.writeFileSync(`${base}.json`, "");
    fs.writeFileSync(`${base}.json.attrs`, "");
    fs.writeFileSync(`${base}.json.bak`, '{"version":3,"checkpoint":{}}');
    fs.writeFileSync(`${base}.json.bak.attrs`, '{"user.cache_control":""}');
    expect(repairCheckpointFiles(url, "vault-platform", "pr-7")).toEqual([
      "removed pr-7.json.attrs, left unreadable by an interrupted write",
      "restored pr-7.json from its backup (the previous checkpoint): it was left unreadable by an interrupted write",
    ]);
    expect(fs.readFileSync(`${base}.json`, "utf8")).toBe('{"version":3,"checkpoint":{}}');
    expect(fs.existsSync(`${base}.json.attrs`)).toBe(false);
    expect(fs.existsSync(`${base}.json.bak.attrs`)).toBe(true);
  });

  it("restores a compressed checkpoint from its compressed backup", () => {
    const { url, base } = backend();
    const previous = zlib.zstdCompressSync('{"version":3,"checkpoint":{}}');
    fs.writeFileSync(`${base}.json.zst`, zlib.zstdCompressSync(""));
    fs.writeFileSync(`${base}.json.zst.bak`, previous);
    expect(repairCheckpointFiles(url, "vault-platform", "pr-7")).toEqual([
      "restored pr-7.json.zst from its backup (the previous checkpoint): it was left unreadable by an interrupted write",
    ]);
    expect(fs.readFileSync(`${base}.json.zst`)).toEqual(previous);
    // A readable one, compressed either way, is left alone.
    fs.writeFileSync(`${base}.json.gz`, zlib.gzipSync('{"version":3}'));
    expect(repairCheckpointFiles(url, "vault-platform", "pr-7")).toEqual([]);
  });

  it("leaves readable files, and other backends, alone", () => {
    const { url, base } = backend();
    fs.writeFileSync(`${base}.json`, '{"version":3}');
    fs.writeFileSync(`${base}.json.attrs`, "{}");
    expect(repairCheckpointFiles(url, "vault-platform", "pr-7")).toEqual([]);
    expect(repairCheckpointFiles("s3://bucket", "vault-platform", "pr-7")).toEqual([]);
    expect(repairCheckpointFiles(url, "vault-platform", "pr-8")).toEqual([]);
  });
});

describe("how the commands open a file:// backend", () => {
  it("without sidecar files, unless the URL says how", () => {
    expect(withoutSidecars("file:///state")).toBe("file:///state?metadata=skip");
    expect(withoutSidecars("file:///state?no_tmp_dir=false")).toBe(
      "file:///state?no_tmp_dir=false&metadata=skip",
    );
    expect(withoutSidecars("file:///state?metadata=skip")).toBe("file:///state?metadata=skip");
    expect(withoutSidecars("s3://bucket/state")).toBe("s3://bucket/state");
  });

  it("finds the directory and the files of a URL with a query", () => {
    expect(fileBackendDirectory("file:///state?metadata=skip")).toBe("/state");
    expect(fileBackendDirectory("s3://bucket")).toBeUndefined();
    const { url, base } = backend();
    fs.writeFileSync(`${base}.json`, "");
    fs.writeFileSync(`${base}.json.bak`, '{"version":3,"checkpoint":{}}');
    expect(repairCheckpointFiles(withoutSidecars(url), "vault-platform", "pr-7")).toHaveLength(1);
  });
});

describe("what a removed stack leaves in a file:// backend", () => {
  it("the backups of the checkpoint's other forms go too, other stacks' files stay", () => {
    const { url, base } = backend();
    fs.writeFileSync(`${base}.json.bak`, "{}");
    fs.writeFileSync(`${base}.json.zst.bak`, "");
    fs.writeFileSync(`${base}-other.json.bak`, "{}");
    expect(removeCheckpointBackups(withoutSidecars(url), "vault-platform", "pr-7")).toEqual([
      "pr-7.json.bak",
      "pr-7.json.zst.bak",
    ]);
    expect(fs.readdirSync(path.dirname(base))).toEqual(["pr-7-other.json.bak"]);
    expect(removeCheckpointBackups("s3://bucket", "vault-platform", "pr-7")).toEqual([]);
  });
});
