/**
 * Reporting config problems: every message names the key path, what was expected and the value
 * (or [secret]); all problems are collected and thrown together as one ConfigError.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigSource, NAMESPACE, SECRET_KEYS } from "./source";

export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid stack config:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Text that carries key material is never echoed, whatever key it was put under. */
const KEY_MATERIAL = /PRIVATE KEY|BEGIN PGP PRIVATE/;

function describeValue(value: unknown, secret: boolean): string {
  if (value === undefined) {
    return "nothing";
  }
  if (secret) {
    return "[secret]";
  }
  const text = JSON.stringify(value);
  if (KEY_MATERIAL.test(text)) {
    return "[key material]";
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function formatPath(key: string, path: readonly PropertyKey[]): string {
  let text = `${NAMESPACE}:${key}`;
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : `.${String(segment)}`;
  }
  return text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object",
};

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      // A schema's own message (e.g. "expected a duration like ...") says more than the type.
      return issue.message.startsWith("Invalid input")
        ? `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`
        : issue.message;
    case "invalid_key":
      return issue.issues[0]?.message ?? issue.message;
    case "invalid_value":
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default:
      return issue.message;
  }
}

export class Problems {
  readonly list: string[] = [];
  /** `storedSecret`: whether the source holds a key encrypted (its value is then never shown). */
  constructor(private readonly storedSecret: (key: string) => boolean = () => false) {}
  add(key: string, path: readonly PropertyKey[], message: string, value: unknown): void {
    const secret = SECRET_KEYS.has(key) || this.storedSecret(`${NAMESPACE}:${key}`);
    this.list.push(`${formatPath(key, path)}: ${message}; got ${describeValue(value, secret)}`);
  }
}

export function readJson(source: ConfigSource, key: string, problems: Problems): unknown {
  const raw = source.get(`${NAMESPACE}:${key}`);
  // Every key is declared in Pulumi.yaml with an empty default (Pulumi requires a value for a
  // declared key without one): empty means unset, so the profile decides. Object keys are
  // declared with the default {}, which is unset too.
  if (raw === undefined || raw === "" || raw === "{}") {
    return undefined;
  }
  try {
    return JSON.parse(raw);
  } catch {
    // Plain strings (pulumi config set key value) are not JSON; booleans and numbers are.
    if (key === "profile" || key === "protect" || key === "allowWeakerProfile") {
      return raw;
    }
    problems.add(key, [], "expected a structured value (set it with --path or as JSON)", raw);
    return undefined;
  }
}

export function parse<T>(
  schema: z.ZodType<T>,
  source: ConfigSource,
  key: string,
  problems: Problems,
): T | undefined {
  const raw = readJson(source, key, problems);
  if (raw === undefined) {
    return undefined;
  }
  const result = schema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  for (const issue of result.error.issues) {
    const value = valueAt(raw, issue.path);
    const shown =
      issue.code === "unrecognized_keys" && value && typeof value === "object"
        ? Object.keys(value)
        : value;
    problems.add(key, issue.path, describeIssue(issue), shown);
  }
  return undefined;
}

export function readSecretString(
  source: ConfigSource,
  key: string,
  problems: Problems,
): pulumi.Output<string> | undefined {
  const raw = source.get(`${NAMESPACE}:${key}`);
  if (raw === undefined || raw === "") {
    return undefined;
  }
  if (!source.isSecret(`${NAMESPACE}:${key}`)) {
    problems.add(
      key,
      [],
      "must be stored encrypted: set it with `pulumi config set --secret`",
      raw,
    );
    return undefined;
  }
  return pulumi.secret(raw);
}
