/**
 * The program's own policy on a server it initializes, derived from the resolved config: exactly
 * the mounts and auth paths the stack configures (nested paths included), the sys paths that
 * manage them, and the token calls it makes on itself. Pure; golden-tested.
 */
import { PolicyRule, renderPolicyHcl } from "./acl-policy";

/** The one admin policy: the provisioner's (policy-pack rules exempt exactly this name). */
export const PROVISIONER_POLICY = "vault-platform-admin";

const CRUDL = ["create", "read", "update", "delete", "list"] as const;

export interface ProvisionedPaths {
  readonly kv: string;
  readonly database: string;
  readonly transit: string;
  /** Auth mounts the stack configures, e.g. ["approle"]. */
  readonly auth: readonly string[];
  /** The stack maps people's IdP groups to identity groups (config teams, people.admins). */
  readonly identityGroups?: boolean;
  /** PKI mounts of the stack's CA (root and issuing): generated keys, signing, roles, revocation. */
  readonly pki?: readonly string[];
}

/** Identity groups and their aliases, by name and by ID: what the People component writes. */
const IDENTITY_GROUP_RULES: readonly PolicyRule[] = [
  { path: "identity/group", capabilities: ["create", "update"] },
  { path: "identity/group/*", capabilities: [...CRUDL] },
  { path: "identity/group-alias", capabilities: ["create", "update"] },
  { path: "identity/group-alias/*", capabilities: [...CRUDL] },
  { path: "identity/lookup/group", capabilities: ["update"] },
];

export function provisionerRules(paths: ProvisionedPaths): PolicyRule[] {
  return [
    { path: "sys/mounts", capabilities: ["read", "list"] },
    { path: "sys/mounts/*", capabilities: [...CRUDL] },
    { path: "sys/auth", capabilities: ["read", "list"] },
    { path: "sys/auth/*", capabilities: [...CRUDL, "sudo"] },
    { path: "sys/policies/acl/*", capabilities: [...CRUDL] },
    { path: "sys/policy/*", capabilities: [...CRUDL] },
    { path: "sys/audit", capabilities: ["read", "list", "sudo"] },
    { path: "sys/audit/*", capabilities: ["create", "read", "update", "delete", "sudo"] },
    { path: `sys/leases/revoke-prefix/${paths.database}/*`, capabilities: ["update", "sudo"] },
    { path: "sys/leases/revoke", capabilities: ["update"] },
    { path: "auth/token/create", capabilities: ["create", "update"] },
    { path: "auth/token/lookup-self", capabilities: ["read"] },
    { path: "auth/token/renew-self", capabilities: ["update"] },
    // npm run backup: a raft snapshot (the servers the program runs always use raft).
    { path: "sys/storage/raft/snapshot", capabilities: ["read"] },
    ...paths.auth.map((mount) => ({ path: `auth/${mount}/*`, capabilities: [...CRUDL] })),
    { path: `${paths.kv}/config`, capabilities: ["create", "read", "update"] },
    { path: `${paths.kv}/data/*`, capabilities: [...CRUDL] },
    { path: `${paths.kv}/metadata/*`, capabilities: [...CRUDL] },
    { path: `${paths.database}/config/*`, capabilities: [...CRUDL] },
    { path: `${paths.database}/roles/*`, capabilities: [...CRUDL] },
    { path: `${paths.database}/rotate-root/*`, capabilities: ["update"] },
    { path: `${paths.transit}/keys/*`, capabilities: [...CRUDL] },
    ...(paths.identityGroups ? IDENTITY_GROUP_RULES : []),
    ...(paths.pki ?? []).map((mount) => ({ path: `${mount}/*`, capabilities: [...CRUDL] })),
  ];
}

export function renderProvisionerPolicy(paths: ProvisionedPaths): string {
  return renderPolicyHcl(
    provisionerRules(paths),
    "Managed by vault-platform: the token the program configures Vault with.",
  );
}
