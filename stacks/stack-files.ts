/**
 * A ConfigSource read from the project's YAML files, as Pulumi would merge them: the defaults
 * declared in Pulumi.yaml, then the values of Pulumi.<stack>.yaml. Used to evaluate config at
 * another git revision (the access diff) and by tests. Encrypted values cannot be decrypted
 * here: they read as "[encrypted]" and count as secret, which is all the access model needs.
 */
import { parse as parseYaml } from "yaml";
import { ConfigSource, ENCRYPTED_PLACEHOLDER as ENCRYPTED } from "./config";
import { mapNested } from "./map-nested";

function isSecure(value: unknown): value is { secure: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    "secure" in value &&
    Object.keys(value).length === 1
  );
}

function containsSecure(value: unknown): boolean {
  if (isSecure(value)) {
    return true;
  }
  return typeof value === "object" && value !== null && Object.values(value).some(containsSecure);
}

/** The value with every secure entry put back as the encrypted placeholder. */
function replaceSecure(value: unknown): unknown {
  return mapNested(value, (part) => (isSecure(part) ? ENCRYPTED : undefined));
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function stackFileSource(projectYaml: string, stackYaml?: string): ConfigSource {
  const values = new Map<string, string>();
  const secrets = new Set<string>();
  const project = parseYaml(projectYaml) as { config?: Record<string, { default?: unknown }> };
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    if (declaration.default !== undefined) {
      values.set(key, encode(declaration.default));
    }
  }
  const stack = stackYaml
    ? (parseYaml(stackYaml) as { config?: Record<string, unknown> } | null)
    : null;
  for (const [key, value] of Object.entries(stack?.config ?? {})) {
    values.set(key, encode(replaceSecure(value)));
    if (containsSecure(value)) {
      secrets.add(key);
    }
  }
  return {
    get: (key) => values.get(key),
    isSecret: (key) => secrets.has(key),
    keys: () => [...values.keys()],
  };
}
