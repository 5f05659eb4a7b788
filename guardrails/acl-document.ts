/**
 * Reads the text of a Vault ACL policy (HCL, or its JSON form) into path rules, so policies can
 * check what a policy grants. Pure functions. Anything it cannot read is an error, never an empty
 * result: a policy check that skips what it does not understand would pass a policy unread.
 */

export interface AclPathRule {
  readonly path: string;
  readonly capabilities: readonly string[];
}

export class AclParseError extends Error {}

type HclValue = string | HclValue[] | { [key: string]: HclValue };

interface Token {
  readonly kind: "string" | "word" | "punctuation";
  readonly text: string;
  readonly line: number;
}

/**
 * Vault still accepts the pre-0.9 `policy = "<level>"` shorthand; it expands to capabilities, and
 * "sudo" among them, so it is read like a capabilities list.
 */
const LEGACY_POLICY_CAPABILITIES: Readonly<Record<string, readonly string[]>> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r" };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === "\n") {
      line += 1;
      index += 1;
    } else if (/\s/.test(char)) {
      index += 1;
    } else if (char === "#" || text.startsWith("//", index)) {
      while (index < text.length && text[index] !== "\n") {
        index += 1;
      }
    } else if (text.startsWith("/*", index)) {
      const end = text.indexOf("*/", index + 2);
      if (end < 0) {
        throw new AclParseError(`line ${line}: unterminated /* comment`);
      }
      line += (text.slice(index, end).match(/\n/g) ?? []).length;
      index = end + 2;
    } else if (char === '"') {
      const start = line;
      let value = "";
      index += 1;
      while (text[index] !== '"') {
        if (index >= text.length || text[index] === "\n") {
          throw new AclParseError(`line ${start}: unterminated string`);
        }
        if (text[index] === "\\") {
          const escaped = text[index + 1] ?? "";
          value += ESCAPES[escaped] ?? escaped;
          index += 2;
        } else {
          value += text[index];
          index += 1;
        }
      }
      index += 1;
      tokens.push({ kind: "string", text: value, line: start });
    } else if ("{}[]=,:".includes(char)) {
      tokens.push({ kind: "punctuation", text: char, line });
      index += 1;
    } else {
      const word = /^[A-Za-z0-9_.-]+/.exec(text.slice(index));
      if (!word) {
        throw new AclParseError(`line ${line}: unexpected character ${JSON.stringify(char)}`);
      }
      tokens.push({ kind: "word", text: word[0], line });
      index += word[0].length;
    }
  }
  return tokens;
}

function describeToken(token: Token | undefined): string {
  if (token === undefined) {
    return "end of text";
  }
  return token.kind === "string" ? `string ${JSON.stringify(token.text)}` : `"${token.text}"`;
}

class HclParser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  rules(): AclPathRule[] {
    const rules: AclPathRule[] = [];
    while (this.position < this.tokens.length) {
      const keyword = this.next("a path block");
      if (keyword.kind !== "word" || keyword.text !== "path") {
        throw this.unexpected(keyword, "a path block");
      }
      const path = this.next("the quoted path after path");
      if (path.kind !== "string") {
        throw this.unexpected(path, "the quoted path after path");
      }
      this.skip("=");
      const body = this.object();
      rules.push({ path: path.text, capabilities: capabilitiesOf(path.text, body) });
    }
    return rules;
  }

  private value(): HclValue {
    const token = this.peek();
    if (token?.kind === "string" || token?.kind === "word") {
      this.position += 1;
      return token.text;
    }
    if (token?.text === "[") {
      return this.list();
    }
    if (token?.text === "{") {
      return this.object();
    }
    throw this.unexpected(token, "a value");
  }

  private list(): HclValue[] {
    this.expect("[");
    const items: HclValue[] = [];
    while (!this.skip("]")) {
      items.push(this.value());
      if (!this.skip(",") && this.peek()?.text !== "]") {
        throw this.unexpected(this.peek(), '"," or "]"');
      }
    }
    return items;
  }

  private object(): { [key: string]: HclValue } {
    this.expect("{");
    const entries: { [key: string]: HclValue } = {};
    while (!this.skip("}")) {
      const key = this.next('an attribute name or "}"');
      if (key.kind === "punctuation") {
        throw this.unexpected(key, 'an attribute name or "}"');
      }
      // Nested blocks (`allowed_parameters { ... }`) have no "=" before their body.
      if (this.peek()?.text !== "{" && !this.skip("=") && !this.skip(":")) {
        throw this.unexpected(this.peek(), `"=" after ${key.text}`);
      }
      entries[key.text] = this.value();
      this.skip(",");
    }
    return entries;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(expected: string): Token {
    const token = this.peek();
    if (token === undefined) {
      throw this.unexpected(token, expected);
    }
    this.position += 1;
    return token;
  }

  private skip(punctuation: string): boolean {
    const token = this.peek();
    if (token?.kind === "punctuation" && token.text === punctuation) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private expect(punctuation: string): void {
    if (!this.skip(punctuation)) {
      throw this.unexpected(this.peek(), `"${punctuation}"`);
    }
  }

  private unexpected(token: Token | undefined, expected: string): AclParseError {
    const line = token?.line ?? this.tokens[this.tokens.length - 1]?.line ?? 1;
    return new AclParseError(
      `line ${line}: unexpected ${describeToken(token)}; expected ${expected}`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function capabilitiesOf(path: string, body: unknown): string[] {
  if (!isObject(body)) {
    throw new AclParseError(`path "${path}": expected a block of attributes`);
  }
  const capabilities: string[] = [];
  if (body.capabilities !== undefined) {
    const list = body.capabilities;
    if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
      throw new AclParseError(`path "${path}": capabilities is not a list of strings`);
    }
    capabilities.push(...(list as string[]));
  }
  if (body.policy !== undefined) {
    const legacy =
      typeof body.policy === "string" ? LEGACY_POLICY_CAPABILITIES[body.policy] : undefined;
    if (legacy === undefined) {
      throw new AclParseError(
        `path "${path}": policy is ${JSON.stringify(body.policy)}; expected one of "deny", "read", "write", "sudo"`,
      );
    }
    capabilities.push(...legacy);
  }
  return capabilities;
}

/** Vault also takes a policy as JSON: {"path": {"<path>": {"capabilities": [...]}}}. */
function parseJsonPolicy(text: string): AclPathRule[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new AclParseError(`invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(document) || !isObject(document.path ?? {})) {
    throw new AclParseError('expected a JSON object with a "path" object');
  }
  return Object.entries((document.path ?? {}) as Record<string, unknown>).map(([path, body]) => ({
    path,
    capabilities: capabilitiesOf(path, body),
  }));
}

/** The path rules of a policy, in the order written; throws AclParseError on unreadable text. */
export function parseAclPolicy(text: string): AclPathRule[] {
  return text.trimStart().startsWith("{")
    ? parseJsonPolicy(text)
    : new HclParser(tokenize(text)).rules();
}
