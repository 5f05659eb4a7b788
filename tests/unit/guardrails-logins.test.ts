import type { ReportViolation } from "@pulumi/policy";
import {
  checkJwtRole,
  checkKubernetesRole,
  LOGIN_RESOURCE_TYPES,
} from "../../guardrails/login-rules";
import type { CheckedResource } from "../../guardrails/rules";

function violationsOf(
  check: (resource: CheckedResource, report: ReportViolation) => void,
  resource: CheckedResource,
): string[] {
  const messages: string[] = [];
  check(resource, (message) => messages.push(message));
  return messages;
}

const jwtRole = (props: Record<string, unknown>) => ({
  type: LOGIN_RESOURCE_TYPES.jwtRole,
  name: "platform-jwt-orders",
  props,
});
const kubernetesRole = (props: Record<string, unknown>) => ({
  type: LOGIN_RESOURCE_TYPES.kubernetesRole,
  name: "platform-kubernetes-orders",
  props,
});

describe("jwt-role-bound", () => {
  it.each([
    [
      "no audiences",
      { boundClaims: { repository: "org/shop" } },
      [
        'JWT role "platform-jwt-orders" has no bound audiences; expected the audience your issuer puts in its tokens',
      ],
    ],
    [
      "no claims",
      { boundAudiences: ["vault"] },
      [
        'JWT role "platform-jwt-orders" has no bound claims; expected claims that name who may log in (e.g. repository, ref, environment)',
      ],
    ],
    [
      "a wildcard subject",
      {
        boundAudiences: ["vault"],
        boundClaims: { repository: "org/shop" },
        boundSubject: "repo:org/*",
      },
      [
        'JWT role "platform-jwt-orders" binds the subject "repo:org/*" with a wildcard; expected one subject',
      ],
    ],
    [
      "bound to audience, claims and one subject",
      {
        boundAudiences: ["vault"],
        boundClaims: { repository: "org/shop" },
        boundSubject: "repo:org/shop:ref:refs/heads/main",
      },
      [],
    ],
  ])("%s", (_case, props, expected) => {
    expect(violationsOf(checkJwtRole, jwtRole(props))).toEqual(expected);
  });

  it("ignores other resources", () => {
    expect(violationsOf(checkJwtRole, { ...kubernetesRole({}), props: {} })).toEqual([]);
  });
});

describe("kubernetes-role-bound", () => {
  it.each([
    [
      "every service account",
      { boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["shop"] },
      [
        'Kubernetes role "platform-kubernetes-orders" is bound to every one of its service accounts ("*"); expected named service accounts',
      ],
    ],
    [
      "every namespace",
      { boundServiceAccountNames: ["orders"], boundServiceAccountNamespaces: ["*"] },
      [
        'Kubernetes role "platform-kubernetes-orders" is bound to every one of its namespaces ("*"); expected named namespaces',
      ],
    ],
    [
      "named service accounts and namespaces",
      { boundServiceAccountNames: ["orders"], boundServiceAccountNamespaces: ["shop"] },
      [],
    ],
  ])("%s", (_case, props, expected) => {
    expect(violationsOf(checkKubernetesRole, kubernetesRole(props))).toEqual(expected);
  });
});
