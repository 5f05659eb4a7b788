/**
 * A file:// backend written by a process that was killed mid-write: the blob library writes a
 * checkpoint's sidecar metadata (<stack>.json.attrs) in place, so a kill can leave it empty and
 * every later command fails with "failed to load checkpoint: EOF". Before a stack is opened,
 * an unreadable sidecar is removed (the library treats a missing one as no metadata) and an
 * unreadable checkpoint is restored from the backup the backend keeps of the previous one.
 */
import * as fs from "fs";
import * as path from "path";

function readable(file: string): boolean {
  try {
    const text = fs.readFileSync(file, "utf8");
    JSON.parse(text);
    return text.trim().length > 0;
  } catch {
    return false;
  }
}

function filesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : [];
}

/** The directory a file:// backend URL names (without its query), or undefined for another. */
export function fileBackendDirectory(backendUrl: string): string | undefined {
  return backendUrl.startsWith("file://")
    ? backendUrl.slice("file://".length).split("?")[0]
    : undefined;
}

/**
 * A file:// backend as the commands open it: without the blob library's sidecar files
 * (`metadata=skip`), unless the URL says otherwise. The sidecar holds an MD5 of the checkpoint,
 * which the backend writes whole, with a backup copy of the one before, twice per resource:
 * hashing and copying it took 10 of the Pulumi CLI's 100 CPU-seconds in an up at 300 apps. Nothing
 * reads it, and it was the one file a killed write could leave truncated (see above).
 */
export function withoutSidecars(backendUrl: string): string {
  if (!backendUrl.startsWith("file://") || /[?&]metadata=/.test(backendUrl)) {
    return backendUrl;
  }
  return `${backendUrl}${backendUrl.includes("?") ? "&" : "?"}metadata=skip`;
}

/** Repairs one stack's checkpoint files; returns what it did, one line each. */
export function repairCheckpointFiles(
  backendUrl: string,
  project: string,
  stack: string,
): string[] {
  const directory = fileBackendDirectory(backendUrl);
  if (directory === undefined) {
    return [];
  }
  const root = path.join(directory, ".pulumi");
  const base = path.join(root, "stacks", project, stack);
  const done: string[] = [];
  const sidecars = [
    `${base}.json.attrs`,
    `${base}.json.bak.attrs`,
    path.join(root, "meta.yaml.attrs"),
    ...filesIn(path.join(root, "locks", "organization", project, stack)).filter((file) =>
      file.endsWith(".attrs"),
    ),
  ];
  for (const attrs of sidecars) {
    if (fs.existsSync(attrs) && !readable(attrs)) {
      fs.rmSync(attrs);
      done.push(`removed ${path.basename(attrs)}, left unreadable by an interrupted write`);
    }
  }
  const checkpoint = `${base}.json`;
  const backup = `${base}.json.bak`;
  if (fs.existsSync(checkpoint) && !readable(checkpoint) && readable(backup)) {
    fs.copyFileSync(backup, checkpoint);
    fs.rmSync(`${checkpoint}.attrs`, { force: true });
    done.push(
      `restored ${path.basename(checkpoint)} from its backup (the previous checkpoint): it was left unreadable by an interrupted write`,
    );
  }
  return done;
}
