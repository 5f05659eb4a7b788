/**
 * Tier 2: the project's npm run commands as a user runs them, as child processes that a test can
 * kill whole (as a closed laptop or a cancelled CI job does) or act on at a point of their output.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { PROJECT_ROOT } from "../../cli/engine/workspace";

/** Every process below a pid (the engine starts its plugins in process groups of their own). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** What a closed laptop or a cancelled CI job does to a run: every one of its processes dies. */
export function killRun(pid: number): void {
  const all = [pid, ...descendants(pid)];
  for (const target of all) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

export interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Something done to the environment once a run's output matches `when`. */
export interface Trigger {
  readonly when: RegExp;
  readonly act: () => void;
}

export interface NpmRunOptions {
  readonly stack: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every run's output is appended here (the suites search it for secrets). */
  readonly outputs?: string[];
  /** The checkout to run in (default: this one). */
  readonly cwd?: string;
}

/**
 * `npm run <command> -- --stack S ...` as a user runs it; killed with SIGKILL once `killWhen`
 * matches (or, with `signal` SIGINT, interrupted as Ctrl-C in a terminal does: the run's process
 * group gets SIGINT once), or `trigger` acted on once its pattern matches.
 */
export function npmRun(
  options: NpmRunOptions,
  args: string[],
  killWhen?: RegExp,
  trigger?: Trigger,
  signal: "SIGKILL" | "SIGINT" = "SIGKILL",
): Promise<Run> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(
      "npm",
      ["run", "-s", ...args.slice(0, 1), "--", "--stack", options.stack, ...args.slice(1)],
      {
        cwd: options.cwd ?? PROJECT_ROOT,
        env: options.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    let killed = false;
    let acted = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (trigger && !acted && trigger.when.test(output)) {
        acted = true;
        trigger.act();
      }
      if (killWhen && !killed && killWhen.test(output)) {
        killed = true;
        if (signal === "SIGINT") {
          process.kill(-(child.pid as number), "SIGINT");
          return;
        }
        // The whole run: npm, the CLI, the engine, the language host and every provider plugin.
        killRun(child.pid as number);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      options.outputs?.push(output);
      resolve({ code, output });
    });
  });
}

/** A run's exit code, its lines that name an error, and the end of its output. */
export function describeRun(run: Run): string {
  const lines = run.output.split("\n");
  const errors = lines.filter((line) => /error/i.test(line)).slice(0, 20);
  return `exit ${run.code}:\n${[...errors, "...", ...lines.slice(-15)].join("\n")}`;
}

/** A run that must have succeeded: on failure, the end of its output says why. */
export function expectSucceeded(run: Run): void {
  if (run.code !== 0) {
    throw new Error(describeRun(run));
  }
}
