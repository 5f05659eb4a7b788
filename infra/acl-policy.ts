/**
 * A typed model of Vault ACL policies and its HCL renderer. Pure functions, no resources: the
 * Platform turns each app's declared access into rules here, and the rendered text is what a
 * reviewer sees in a preview. Output is deterministic (paths sorted, capabilities in a fixed
 * order, duplicates merged) so an unchanged model never shows a diff.
 */

export const CAPABILITIES = [
  "create",
  "read",
  "update",
  "patch",
  "delete",
  "list",
  "sudo",
  "deny",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PolicyRule {
  /** Vault API path, without the leading "v1/"; may end in "*" or contain "+". */
  readonly path: string;
  readonly capabilities: readonly Capability[];
}

/** What one app may touch; mount paths are already resolved. */
export interface AppAccess {
  readonly name: string;
  readonly kv: {
    readonly mount: string;
    readonly read: readonly string[];
    readonly write: readonly string[];
  };
  /** Database secrets engine mount and the Vault role the app reads credentials from. */
  readonly database?: { readonly mount: string; readonly role: string };
  readonly transit: { readonly mount: string; readonly keys: readonly string[] };
  /** The issuing CA's mount and the app's role there (its own names only). */
  readonly pki?: { readonly mount: string; readonly role: string };
}

const CAPABILITY_ORDER = new Map(CAPABILITIES.map((capability, index) => [capability, index]));

/** Merges rules with the same path (union of capabilities) and sorts paths and capabilities. */
export function normalizeRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const byPath = new Map<string, Set<Capability>>();
  for (const rule of rules) {
    if (rule.capabilities.length === 0) {
      throw new Error(`policy rule for path "${rule.path}" has no capabilities`);
    }
    const merged = byPath.get(rule.path) ?? new Set<Capability>();
    rule.capabilities.forEach((capability) => merged.add(capability));
    byPath.set(rule.path, merged);
  }
  return [...byPath.keys()].sort().map((path) => ({
    path,
    capabilities: [...(byPath.get(path) ?? [])].sort(
      (a, b) => (CAPABILITY_ORDER.get(a) ?? 0) - (CAPABILITY_ORDER.get(b) ?? 0),
    ),
  }));
}

/** Renders rules as Vault policy HCL. */
export function renderPolicyHcl(rules: readonly PolicyRule[], comment?: string): string {
  const lines: string[] = [];
  if (comment) {
    lines.push(`# ${comment}`, "");
  }
  for (const rule of normalizeRules(rules)) {
    const capabilities = rule.capabilities.map((capability) => JSON.stringify(capability));
    lines.push(`path ${JSON.stringify(rule.path)} {`);
    lines.push(`  capabilities = [${capabilities.join(", ")}]`);
    lines.push("}", "");
  }
  return lines.join("\n");
}

/**
 * Tokens of an app are issued without Vault's "default" policy (token_no_default_policy), so the
 * few self-service paths an app legitimately needs are granted here, explicitly and visibly.
 */
export const TOKEN_SELF_SERVICE_RULES: readonly PolicyRule[] = [
  { path: "auth/token/lookup-self", capabilities: ["read"] },
  { path: "auth/token/renew-self", capabilities: ["update"] },
  { path: "auth/token/revoke-self", capabilities: ["update"] },
  { path: "sys/capabilities-self", capabilities: ["update"] },
  { path: "sys/leases/renew", capabilities: ["update"] },
];

function joinPath(...parts: string[]): string {
  return parts
    .map((part) => part.replace(/^\/+|\/+$/g, ""))
    .filter((part) => part.length > 0)
    .join("/");
}

/** KV v2 splits one logical path into data/ (values) and metadata/ (versions, listing). */
export function kvRules(
  mount: string,
  read: readonly string[],
  write: readonly string[],
): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const path of read) {
    rules.push({ path: joinPath(mount, "data", path), capabilities: ["read"] });
    rules.push({ path: joinPath(mount, "metadata", path), capabilities: ["read", "list"] });
  }
  for (const path of write) {
    rules.push({
      path: joinPath(mount, "data", path),
      capabilities: ["create", "read", "update", "patch", "delete"],
    });
    rules.push({ path: joinPath(mount, "metadata", path), capabilities: ["read", "list"] });
    rules.push({ path: joinPath(mount, "delete", path), capabilities: ["update"] });
    rules.push({ path: joinPath(mount, "undelete", path), capabilities: ["update"] });
  }
  return rules;
}

export function databaseRules(mount: string, role: string): PolicyRule[] {
  return [{ path: joinPath(mount, "creds", role), capabilities: ["read"] }];
}

export function transitRules(mount: string, keys: readonly string[]): PolicyRule[] {
  return keys.flatMap((key) => [
    { path: joinPath(mount, "encrypt", key), capabilities: ["update"] as Capability[] },
    { path: joinPath(mount, "decrypt", key), capabilities: ["update"] as Capability[] },
  ]);
}

/** Issue certificates through one role: the names it allows are the role's, not the policy's. */
export function pkiRules(mount: string, role: string): PolicyRule[] {
  return [{ path: joinPath(mount, "issue", role), capabilities: ["update"] }];
}

/** Everything an app's token may do, derived from what the app declares. */
export function appPolicyRules(app: AppAccess): PolicyRule[] {
  return normalizeRules([
    ...TOKEN_SELF_SERVICE_RULES,
    ...kvRules(app.kv.mount, app.kv.read, app.kv.write),
    ...(app.database ? databaseRules(app.database.mount, app.database.role) : []),
    ...transitRules(app.transit.mount, app.transit.keys),
    ...(app.pki ? pkiRules(app.pki.mount, app.pki.role) : []),
  ]);
}

export function renderAppPolicy(app: AppAccess): string {
  return renderPolicyHcl(
    appPolicyRules(app),
    `Managed by vault-platform: access of app "${app.name}". Edit the stack config, not this text.`,
  );
}

/** What a team may do with the apps it owns: read their secrets, or operate them too. */
export interface TeamAccessSpec {
  readonly name: string;
  readonly access: "read" | "operate";
  /** The access of each app the team owns, as the apps' own policies derive it. */
  readonly apps: readonly AppAccess[];
}

/**
 * A team's rules, from the same declarations as its apps' policies: `read` reads and lists the
 * apps' KV paths (values and metadata); `operate` also writes them, reads the apps' database
 * credentials, uses their transit keys and issues their certificates. People keep Vault's `default` policy for their own
 * token, so no self-service rule is repeated here.
 */
export function teamPolicyRules(team: TeamAccessSpec): PolicyRule[] {
  return normalizeRules(
    team.apps.flatMap((app) => {
      const paths = [...app.kv.read, ...app.kv.write];
      if (team.access === "read") {
        return kvRules(app.kv.mount, paths, []);
      }
      return [
        ...kvRules(app.kv.mount, [], paths),
        ...(app.database ? databaseRules(app.database.mount, app.database.role) : []),
        ...transitRules(app.transit.mount, app.transit.keys),
        ...(app.pki ? pkiRules(app.pki.mount, app.pki.role) : []),
      ];
    }),
  );
}

export function renderTeamPolicy(team: TeamAccessSpec): string {
  return renderPolicyHcl(
    teamPolicyRules(team),
    `Managed by vault-platform: ${team.access} access of team "${team.name}" to apps ${team.apps.map((app) => app.name).join(", ")}. Edit the stack config, not this text.`,
  );
}
