/** destroy --remove takes a generated stack file and keeps one that git tracks. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { removeGeneratedStackFile } from "../../cli/recovery/destroy";

describe("the stack file after destroy --remove", () => {
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "ignore" });
    git("init", "-q");
    fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), "config: {}\n");
    fs.writeFileSync(path.join(repo, ".gitignore"), "Pulumi.pr-*.yaml\n");
    git("add", "Pulumi.dev.yaml", ".gitignore");
    fs.writeFileSync(path.join(repo, "Pulumi.pr-7.yaml"), "config: {}\n");
    fs.writeFileSync(path.join(repo, "Pulumi.scratch.yaml"), "config: {}\n");
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it.each([
    ["dev", "kept", true],
    ["pr-7", "removed", false],
    ["scratch", "removed", false],
    ["pr-8", "absent", false],
  ])("%s: %s", (stack, outcome, left) => {
    expect(removeGeneratedStackFile(repo, stack)).toBe(outcome);
    expect(fs.existsSync(path.join(repo, `Pulumi.${stack}.yaml`))).toBe(left);
  });

  it("removes the file outside a git checkout", () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-plain-"));
    fs.writeFileSync(path.join(plain, "Pulumi.dev.yaml"), "config: {}\n");
    expect(removeGeneratedStackFile(plain, "dev")).toBe("removed");
    fs.rmSync(plain, { recursive: true, force: true });
  });
});
