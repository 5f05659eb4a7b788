import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repairCheckpointFiles } from "../../cli/checkpoint-files";

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

  it("leaves readable files, and other backends, alone", () => {
    const { url, base } = backend();
    fs.writeFileSync(`${base}.json`, '{"version":3}');
    fs.writeFileSync(`${base}.json.attrs`, "{}");
    expect(repairCheckpointFiles(url, "vault-platform", "pr-7")).toEqual([]);
    expect(repairCheckpointFiles("s3://bucket", "vault-platform", "pr-7")).toEqual([]);
    expect(repairCheckpointFiles(url, "vault-platform", "pr-8")).toEqual([]);
  });
});
