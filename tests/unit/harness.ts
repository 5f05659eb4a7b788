/**
 * Mock harness: records every resource the program registers, with its type, name, inputs and
 * provider, so tests assert the exact contract. One mock scenario per test file.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig, type ConfigSource } from "../../stacks/config";
import { stackFileSource } from "../../stacks/stack-files";
import { mapNested } from "../../stacks/map-nested";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: Record<string, any>;
  readonly provider?: string;
  /** Top-level input names whose value arrived as a secret. */
  readonly secretInputs: readonly string[];
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** Removes the secret wrappers mocks receive, so tests compare plain values. */
function unwrapSecrets(value: unknown): unknown {
  return mapNested(value, (part) =>
    isSecretWrapper(part) ? unwrapSecrets(part.value) : undefined,
  );
}

function containsSecret(value: unknown): boolean {
  if (isSecretWrapper(value)) {
    return true;
  }
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(containsSecret);
  }
  return false;
}

export const recorded: RecordedResource[] = [];

export interface MockOptions {
  readonly project?: string;
  readonly stack: string;
  readonly preview?: boolean;
  /** Leave ids and computed outputs unknown, as in a preview of an empty stack. */
  readonly unknownOutputs?: boolean;
}

/** Computed outputs the providers would return. */
function computed(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { result: `mock-password-${name}` };
    case "vault:appRole/authBackendRole:AuthBackendRole":
      return { roleId: `role-id-${String(inputs.roleName)}` };
    case "pulumi-nodejs:dynamic/vaultplatform:ServerInit":
      return { rootToken: "mock-root-token", unsealKeys: ["k1", "k2", "k3"] };
    case "pulumi-nodejs:dynamic/vaultplatform:GeneratedCertificate":
      return {
        caCertPem: `mock-ca-pem-${name}`,
        certPem: `mock-cert-pem-${name}`,
        keyPem: `mock-key-pem-${name}`,
        notAfter: "2100-01-01T00:00:00.000Z",
      };
    case "pulumi-nodejs:dynamic/vaultplatform:ProvisionerToken":
      return { token: "mock-provisioner-token" };
    case "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId":
      return {
        wrappingToken: `wrapping-token-${String(inputs.roleName)}`,
        secretId: "mock-secret-id",
      };
    case "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest":
      return { csr: `mock-csr-${name}` };
    case "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert":
      return { certificate: `mock-root-certificate-${name}` };
    case "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate":
      return { certificate: `mock-signed-certificate-${name}` };
    default:
      return {};
  }
}

export async function useMocks(options: MockOptions): Promise<void> {
  recorded.length = 0;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: unwrapSecrets(args.inputs) as Record<string, unknown>,
          provider: args.provider,
          secretInputs: Object.keys(args.inputs).filter((key) => containsSecret(args.inputs[key])),
        });
        if (options.unknownOutputs) {
          return { id: undefined as unknown as string, state: {} };
        }
        return {
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            ...computed(
              args.type,
              args.name,
              unwrapSecrets(args.inputs) as Record<string, unknown>,
            ),
          },
        };
      },
      call(args) {
        return args.inputs;
      },
    },
    options.project ?? "vault-platform",
    options.stack,
    options.preview ?? false,
  );
}

/** Waits until every registration the program started has reached the mocks. */
export async function settle(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}

export function ofType(type: string): RecordedResource[] {
  return recorded.filter((resource) => resource.type === type);
}

export function named(name: string): RecordedResource {
  const found = recorded.find((resource) => resource.name === name);
  if (!found) {
    throw new Error(`no resource named ${name}; have ${recorded.map((r) => r.name).join(", ")}`);
  }
  return found;
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

const ROOT = path.resolve(__dirname, "../..");

/**
 * The config a stack would see: the committed Pulumi.yaml and Pulumi.<stack>.yaml (when there is
 * one), then the overrides. Secret overrides are marked secret.
 */
export function stackConfigSource(
  stack: string,
  overrides: Record<string, unknown> = {},
  secretOverrides: Record<string, unknown> = {},
): ConfigSource {
  const stackFile = path.join(ROOT, `Pulumi.${stack}.yaml`);
  const files = stackFileSource(
    fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
    fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : undefined,
  );
  const encode = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(overrides)) {
    values.set(`vault-platform:${key}`, encode(value));
  }
  const secrets = new Set<string>();
  for (const [key, value] of Object.entries(secretOverrides)) {
    values.set(`vault-platform:${key}`, encode(value));
    secrets.add(`vault-platform:${key}`);
  }
  return {
    get: (key) => (values.has(key) ? values.get(key) : files.get(key)),
    isSecret: (key) => secrets.has(key) || (!values.has(key) && files.isSecret(key)),
    keys: () => [...new Set([...values.keys(), ...(files.keys?.() ?? [])])],
  };
}

/** A one-line-per-resource view of the graph: readable in a snapshot and in a review. */
export function graphSummary(): string {
  return recorded
    .map((resource) => `${resource.type} ${resource.name}`)
    .sort()
    .join("\n");
}

/**
 * The problems loadConfig reports for a stack's committed files plus overrides (none: []); any
 * error other than a ConfigError is rethrown, so a crash never passes for a refusal.
 */
export function configProblems(
  stack: string,
  overrides: Record<string, unknown>,
  secrets: Record<string, unknown> = {},
): string[] {
  try {
    loadConfig(stackConfigSource(stack, overrides, secrets), "vault-platform", stack);
  } catch (error) {
    if (error instanceof ConfigError) {
      return [...error.problems];
    }
    throw error;
  }
  return [];
}
