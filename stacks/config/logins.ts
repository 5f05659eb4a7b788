/**
 * How apps log in: each app's methods with their bindings, and the stack-level Kubernetes and
 * JWT auth mounts they need. Profiles that harden logins (staging, prod) refuse bindings that
 * let anyone in: a JWT role without bound audiences and claims, a wildcard subject, a
 * Kubernetes role bound to every service account or namespace.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ProfileName } from "../profiles";
import { jwtMountSchema, kubernetesMountSchema } from "./login-schemas";
import { Problems } from "./problems";
import { appSchema } from "./schemas";
import type { AppConfig, JwtMountConfig, KubernetesMountConfig } from "./types";

type AppInput = z.infer<typeof appSchema>;
type Logins = Pick<AppConfig, "auth" | "kubernetes" | "jwt">;

const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
const KUBERNETES_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** One app's login methods and bindings; a binding without its method (or the reverse) is refused. */
export function resolveAppLogins(app: AppInput, index: number, problems: Problems): Logins {
  const auth = app.auth ?? ["approle"];
  for (const method of ["kubernetes", "jwt"] as const) {
    if (auth.includes(method) && app[method] === undefined) {
      problems.add(
        "apps",
        [index, method],
        `apps[${index}].auth lists "${method}": expected its bindings (${method === "kubernetes" ? "serviceAccounts and namespaces" : "boundAudiences, boundClaims, userClaim"})`,
        undefined,
      );
    } else if (!auth.includes(method) && app[method] !== undefined) {
      problems.add(
        "apps",
        [index, method],
        `applies when apps[${index}].auth lists "${method}"`,
        app[method],
      );
    }
  }
  if (!auth.includes("approle")) {
    for (const field of ["boundCidrs", "issueSecretId"] as const) {
      if (app[field] !== undefined) {
        problems.add(
          "apps",
          [index, field],
          `applies when apps[${index}].auth lists "approle"`,
          app[field],
        );
      }
    }
  }
  return {
    auth,
    kubernetes: auth.includes("kubernetes") ? app.kubernetes : undefined,
    jwt:
      auth.includes("jwt") && app.jwt
        ? {
            boundAudiences: app.jwt.boundAudiences ?? [],
            boundClaims: app.jwt.boundClaims ?? {},
            userClaim: app.jwt.userClaim ?? "sub",
            boundSubject: app.jwt.boundSubject,
          }
        : undefined,
  };
}

/** Staging/prod: no login role that anyone can satisfy. */
export function checkLoginBindings(
  profile: ProfileName,
  apps: readonly Logins[],
  hardened: boolean,
  problems: Problems,
): void {
  if (!hardened) {
    return;
  }
  apps.forEach((app, index) => {
    const jwt = app.jwt;
    if (jwt && (jwt.boundAudiences.length === 0 || Object.keys(jwt.boundClaims).length === 0)) {
      problems.add(
        "apps",
        [index, "jwt"],
        `the ${profile} profile requires a JWT role bound to audiences and claims (e.g. repository, ref, environment)`,
        jwt,
      );
    }
    if (jwt?.boundSubject?.includes("*")) {
      problems.add(
        "apps",
        [index, "jwt", "boundSubject"],
        `the ${profile} profile refuses a wildcard subject`,
        jwt.boundSubject,
      );
    }
    for (const field of ["serviceAccounts", "namespaces"] as const) {
      if (app.kubernetes?.[field].includes("*")) {
        problems.add(
          "apps",
          [index, "kubernetes", field],
          `the ${profile} profile refuses "*": name the ${field === "serviceAccounts" ? "service accounts" : "namespaces"}`,
          app.kubernetes[field],
        );
      }
    }
  });
}

/** An auth mount is configured exactly when some app logs in with it. */
function mountNeeded(
  key: "kubernetes" | "jwt",
  raw: unknown,
  used: boolean,
  expected: string,
  problems: Problems,
): boolean {
  if (!used && raw !== undefined) {
    problems.add(key, [], `applies when an app's auth lists "${key}"`, raw);
  } else if (used && raw === undefined) {
    problems.add(
      key,
      [],
      `an app logs in with "${key}": expected the auth mount (${expected})`,
      undefined,
    );
  }
  return used && raw !== undefined;
}

/** The Kubernetes auth mount, where some app logs in with Kubernetes (and only then). */
export function resolveKubernetesMount(
  raw: z.infer<typeof kubernetesMountSchema> | undefined,
  stored: { readonly secret: boolean },
  used: boolean,
  problems: Problems,
): KubernetesMountConfig | undefined {
  if (
    !mountNeeded(
      "kubernetes",
      raw,
      used,
      "host, caCertificate, tokenReviewerJwt or useClientJwt",
      problems,
    ) ||
    !raw
  ) {
    return undefined;
  }
  const useClientJwt = raw.useClientJwt ?? false;
  if ((raw.tokenReviewerJwt !== undefined) === useClientJwt) {
    problems.add(
      "kubernetes",
      [],
      "expected exactly one of tokenReviewerJwt (set with --secret) or useClientJwt: true",
      raw,
    );
  }
  if (raw.tokenReviewerJwt !== undefined && !stored.secret) {
    problems.add(
      "kubernetes",
      ["tokenReviewerJwt"],
      "must be stored encrypted: set it with `pulumi config set --secret --path`",
      undefined,
    );
  }
  return {
    path: raw.path ?? "kubernetes",
    host: raw.host,
    caCertificate: raw.caCertificate,
    tokenReviewerJwt:
      raw.tokenReviewerJwt === undefined ? undefined : pulumi.secret(raw.tokenReviewerJwt),
    useClientJwt,
  };
}

/** The JWT auth mount: exactly one source of signing keys, presets filled in. */
export function resolveJwtMount(
  raw: z.infer<typeof jwtMountSchema> | undefined,
  used: boolean,
  problems: Problems,
): JwtMountConfig | undefined {
  if (
    !mountNeeded(
      "jwt",
      raw,
      used,
      "boundIssuer and jwksUrl, validationPublicKeys or oidcDiscoveryUrl, or a preset",
      problems,
    ) ||
    !raw
  ) {
    return undefined;
  }
  const github = raw.preset === "github-actions";
  const oidcDiscoveryUrl = raw.oidcDiscoveryUrl ?? (github ? GITHUB_ISSUER : undefined);
  const sources = [raw.jwksUrl, raw.validationPublicKeys, oidcDiscoveryUrl].filter(
    (source) => source !== undefined,
  );
  if (sources.length !== 1) {
    problems.add(
      "jwt",
      [],
      "expected exactly one of jwksUrl, validationPublicKeys or oidcDiscoveryUrl (the preset github-actions sets oidcDiscoveryUrl)",
      raw,
    );
  }
  return {
    path: raw.path ?? "jwt",
    boundIssuer:
      raw.boundIssuer ??
      (github ? GITHUB_ISSUER : raw.preset === "kubernetes" ? KUBERNETES_ISSUER : undefined),
    jwksUrl: raw.jwksUrl,
    // Vault stores PEM keys without the trailing newline: trimmed, a second up sees no change.
    validationPublicKeys: (raw.validationPublicKeys ?? []).map((key) => key.trim()),
    oidcDiscoveryUrl,
  };
}
