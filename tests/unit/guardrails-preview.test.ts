import { checkAclPolicy, checkAuditDevices, checkServerListenerTls } from "../../guardrails/rules";
import type { ResourceUnderTest } from "./guardrails-harness";
import { CONFIG_FILE, Check, aclPolicy, container, violationsOf } from "./guardrails-fixtures";

describe("values unknown during a preview", () => {
  // The engine hands a check its props wrapped in this proxy: reading an unknown value throws, and
  // the engine reports "can't run during preview" only if that error reaches it.
  const proxy = jest.requireActual<{
    unknownCheckingProxy(props: object): Record<string, unknown>;
    UnknownValueError: new (...args: never[]) => Error;
    unknownStringValue: string;
  }>("@pulumi/policy/proxy");
  const unknownConfig = [{ file: CONFIG_FILE, content: proxy.unknownStringValue }];

  it.each<[string, Check, ResourceUnderTest]>([
    [
      "the server config of the TLS check",
      checkServerListenerTls,
      container({ uploads: unknownConfig }),
    ],
    [
      "the policy text of the ACL check",
      checkAclPolicy,
      aclPolicy("app-orders", proxy.unknownStringValue),
    ],
  ])("%s reaches the engine", (_, check, resource) => {
    const previewed = { ...resource, props: proxy.unknownCheckingProxy(resource.props) };
    expect(() => violationsOf(check, previewed)).toThrow(proxy.UnknownValueError);
  });

  it("the server config of the audit check reaches the engine", () => {
    const previewed = {
      ...container(),
      props: proxy.unknownCheckingProxy({ uploads: unknownConfig }),
    };
    expect(() => checkAuditDevices([previewed], () => undefined)).toThrow(proxy.UnknownValueError);
  });
});
