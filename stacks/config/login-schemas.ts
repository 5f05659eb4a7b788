/**
 * Schemas of how apps log in beside AppRole: per app (apps[].auth, apps[].kubernetes,
 * apps[].jwt) and the stack-level auth mounts (kubernetes, jwt).
 */
import { z } from "zod";
import { authPath } from "./mount-path";

export const APP_LOGIN_METHODS = ["approle", "kubernetes", "jwt"] as const;
export const JWT_PRESETS = ["github-actions", "kubernetes"] as const;

/** A Kubernetes name (service account or namespace), or "*" (refused in staging/prod). */
const K8S_NAME = /^(\*|[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/;
const k8sNames = z
  .array(z.string().regex(K8S_NAME, { error: 'expected a Kubernetes name like "orders"' }))
  .min(1, { error: "expected at least one name" });

function isHttpUrl(text: string): boolean {
  try {
    const parsed = new URL(text);
    return /^https?:$/.test(parsed.protocol) && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}
/** PEM public keys a JWT login checks signatures with. */
export const pemPublicKeys = z
  .array(
    z.string().refine((pem) => pem.includes("-----BEGIN PUBLIC KEY-----"), {
      error: "expected a PEM public key (-----BEGIN PUBLIC KEY-----)",
    }),
  )
  .min(1, { error: "expected at least one key" });
export const url = z
  .string()
  .refine(isHttpUrl, { error: 'expected a URL like "https://host/path"' });

export const appLoginFields = {
  auth: z
    .array(z.enum(APP_LOGIN_METHODS))
    .min(1, { error: "expected at least one login method" })
    .refine((methods) => new Set(methods).size === methods.length, {
      error: "expected each login method at most once",
    })
    .optional(),
  kubernetes: z
    .strictObject({
      serviceAccounts: k8sNames,
      namespaces: k8sNames,
      audience: z.string().min(1, { error: "expected an audience" }).optional(),
    })
    .optional(),
  jwt: z
    .strictObject({
      boundAudiences: z.array(z.string().min(1, { error: "expected an audience" })).optional(),
      boundClaims: z
        .record(
          z.string().min(1),
          z.union([z.string(), z.array(z.string())], { error: "expected a string or a list" }),
        )
        .optional(),
      userClaim: z.string().min(1, { error: "expected a claim name" }).optional(),
      boundSubject: z.string().min(1, { error: "expected a subject" }).optional(),
    })
    .optional(),
};

export const kubernetesMountSchema = z.strictObject({
  path: authPath.optional(),
  host: url,
  caCertificate: z.string().optional(),
  tokenReviewerJwt: z.string().min(1, { error: "expected a service account token" }).optional(),
  useClientJwt: z.boolean({ error: "expected true or false" }).optional(),
});

export const jwtMountSchema = z.strictObject({
  path: authPath.optional(),
  preset: z.enum(JWT_PRESETS).optional(),
  boundIssuer: z.string().min(1, { error: "expected an issuer" }).optional(),
  jwksUrl: url.optional(),
  validationPublicKeys: pemPublicKeys.optional(),
  oidcDiscoveryUrl: url.optional(),
});
