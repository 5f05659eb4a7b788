/**
 * npm run bench [-- --quick | --large | --apps 10,100]
 *
 * Brings up pr-<n> environments with 10, 100 and 300 generated apps (1000 with --large; 10 only
 * with --quick) and times, as a user runs them: up, a no-op up, preview, verify and destroy. In
 * the same run, the floor: the same Vault calls and SQL sent directly. Prints a table and writes
 * bench/results.json and bench/results.svg. Never fails on a time; fails only when a command does.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { openStack, PROJECT_ROOT } from "../cli/engine/workspace";
import { BenchApp, benchApps, benchStack } from "./apps";
import { FloorTimes, measureFloor } from "./floor";
import { findTofu, measurePeer, PeerTimes } from "./peer";
import { renderPlot, Series } from "./plot";

const COMMANDS = ["up", "noop-up", "preview", "verify", "destroy"] as const;
type Command = (typeof COMMANDS)[number];

interface SizeResult {
  readonly apps: number;
  readonly resources?: number;
  readonly seconds: Record<Command, number>;
  /** Resources a no-op up changed (must be 0). */
  readonly noopChanges: number;
  readonly floor: FloorTimes;
  /** OpenTofu with the same providers and resources, where `tofu` is present. */
  readonly peer?: PeerTimes;
}

function sizesAsked(argv: readonly string[]): number[] {
  if (argv.includes("--quick")) {
    return [10];
  }
  const index = argv.indexOf("--apps");
  if (index >= 0) {
    return (argv[index + 1] ?? "")
      .split(",")
      .map(Number)
      .filter((n) => n > 0);
  }
  return argv.includes("--large") ? [10, 100, 300, 1000] : [10, 100, 300];
}

/** `npm run <command> -- --stack S ...` as a user runs it; its seconds and output. */
function npmRun(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; output: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "-s", ...args], { cwd: PROJECT_ROOT, env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) {
        resolve({ seconds, output });
      } else {
        reject(
          new Error(
            `npm run ${args.join(" ")} exited ${code}:\n${output.split("\n").slice(-20).join("\n")}`,
          ),
        );
      }
    });
  });
}

function changedCount(output: string): number {
  return [...output.matchAll(/(\d+) (created|updated|replaced|deleted)/g)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

async function measureProgram(
  apps: readonly BenchApp[],
  flavor: "vault" | "openbao",
  image: string,
): Promise<Omit<SizeResult, "floor">> {
  const stackName = benchStack(apps.length);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-platform-bench-"));
  // Its own state and passphrase per size, whatever the caller's environment names.
  const passphraseFile = path.join(stateDir, "passphrase");
  fs.writeFileSync(passphraseFile, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
  // (process.env too: openStack below reads it.)
  delete process.env.PULUMI_CONFIG_PASSPHRASE;
  process.env.PULUMI_BACKEND_URL = `file://${stateDir}`;
  process.env.PULUMI_CONFIG_PASSPHRASE_FILE = passphraseFile;
  const env = { ...process.env };
  // The apps as a user writes them: structured config in Pulumi.<stack>.yaml.
  fs.writeFileSync(
    path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`),
    YAML.stringify({
      config: {
        "vault-platform:server": { flavor, image },
        "vault-platform:apps": apps,
      },
    }),
  );
  await openStack({ stackName, backendUrl: `file://${stateDir}`, stateDir });
  const seconds = {} as Record<Command, number>;
  let noopChanges = 0;
  let resources: number | undefined;
  try {
    const stackArgs = ["--", "--stack", stackName];
    const up = await npmRun(["up", ...stackArgs], env);
    seconds.up = up.seconds;
    const noop = await npmRun(["up", ...stackArgs], env);
    seconds["noop-up"] = noop.seconds;
    noopChanges = changedCount(noop.output);
    const unchanged = /(\d+) unchanged/.exec(noop.output);
    resources = unchanged ? Number(unchanged[1]) : undefined;
    seconds.preview = (await npmRun(["preview", ...stackArgs], env)).seconds;
    seconds.verify = (await npmRun(["verify", ...stackArgs], env)).seconds;
    seconds.destroy = (await npmRun(["destroy", ...stackArgs, "--remove"], env)).seconds;
  } finally {
    if (seconds.destroy === undefined) {
      await npmRun(["destroy", "--", "--stack", stackName, "--remove"], env).catch(() => undefined);
    }
    fs.rmSync(path.join(PROJECT_ROOT, `Pulumi.${stackName}.yaml`), { force: true });
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return { apps: apps.length, resources, seconds, noopChanges };
}

function table(results: readonly SizeResult[]): string {
  const header = [
    "apps",
    "resources",
    ...COMMANDS,
    "floor up",
    "floor read",
    "floor destroy",
    "tofu apply",
    "tofu plan",
    "tofu destroy",
    "no-op changes",
  ];
  const rows = results.map((result) => [
    String(result.apps),
    String(result.resources ?? "?"),
    ...COMMANDS.map((command) => result.seconds[command].toFixed(1)),
    result.floor.up.toFixed(1),
    result.floor.read.toFixed(1),
    result.floor.destroy.toFixed(1),
    ...(["apply", "plan", "destroy"] as const).map((kind) => result.peer?.[kind].toFixed(1) ?? "-"),
    String(result.noopChanges),
  ]);
  return [header, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

/** The issue's targets as ratios to the peer: up/apply, no-op up and preview/plan, destroy. */
function ratios(results: readonly SizeResult[]): string {
  const rows = results
    .filter((result) => result.peer)
    .map((result) => {
      const peer = result.peer as PeerTimes;
      return [
        String(result.apps),
        (result.seconds.up / peer.apply).toFixed(2),
        (result.seconds["noop-up"] / peer.plan).toFixed(2),
        (result.seconds.preview / peer.plan).toFixed(2),
        (result.seconds.destroy / peer.destroy).toFixed(2),
      ];
    });
  if (rows.length === 0) {
    return "";
  }
  const header = ["apps", "up / apply", "no-op up / plan", "preview / plan", "destroy / destroy"];
  return `\n\n${[header, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n")}`;
}

async function main(): Promise<void> {
  const sizes = sizesAsked(process.argv.slice(2));
  const flavor = (process.env.BENCH_FLAVOR ?? "openbao") as "vault" | "openbao";
  const image =
    process.env.BENCH_IMAGE ??
    (flavor === "openbao" ? "openbao/openbao:2.6.2" : "hashicorp/vault:1.20.4");
  const tofu = findTofu();
  if (!tofu) {
    console.log("bench: the OpenTofu peer is NOT RUN (no tofu on PATH and no BENCH_TOFU)");
  }
  const results: SizeResult[] = [];
  for (const size of sizes) {
    const apps = benchApps(size);
    console.log(`bench: ${size} apps (${flavor})`);
    const program = await measureProgram(apps, flavor, image);
    const floor = await measureFloor(apps, flavor, image).catch((error: Error) => {
      console.log(`bench: the floor failed at ${size} apps: ${error.message}`);
      return { up: NaN, read: NaN, destroy: NaN };
    });
    let peer: PeerTimes | undefined;
    try {
      peer = tofu ? measurePeer(tofu, apps, flavor, image) : undefined;
    } catch (error) {
      console.log(`bench: the peer failed at ${size} apps: ${(error as Error).message}`);
    }
    results.push({ ...program, floor, peer });
    console.log(table(results.slice(-1)));
  }
  const machine = { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
  // A quick run (CI) writes beside the committed results, not over them.
  const base = path.join(__dirname, process.argv.includes("--quick") ? "results-quick" : "results");
  fs.writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ date: new Date().toISOString(), flavor, image, machine, peer: tofu ?? null, results }, null, 2)}\n`,
  );
  const series: Series[] = [
    ...COMMANDS.map((command) => ({
      label: command,
      points: results.map((result) => ({ apps: result.apps, seconds: result.seconds[command] })),
    })),
    ...(["up", "read", "destroy"] as const).map((kind) => ({
      label: `floor ${kind}`,
      points: results.map((result) => ({ apps: result.apps, seconds: result.floor[kind] })),
    })),
    ...(tofu
      ? (["apply", "plan", "destroy"] as const).map((kind) => ({
          label: `tofu ${kind}`,
          points: results.map((result) => ({
            apps: result.apps,
            seconds: result.peer?.[kind] ?? 0,
          })),
        }))
      : []),
  ];
  fs.writeFileSync(
    `${base}.svg`,
    renderPlot(series, `vault-platform bench (${flavor}, ${machine.cpus} cores)`),
  );
  const written = path.relative(PROJECT_ROOT, base);
  console.log(`\n${table(results)}${ratios(results)}\n\nwrote ${written}.json and ${written}.svg`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
