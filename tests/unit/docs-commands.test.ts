/**
 * The README and the pages in docs/ name only commands that exist: every `npm run <script>` (and
 * `npm test`, `npm ci`) in their code blocks and inline code is a script of package.json, and
 * every flag written after one of the project's own commands is one that command accepts (its
 * CommandSpec, the same table its --help prints). Every docs/ page is linked from the README and
 * opens with the question it answers; every relative link points to a file, and a heading, that
 * exists.
 */
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, FlagSpec } from "../../cli/commands/args";
import { DESTROY } from "../../cli/commands/destroy";
import { SUBCOMMANDS } from "../../cli/commands/env";
import { PREVIEW } from "../../cli/commands/preview";
import { RECOVER } from "../../cli/commands/recover";
import { UNSEAL_KEYS } from "../../cli/commands/unseal-keys";
import { BACKUP } from "../../cli/commands/backup";
import { RESTORE } from "../../cli/commands/restore";
import { UP } from "../../cli/commands/up";
import { VERIFY } from "../../cli/commands/verify";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPTS = Object.keys(
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts,
);

/** The npm scripts that are the project's own commands, with the flags each accepts. */
const COMMANDS: Readonly<Record<string, Readonly<Record<string, FlagSpec>>>> = Object.fromEntries(
  (
    [
      ["up", UP],
      ["preview", PREVIEW],
      ["destroy", DESTROY],
      ["recover", RECOVER],
      ["verify", VERIFY],
      ["unseal-keys", UNSEAL_KEYS],
      ["backup", BACKUP],
      ["restore", RESTORE],
    ] as [string, CommandSpec][]
  ).map(([script, spec]) => [script, spec.flags]),
);

/** The markdown a reader is sent to: the README, docs/, and every other README in the project. */
function markdownFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => path.join("docs", file));
  const readmes: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (
        entry.isDirectory() &&
        !/^(node_modules|\.git|\.pulumi-state|coverage)$/.test(entry.name)
      ) {
        walk(relative);
      } else if (entry.isFile() && entry.name === "README.md" && dir !== "") {
        readmes.push(relative);
      }
    }
  };
  walk("");
  return ["README.md", ...docs.sort(), ...readmes.sort()];
}

interface Snippet {
  readonly line: number;
  readonly code: string;
}

/** Splits markdown into its fenced code (line by line, `\` continuations joined) and the rest. */
function splitFences(markdown: string): { code: Snippet[]; prose: Snippet[] } {
  const code: Snippet[] = [];
  const prose: Snippet[] = [];
  let fence: string | undefined;
  let continued: Snippet | undefined;
  markdown.split("\n").forEach((text, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) {
      prose.push({ line: index + 1, code: text });
      return;
    }
    const joined = continued ? `${continued.code} ${text.trim()}` : text;
    const line = continued?.line ?? index + 1;
    if (joined.endsWith("\\")) {
      continued = { line, code: joined.slice(0, -1) };
    } else {
      continued = undefined;
      code.push({ line, code: joined });
    }
  });
  return { code, prose };
}

/** The prose in paragraphs (an inline code span may run over a line break). */
function paragraphs(markdown: string): Snippet[] {
  const result: Snippet[] = [];
  let previous = -1;
  for (const { line, code: text } of splitFences(markdown).prose) {
    const last = result[result.length - 1];
    if (text.trim() === "") {
      previous = -1;
    } else if (last && previous === line - 1) {
      result[result.length - 1] = { line: last.line, code: `${last.code}\n${text}` };
      previous = line;
    } else {
      result.push({ line, code: text });
      previous = line;
    }
  }
  return result;
}

/** The line of a position in a paragraph that starts at `line`. */
const lineAt = (paragraph: Snippet, index: number) =>
  paragraph.line + paragraph.code.slice(0, index).split("\n").length - 1;

/** Every piece of code a reader may copy: fenced lines, and inline code spans in the prose. */
function codeSnippets(markdown: string): Snippet[] {
  const inline = paragraphs(markdown).flatMap((paragraph) =>
    [...paragraph.code.matchAll(/`([^`]+)`/g)].map((match) => ({
      line: lineAt(paragraph, match.index),
      // A table cell writes a pipe inside code as \|.
      code: match[1].replace(/\n/g, " ").replace(/\\\|/g, "|"),
    })),
  );
  return [...splitFences(markdown).code, ...inline].sort((a, b) => a.line - b.line);
}

/**
 * The words of each npm invocation in a piece of shell, "npm" left out. A command ends where the
 * shell would end it (&&, ;, a pipe between spaces, a comment) or at a backtick (code quoted in a
 * YAML comment); `up|preview` without spaces is the docs' way of writing alternatives.
 */
function npmInvocations(code: string): string[][] {
  const invocations: string[][] = [];
  for (const segment of code.split(/&&|\|\||;|`|(?:^|\s)#|\s\|\s|\s&(?:\s|$)|\$\(|\)/)) {
    let current: string[] | undefined;
    for (const word of segment.trim().split(/\s+/)) {
      if (word === "npm") {
        current = [];
        invocations.push(current);
      } else {
        current?.push(word);
      }
    }
  }
  return invocations;
}

/** `<a|b>`, `[a]`, `a|b` → the alternatives a, b; a bare placeholder such as `<name>` → none. */
function alternatives(word: string): string[] {
  if (/^<[^|>]*>$/.test(word)) {
    return [];
  }
  return word.replace(/^[<[]|[>\]]$/g, "").split("|");
}

/** Problems with the flags written after a command, as its parser (util.parseArgs) reads them. */
function flagProblems(
  command: string,
  help: string,
  flags: Readonly<Record<string, FlagSpec>>,
  args: readonly string[],
): string[] {
  const problems: string[] = [];
  const shorts = Object.fromEntries(
    Object.entries(flags).flatMap(([name, spec]) => (spec.short ? [[spec.short, name]] : [])),
  );
  for (let i = 0; i < args.length; i++) {
    const word = args[i].replace(/^\[|\]$/g, "");
    const long = /^--([^=]+)(=.*)?$/.exec(word);
    const short = /^-([A-Za-z])$/.exec(word);
    const name = long ? long[1] : short ? shorts[short[1]] : undefined;
    if (word === "--help" || word === "-h") {
      continue;
    }
    if (!long && !short) {
      problems.push(`${command}: "${word}" is not a flag, and the command takes no arguments`);
      continue;
    }
    const spec = name === undefined ? undefined : flags[name];
    if (!spec) {
      problems.push(`${command}: no flag ${word} (see ${help})`);
      i += args[i + 1]?.startsWith("-") === false ? 1 : 0; // its value, if it has one
      continue;
    }
    const inlineValue = long?.[2] !== undefined;
    if (spec.type === "string" && !inlineValue) {
      const value = args[i + 1];
      if (value === undefined || /^\[?-/.test(value)) {
        problems.push(`${command}: ${word} needs a value`);
      } else {
        i++;
      }
    } else if (spec.type === "boolean" && inlineValue) {
      problems.push(`${command}: ${word} takes no value`);
    }
  }
  return problems;
}

/** Problems with one npm invocation (its words after "npm"); none when it names what exists. */
function invocationProblems(words: readonly string[]): string[] {
  const [verb, ...rest] = words;
  if (verb === "ci") {
    return fs.existsSync(path.join(ROOT, "package-lock.json"))
      ? []
      : ["npm ci: no package-lock.json"];
  }
  let afterScript: string[];
  let scriptWord: string | undefined;
  if (verb === "test" || verb === "t") {
    scriptWord = "test";
    afterScript = rest;
  } else if (verb === "run" || verb === "run-script") {
    // npm's own options (-s, --silent) go before the script.
    const at = rest.findIndex((word) => !word.startsWith("-"));
    // "npm run verify: outside-in checks" in a layout tree: the colon is the text's.
    scriptWord = at < 0 ? undefined : rest[at].replace(/[:,.]$/, "");
    afterScript = at < 0 ? [] : rest.slice(at + 1);
  } else {
    return []; // npm install, npx...: not the project's scripts
  }
  if (scriptWord === undefined) {
    // "every `npm run` uses it": npm run named, no script.
    return rest.length === 0 ? [] : [`npm ${words.join(" ")}: no script named`];
  }
  const problems: string[] = [];
  const scripts = alternatives(scriptWord);
  for (const script of scripts) {
    if (!SCRIPTS.includes(script)) {
      problems.push(`npm run ${script}: no script "${script}" in package.json`);
    }
  }
  if (afterScript.length > 0 && afterScript[0] !== "--" && afterScript[0].startsWith("-")) {
    problems.push(
      `npm run ${scriptWord} ${afterScript[0]}: npm takes this flag for itself; write "npm run ${scriptWord} -- ${afterScript[0]}"`,
    );
  }
  const args = afterScript[0] === "--" ? afterScript.slice(1) : [];
  for (const script of scripts) {
    const flags = COMMANDS[script];
    if (flags) {
      problems.push(
        ...flagProblems(`npm run ${script}`, `npm run ${script} -- --help`, flags, args),
      );
    } else if (script === "env" && args.length > 0 && !/^(-h|--help)$/.test(args[0])) {
      for (const sub of alternatives(args[0])) {
        const spec = SUBCOMMANDS[sub];
        if (!spec) {
          problems.push(
            `npm run env -- ${sub}: no such subcommand (${Object.keys(SUBCOMMANDS).join(", ")})`,
          );
        } else {
          problems.push(
            ...flagProblems(
              `npm run env -- ${sub}`,
              `npm run env -- ${sub} --help`,
              spec.flags,
              args.slice(1),
            ),
          );
        }
      }
    }
  }
  return problems;
}

/** Every npm command in a markdown text with its problems, each as "line N: problem". */
function commandProblems(markdown: string): { commands: number; problems: string[] } {
  let commands = 0;
  const problems = codeSnippets(markdown).flatMap(({ line, code }) =>
    npmInvocations(code).flatMap((words) => {
      commands++;
      return invocationProblems(words).map((problem) => `line ${line}: ${problem}`);
    }),
  );
  return { commands, problems };
}

/** GitHub's anchors of a markdown text's headings. */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { code: text } of splitFences(markdown).prose) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) {
      continue;
    }
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of a markdown text's links, code left out. */
function linkTargets(markdown: string): { line: number; target: string }[] {
  return paragraphs(markdown).flatMap((paragraph) => {
    // Code spans blanked out, not removed, so that positions keep their lines.
    const text = paragraph.code.replace(/`[^`]*`/g, (span) => span.replace(/[^\n]/g, " "));
    return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => ({
      line: lineAt(paragraph, match.index),
      target: match[1],
    }));
  });
}

/** Relative links of a markdown file that lead nowhere: no such file, or no such heading. */
function brokenLinks(file: string): string[] {
  const markdown = fs.readFileSync(path.join(ROOT, file), "utf8");
  return linkTargets(markdown).flatMap(({ line, target }) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      return []; // https:, mailto:
    }
    const [linked, anchor] = target.split("#");
    const resolved = linked === "" ? file : path.join(path.dirname(file), linked);
    if (!fs.existsSync(path.join(ROOT, resolved))) {
      return [`line ${line}: ${target}: no file ${resolved}`];
    }
    if (anchor && resolved.endsWith(".md")) {
      const anchors = headingAnchors(fs.readFileSync(path.join(ROOT, resolved), "utf8"));
      if (!anchors.has(anchor)) {
        return [`line ${line}: ${target}: no heading #${anchor} in ${resolved}`];
      }
    }
    return [];
  });
}

const FILES = markdownFiles();
const DOCS = FILES.filter((file) => file.startsWith(`docs${path.sep}`));
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("the docs test's reading of commands", () => {
  it.each([
    ["`npm run up -- --stack dev`", []],
    ["`npm run -s lint` and `npm test` and `npm ci`", []],
    ["```sh\nnpm ci && npm run up          # brings up dev -- --nothing\n```", []],
    ["`npm run up|preview|destroy` use a local backend", []],
    ["`npm run destroy -- --stack <name> [--remove]`", []],
    ["`npm run recover -- -s pr-7 --yes`", []],
    ["`npm run env -- <preview|up> --stack pr-<n> --policy`", []],
    [
      "```sh\nnpm run env -- preview --stack staging \\\n  --stack prod --base origin/main\n```",
      [],
    ],
    ["every `npm run` uses it; `npm run verify`: outside-in checks", []],
    ["a command over a line break: `npm run env --\nup --stack pr-7 --ttl 72h`", []],
    ["`npm run upp`", ['line 1: npm run upp: no script "upp" in package.json']],
    [
      "text\nover lines `npm run env --\nup --stack pr-7 --tll 72h`",
      ["line 2: npm run env -- up: no flag --tll (see npm run env -- up --help)"],
    ],
    [
      "\n```sh\nnpm run destroy -- --stack dev --purge\n```",
      ["line 3: npm run destroy: no flag --purge (see npm run destroy -- --help)"],
    ],
    [
      "`npm run up --stack dev`",
      ['line 1: npm run up --stack: npm takes this flag for itself; write "npm run up -- --stack"'],
    ],
    ["`npm run verify -- --stack`", ["line 1: npm run verify: --stack needs a value"]],
    [
      "`npm run destroy -- --remove yes`",
      ['line 1: npm run destroy: "yes" is not a flag, and the command takes no arguments'],
    ],
    [
      "`npm run env -- launch --stack pr-7`",
      ["line 1: npm run env -- launch: no such subcommand (preview, up, destroy, sweep, drift)"],
    ],
    [
      "`npm run env -- sweep --stack pr-7`",
      ["line 1: npm run env -- sweep: no flag --stack (see npm run env -- sweep --help)"],
    ],
  ])("%s", (markdown, expected) => {
    expect(commandProblems(markdown).problems).toEqual(expected);
  });
});

describe("README and docs/", () => {
  it("has pages in docs/, and reads the README's commands", () => {
    expect(DOCS.length).toBeGreaterThan(0);
    expect(commandProblems(read("README.md")).commands).toBeGreaterThan(5);
  });

  it.each(FILES)("%s names only scripts and flags that exist", (file) => {
    expect(commandProblems(read(file)).problems).toEqual([]);
  });

  it("the README names each of the project's commands", () => {
    const named = new Set(
      codeSnippets(read("README.md")).flatMap(({ code }) =>
        npmInvocations(code).flatMap(([verb, ...rest]) =>
          verb === "run" ? alternatives(rest.find((word) => !word.startsWith("-")) ?? "") : [],
        ),
      ),
    );
    expect([...Object.keys(COMMANDS), "env"].filter((script) => !named.has(script))).toEqual([]);
  });

  it("the README links every page in docs/", () => {
    const linked = new Set(
      linkTargets(read("README.md")).map(({ target }) => target.split("#")[0]),
    );
    expect(DOCS.filter((page) => !linked.has(page.split(path.sep).join("/")))).toEqual([]);
  });

  it.each(DOCS)("%s opens with the question it answers", (page) => {
    const [title, ...rest] = read(page).split("\n\n");
    expect(title).toMatch(/^# \S/);
    expect(rest[0]?.trim()).toMatch(/\?$/);
  });

  it.each(FILES)("%s links only to files and headings that exist", (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});
