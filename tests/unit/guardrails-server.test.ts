import {
  checkAuditDevices,
  checkNoDevModeServer,
  checkServerImagePinned,
  checkServerListenerTls,
} from "../../guardrails/rules";
import type { ResourceUnderTest } from "./guardrails-harness";
import {
  CONFIG_FILE,
  ORDERS_HCL,
  SERVER_CONFIG_TLS_OFF,
  aclPolicy,
  auditDevice,
  container,
  openbaoDevConfig,
  violationsOf,
} from "./guardrails-fixtures";

describe("policy vault-server-not-dev-mode", () => {
  const expected = (flag: string) =>
    `container "platform-server-container" starts the server with "${flag}" (dev mode: in-memory storage, unsealed, root token); expected a server-mode command without dev flags`;

  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "dev mode, as the dev profile runs it",
      container({ command: ["server", "-dev", `-config=${CONFIG_FILE}`] }),
      [expected("-dev")],
    ],
    ["dev mode with TLS", container({ command: ["server", "-dev-tls"] }), [expected("-dev-tls")]],
    [
      "dev mode as --dev=true",
      container({ command: ["server", "--dev=true"] }),
      [expected("--dev=true")],
    ],
    ["server mode", container(), []],
    [
      "a dev-only option without dev mode itself",
      container({ command: ["server", "-dev-root-token-id=x"] }),
      [],
    ],
    ["another resource type", aclPolicy("app-orders", ORDERS_HCL), []],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkNoDevModeServer, resource)).toEqual(messages);
  });
});

describe("policy vault-server-listener-tls", () => {
  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "server mode as rendered today (tls_disable = true)",
      container({ uploads: [{ file: CONFIG_FILE, content: SERVER_CONFIG_TLS_OFF }] }),
      [
        'container "platform-server-container": server config "/vault/config/platform.json" disables TLS on listener tcp 0.0.0.0:8200 (tls_disable = true); expected TLS on every listener',
      ],
    ],
    [
      'tls_disable as the string "1" (Vault parses it as true)',
      container({
        uploads: [
          {
            file: CONFIG_FILE,
            content: JSON.stringify({
              listener: { tcp: { address: "[::]:8200", tls_disable: "1" } },
            }),
          },
        ],
      }),
      [
        'container "platform-server-container": server config "/vault/config/platform.json" disables TLS on listener tcp [::]:8200 (tls_disable = "1"); expected TLS on every listener',
      ],
    ],
    [
      "a config file that is not JSON",
      container({
        uploads: [{ file: "/vault/config/extra.hcl", content: 'listener "tcp" {}' }],
      }),
      [
        'container "platform-server-container" uploads server config "/vault/config/extra.hcl" that is not JSON, so its listeners cannot be checked; expected the JSON config rendered by infra/server-config.ts',
      ],
    ],
    ["server mode with TLS on the listener", container(), []],
    [
      "an OpenBao dev server (no listener in the file; dev mode is its own policy)",
      container({
        image: "openbao/openbao:2.6.2",
        command: ["server", "-dev", "-config=/openbao/config/platform.json"],
        uploads: [{ file: "/openbao/config/platform.json", content: openbaoDevConfig(["file"]) }],
      }),
      [],
    ],
    [
      "uploads other than config files",
      container({
        uploads: [{ file: "/vault/tls/tls.crt", content: "-----BEGIN CERTIFICATE-----" }],
      }),
      [],
    ],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkServerListenerTls, resource)).toEqual(messages);
  });
});

describe("policy vault-server-image-pinned", () => {
  const expected = (image: string) =>
    `container "platform-server-container" uses image ${image}; expected a version tag or a sha256 digest (not "latest", not untagged)`;
  const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

  it.each<[string, ResourceUnderTest, string[]]>([
    [
      "latest",
      container({ image: "hashicorp/vault:latest" }),
      [expected('"hashicorp/vault:latest"')],
    ],
    ["untagged", container({ image: "hashicorp/vault" }), [expected('"hashicorp/vault"')]],
    [
      "a registry port is not a tag",
      container({ image: "registry.internal:5000/hashicorp/vault" }),
      [expected('"registry.internal:5000/hashicorp/vault"')],
    ],
    ["no image", container({ image: undefined }), [expected("not set")]],
    ["a version tag", container(), []],
    ["a digest", container({ image: `openbao/openbao@${digest}` }), []],
    ["an image id", container({ image: digest }), []],
    [
      "a tag behind a registry port",
      container({ image: "registry.internal:5000/openbao/openbao:2.6.2" }),
      [],
    ],
  ])("%s", (_, resource, messages) => {
    expect(violationsOf(checkServerImagePinned, resource)).toEqual(messages);
  });
});

describe("policy audit-devices-minimum (stack)", () => {
  const suffix = "expected at least 2, so that one failing device does not block every request";

  it.each<[string, ResourceUnderTest[], string[]]>([
    [
      "one device through the API (the dev profile)",
      [container(), auditDevice("file")],
      [`the stack has 1 audit device ("file"); ${suffix}`],
    ],
    ["no device at all", [container()], [`the stack has no audit device; ${suffix}`]],
    [
      "one device declared in an OpenBao server config",
      [
        container({
          uploads: [{ file: "/openbao/config/platform.json", content: openbaoDevConfig(["file"]) }],
        }),
      ],
      [`the stack has 1 audit device ("file"); ${suffix}`],
    ],
    [
      "two devices through the API (Vault)",
      [container(), auditDevice("file"), auditDevice("stdout")],
      [],
    ],
    [
      "two devices declared in the server config (OpenBao)",
      [
        container({
          uploads: [
            {
              file: "/openbao/config/platform.json",
              content: openbaoDevConfig(["file", "stdout"]),
            },
          ],
        }),
      ],
      [],
    ],
    [
      "one of each",
      [
        container({
          uploads: [{ file: "/openbao/config/platform.json", content: openbaoDevConfig(["file"]) }],
        }),
        auditDevice("stdout"),
      ],
      [],
    ],
  ])("%s", (_, resources, messages) => {
    const found: string[] = [];
    checkAuditDevices(resources, (message) => found.push(message));
    expect(found).toEqual(messages);
  });
});
