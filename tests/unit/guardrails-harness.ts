/**
 * Runs the policy pack's policies the way the engine does (validateResource per resource,
 * validateStack once), without the engine: argument bags built from plain resources or from what
 * the program registered under mocks.
 */
import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { VAULT_PLATFORM_POLICIES } from "../../guardrails/policies";
import type { RecordedResource } from "./harness";

export interface ResourceUnderTest {
  readonly type: string;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly props: Record<string, any>;
  /** The protect option; mocks never see options, so recorded resources leave it unset. */
  readonly protect?: boolean;
}

/** Policy name -> its config properties, as a policy config file would set them. */
export type PackConfig = Readonly<Record<string, object>>;

function optionsOf(resource: ResourceUnderTest): PolicyResourceOptions {
  return {
    protect: resource.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

function urnOf(resource: ResourceUnderTest): string {
  return `urn:pulumi:test::vault-platform::${resource.type}::${resource.name}`;
}

function notApplicable(reason?: string): never {
  throw new Error(`a policy declared itself not applicable: ${reason ?? "(no reason)"}`);
}

export function validationArgs(
  resource: ResourceUnderTest,
  config: object = {},
): ResourceValidationArgs {
  return {
    type: resource.type,
    name: resource.name,
    props: resource.props,
    urn: urnOf(resource),
    opts: optionsOf(resource),
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

export function stackValidationArgs(
  resources: readonly ResourceUnderTest[],
  config: object = {},
): StackValidationArgs {
  const policyResources: PolicyResource[] = resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    props: resource.props,
    urn: urnOf(resource),
    opts: optionsOf(resource),
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  return {
    resources: policyResources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

/**
 * Every violation the pack reports for these resources, as "<policy>: <message>", sorted.
 * `skip` names policies left out (with a reason at the call site).
 */
export async function packViolations(
  resources: readonly ResourceUnderTest[],
  options: { readonly skip?: readonly string[]; readonly config?: PackConfig } = {},
): Promise<string[]> {
  const violations: string[] = [];
  for (const policy of VAULT_PLATFORM_POLICIES) {
    if (options.skip?.includes(policy.name)) {
      continue;
    }
    const config = options.config?.[policy.name] ?? {};
    const report = (message: string) => violations.push(`${policy.name}: ${message}`);
    if ("validateStack" in policy) {
      await policy.validateStack(stackValidationArgs(resources, config), report);
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) {
      for (const validate of validations) {
        await validate(validationArgs(resource, config), report);
      }
    }
  }
  return violations.sort();
}

/** Recorded mock registrations as policy input: their inputs are what the engine would check. */
export function fromRecorded(resources: readonly RecordedResource[]): ResourceUnderTest[] {
  return resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    props: resource.inputs,
  }));
}
