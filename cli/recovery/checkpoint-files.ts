/**
 * A file:// backend written by a process that was killed mid-write: the blob library writes a
 * checkpoint's sidecar metadata (<stack>.json.attrs) in place, so a kill can leave it empty and
 * every later command fails with "failed to load checkpoint: EOF". Before a stack is opened,
 * an unreadable sidecar is removed (the library treats a missing one as no metadata) and an
 * unreadable checkpoint is restored from the backup the backend keeps of the previous one.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/**
 * The extensions a checkpoint of the file backend may have: plain JSON, or compressed (the
 * commands write zstd, see pulumiEnv in workspace.ts; PULUMI_DIY_BACKEND_GZIP asks for gzip).
 */
const CHECKPOINT_EXTENSIONS = [".json", ".json.zst", ".json.gz"];

function contents(file: string): string {
  const bytes = fs.readFileSync(file);
  // A backup (.bak) is in the form of the file it copies.
  const form = file.replace(/\.bak$/, "");
  if (form.endsWith(".zst")) {
    return zlib.zstdDecompressSync(bytes).toString("utf8");
  }
  return (form.endsWith(".gz") ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

function readable(file: string): boolean {
  try {
    const text = contents(file);
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

/** A stack's place in a file:// backend: the backend's .pulumi and the stack's files' base name. */
function stackFiles(
  backendUrl: string,
  project: string,
  stack: string,
): { root: string; base: string } | undefined {
  const directory = fileBackendDirectory(backendUrl);
  if (directory === undefined) {
    return undefined;
  }
  const root = path.join(directory, ".pulumi");
  return { root, base: path.join(root, "stacks", project, stack) };
}

/** Repairs one stack's checkpoint files; returns what it did, one line each. */
export function repairCheckpointFiles(
  backendUrl: string,
  project: string,
  stack: string,
): string[] {
  const files = stackFiles(backendUrl, project, stack);
  if (files === undefined) {
    return [];
  }
  const { root, base } = files;
  const done: string[] = [];
  const sidecars = [
    ...CHECKPOINT_EXTENSIONS.flatMap((ext) => [`${base}${ext}.attrs`, `${base}${ext}.bak.attrs`]),
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
  for (const checkpoint of CHECKPOINT_EXTENSIONS.map((ext) => `${base}${ext}`)) {
    const backup = `${checkpoint}.bak`;
    if (fs.existsSync(checkpoint) && !readable(checkpoint) && readable(backup)) {
      fs.copyFileSync(backup, checkpoint);
      fs.rmSync(`${checkpoint}.attrs`, { force: true });
      done.push(
        `restored ${path.basename(checkpoint)} from its backup (the previous checkpoint): it was left unreadable by an interrupted write`,
      );
    }
  }
  return done;
}

/**
 * The backups of a removed stack's checkpoint that `pulumi stack rm --remove-backups` leaves: it
 * takes the backup of the checkpoint's current form only, and a stack written uncompressed
 * before keeps its last plain `.json.bak`. Removes them; returns their names.
 */
export function removeCheckpointBackups(
  backendUrl: string,
  project: string,
  stack: string,
): string[] {
  const base = stackFiles(backendUrl, project, stack)?.base;
  if (base === undefined) {
    return [];
  }
  return CHECKPOINT_EXTENSIONS.flatMap((ext) => [`${base}${ext}.bak`, `${base}${ext}.bak.attrs`])
    .filter((file) => fs.existsSync(file))
    .map((file) => {
      fs.rmSync(file);
      return path.basename(file);
    });
}
