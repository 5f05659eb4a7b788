/**
 * No module of the project imports one that imports it back, directly or through others: a
 * circle is two files that are really one, or a missing third (the shared types).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");
const SOURCE_DIRS = ["cli", "infra", "stacks", "guardrails", "bench", "tests", "examples"];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" ? [] : sourceFiles(full);
    }
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) {
    return undefined;
  }
  const base = path.resolve(path.dirname(from), specifier);
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find(
    (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
  );
}

/** Every project module and the project modules it imports (type-only imports included). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => [
      file,
      ts
        .preProcessFile(fs.readFileSync(file, "utf8"), true, true)
        .importedFiles.map((imported) => resolveLocal(file, imported.fileName))
        .filter((target): target is string => target !== undefined && files.includes(target)),
    ]),
  );
}

/** The strongly connected components with more than one module, or a module importing itself. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
        cycles.push(component.sort());
      }
    }
  };
  [...graph.keys()].sort().forEach((node) => index.has(node) || visit(node));
  return cycles;
}

describe("import cycles", () => {
  it("finds a circle of three and ignores a diamond", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["e", "f"]],
      ["e", ["g"]],
      ["f", ["g"]],
      ["g", []],
    ]);
    expect(importCycles(graph)).toEqual([["a", "b", "c"]]);
  });

  it("no module of the project imports itself back", () => {
    const files = [
      ...SOURCE_DIRS.filter((dir) => fs.existsSync(path.join(ROOT, dir))).flatMap((dir) =>
        sourceFiles(path.join(ROOT, dir)),
      ),
      path.join(ROOT, "index.ts"),
    ];
    expect(files.length).toBeGreaterThan(100);
    const cycles = importCycles(importGraph(files)).map((cycle) =>
      cycle.map((file) => path.relative(ROOT, file)),
    );
    expect(cycles).toEqual([]);
  });

  it("keeps cli/ to folders by concern, with at most three modules at its top", () => {
    const top = fs.readdirSync(path.join(ROOT, "cli")).filter((name) => name.endsWith(".ts"));
    expect(top.length).toBeLessThanOrEqual(3);
  });
});
