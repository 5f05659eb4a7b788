/**
 * Certificates: the stack's CA (`pki`) and the names each app may issue certificates for
 * (`apps[].pki`). Schemas, defaults, the lifetimes each profile allows, and the rules across apps
 * (no name of one app reachable by another's role). The role is derived in infra/pki.ts, the
 * policy path and the access diff's names in infra/apps.ts.
 */
import { X509Certificate } from "crypto";
import { z } from "zod";
import { formatDuration, parseDuration } from "../../infra/duration";
import type { ProfileName } from "../profiles";
import { mountPath } from "./mount-path";
import type { Problems } from "./problems";
import { PKI_KEY_TYPES, appSchema, positiveDuration } from "./schemas";
import type { AppPkiConfig, PkiConfig } from "./types";

export const PKI_MODES = ["internal", "external"] as const;

export const pkiSchema = z.strictObject({
  mode: z.enum(PKI_MODES),
  path: mountPath.optional(),
  rootPath: mountPath.optional(),
  commonName: z.string().min(1, { error: "expected the CA's common name" }).max(64).optional(),
  keyType: z.enum(PKI_KEY_TYPES).optional(),
  rootTtl: positiveDuration.optional(),
  intermediateTtl: positiveDuration.optional(),
  leafMaxTtl: positiveDuration.optional(),
  allowWildcards: z.boolean({ error: "expected true or false" }).optional(),
  intermediateCertificate: z.string().min(1, { error: "expected PEM certificates" }).optional(),
});

/** The longest a leaf certificate may live, per profile: short where it matters. */
export const PKI_LEAF_MAX_TTL: Readonly<Record<ProfileName, string>> = {
  dev: "2160h",
  ephemeral: "2160h",
  staging: "720h",
  prod: "720h",
};
const DEFAULT_ROOT_TTL = "87600h";
const DEFAULT_INTERMEDIATE_TTL = "43800h";
const DEFAULT_LEAF_TTL = "72h";

type PkiInput = z.infer<typeof pkiSchema>;
type AppInput = z.infer<typeof appSchema>;

/** The apps' own certificate settings, with defaults (the TTL bound is checked with the CA). */
export function resolveAppPki(app: AppInput): AppPkiConfig | undefined {
  if (!app.pki) {
    return undefined;
  }
  return {
    names: app.pki.names,
    allowSubdomains: app.pki.allowSubdomains ?? false,
    allowIpSans: app.pki.allowIpSans ?? false,
    ttlSeconds: parseDuration(app.pki.ttl ?? DEFAULT_LEAF_TTL),
    keyType: app.pki.keyType ?? "ec",
  };
}

/** PEM blocks of certificates, each parsed; a message instead where one does not parse. */
function parseChain(pem: string): X509Certificate[] | string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) {
    return "expected PEM certificates (-----BEGIN CERTIFICATE-----)";
  }
  if (/PRIVATE KEY-----/.test(pem)) {
    return "expected certificates only; a private key never goes into config";
  }
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch (error) {
    return `expected PEM certificates that parse (${(error as Error).message})`;
  }
}

function checkExternalCertificate(pem: string, problems: Problems): void {
  const chain = parseChain(pem);
  if (typeof chain === "string") {
    problems.add("pki", ["intermediateCertificate"], chain, "(PEM)");
    return;
  }
  if (!chain[0].ca) {
    problems.add(
      "pki",
      ["intermediateCertificate"],
      "expected the signed intermediate first: a CA certificate (basicConstraints CA:TRUE)",
      chain[0].subject,
    );
  }
  chain.slice(1).forEach((issuer, index) => {
    // checkIssued compares names (and key identifiers where present), not the signature: a
    // look-alike issuer with the same name passes it.
    if (!chain[index].checkIssued(issuer) || !chain[index].verify(issuer.publicKey)) {
      problems.add(
        "pki",
        ["intermediateCertificate"],
        `expected each certificate followed by its issuer; "${issuer.subject}" did not issue "${chain[index].subject}"`,
        "(PEM)",
      );
    }
  });
  // What clients are told to trust (output pki.caCertificate) is the chain's last certificate.
  const last = chain[chain.length - 1];
  if (chain.length > 1 && !(last.checkIssued(last) && last.verify(last.publicKey))) {
    problems.add(
      "pki",
      ["intermediateCertificate"],
      `expected the chain to end at its root (self-signed), which clients trust; it ends at "${last.subject}"`,
      "(PEM)",
    );
  } else if (chain.length === 1) {
    problems.add(
      "pki",
      ["intermediateCertificate"],
      "expected the signed intermediate followed by its chain up to the root, which clients trust",
      "(PEM)",
    );
  }
}

/** The CA with its defaults, and the lifetime rules: root >= intermediate >= leaf, per profile. */
export function resolvePki(
  input: PkiInput | undefined,
  context: { readonly profile: ProfileName; readonly project: string; readonly stack: string },
  problems: Problems,
): PkiConfig | undefined {
  if (!input) {
    return undefined;
  }
  const { profile } = context;
  const bound = parseDuration(PKI_LEAF_MAX_TTL[profile]);
  const leafMaxTtlSeconds = parseDuration(input.leafMaxTtl ?? PKI_LEAF_MAX_TTL[profile]);
  if (leafMaxTtlSeconds > bound) {
    problems.add(
      "pki",
      ["leafMaxTtl"],
      `the ${profile} profile issues certificates for at most ${PKI_LEAF_MAX_TTL[profile]}`,
      input.leafMaxTtl,
    );
  }
  const rootTtlSeconds = parseDuration(input.rootTtl ?? DEFAULT_ROOT_TTL);
  const intermediateTtlSeconds = parseDuration(input.intermediateTtl ?? DEFAULT_INTERMEDIATE_TTL);
  if (intermediateTtlSeconds < leafMaxTtlSeconds) {
    problems.add(
      "pki",
      ["intermediateTtl"],
      `expected at least leafMaxTtl (${input.leafMaxTtl ?? PKI_LEAF_MAX_TTL[profile]}): a certificate cannot outlive its issuer`,
      input.intermediateTtl ?? DEFAULT_INTERMEDIATE_TTL,
    );
  }
  if (input.mode === "internal" && rootTtlSeconds < intermediateTtlSeconds) {
    problems.add(
      "pki",
      ["rootTtl"],
      `expected at least intermediateTtl (${input.intermediateTtl ?? DEFAULT_INTERMEDIATE_TTL})`,
      input.rootTtl ?? DEFAULT_ROOT_TTL,
    );
  }
  if (input.mode === "external") {
    for (const key of ["rootPath", "rootTtl"] as const) {
      if (input[key] !== undefined) {
        problems.add(
          "pki",
          [key],
          'applies to mode "internal" only; an external CA keeps its root',
          input[key],
        );
      }
    }
    if (input.intermediateCertificate !== undefined) {
      checkExternalCertificate(input.intermediateCertificate, problems);
    }
  } else if (input.intermediateCertificate !== undefined) {
    problems.add(
      "pki",
      ["intermediateCertificate"],
      'applies to mode "external" only; the internal root signs the intermediate',
      "(PEM)",
    );
  }
  return {
    mode: input.mode,
    path: input.path ?? "pki",
    rootPath: input.mode === "internal" ? (input.rootPath ?? "pki-root") : undefined,
    commonName: input.commonName ?? `${context.project} ${context.stack} CA`,
    keyType: input.keyType ?? "ec",
    rootTtlSeconds,
    intermediateTtlSeconds,
    leafMaxTtlSeconds,
    allowWildcards: input.allowWildcards ?? false,
    intermediateCertificate: input.intermediateCertificate,
  };
}

/** Whether a certificate for `name` is allowed by a role holding `allowed` (as Vault matches). */
export function nameCovers(allowed: string, subdomains: boolean, name: string): boolean {
  if (allowed === name) {
    return true;
  }
  const base = allowed.startsWith("*.") ? allowed.slice(2) : allowed;
  return (subdomains || allowed.startsWith("*.")) && name.endsWith(`.${base}`);
}

interface AppNames {
  readonly name: string;
  readonly pki?: AppPkiConfig;
}

/**
 * Apps' names against the CA: every app with names needs the CA, wildcards need
 * pki.allowWildcards, lifetimes stay within pki.leafMaxTtl, and no app's role reaches a name
 * another app declares.
 */
export function checkAppPki(
  apps: readonly AppNames[],
  pki: PkiConfig | undefined,
  problems: Problems,
): void {
  apps.forEach((app, index) => {
    if (!app.pki) {
      return;
    }
    if (!pki) {
      problems.add(
        "apps",
        [index, "pki"],
        "needs the stack's CA: set vault-platform:pki (mode internal or external)",
        app.pki.names,
      );
      return;
    }
    app.pki.names.forEach((name, i) => {
      if (name.startsWith("*.") && !pki.allowWildcards) {
        problems.add(
          "apps",
          [index, "pki", "names", i],
          "a wildcard name needs vault-platform:pki.allowWildcards: true",
          name,
        );
      }
    });
    if (app.pki.ttlSeconds > pki.leafMaxTtlSeconds) {
      problems.add(
        "apps",
        [index, "pki", "ttl"],
        `expected at most pki.leafMaxTtl (${formatDuration(pki.leafMaxTtlSeconds)})`,
        formatDuration(app.pki.ttlSeconds),
      );
    }
    apps.slice(0, index).forEach((other) => {
      for (const name of app.pki?.names ?? []) {
        for (const otherName of other.pki?.names ?? []) {
          const mine = nameCovers(name, app.pki?.allowSubdomains ?? false, otherName);
          const theirs = nameCovers(otherName, other.pki?.allowSubdomains ?? false, name);
          if (mine || theirs) {
            problems.add(
              "apps",
              [index, "pki", "names"],
              `"${name}" overlaps "${otherName}" of app "${other.name}"; expected names that no other app's role allows`,
              name,
            );
          }
        }
      }
    });
  });
}
