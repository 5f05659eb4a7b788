/**
 * Resources for the policy pack's checks, shaped as the program registers them and rendered by its
 * own renderers where it has them, plus a way to collect what one check reports.
 */
import * as fs from "fs";
import * as path from "path";
import type { ReportViolation } from "@pulumi/policy";
import { auditDeviceSpecs, renderServerConfig } from "../../infra/server-config";
import { CheckedResource, RESOURCE_TYPES } from "../../guardrails/rules";
import type { ResourceUnderTest } from "./guardrails-harness";

const GOLDEN = path.join(__dirname, "../fixtures/golden");
export const CONFIG_FILE = "/vault/config/platform.json";

export type Check = (resource: CheckedResource, report: ReportViolation) => void;

export function violationsOf(check: Check, resource: CheckedResource): string[] {
  const messages: string[] = [];
  check(resource, (message) => messages.push(message));
  return messages;
}

/** What a staging/prod server uploads today: raft storage and a listener with TLS off. */
export const SERVER_CONFIG_TLS_OFF = renderServerConfig({
  flavor: "vault",
  mode: "server",
  listenPort: 8200,
  apiAddress: "http://127.0.0.1:8210",
  nodeId: "vp-staging",
  auditDevices: [],
});

/** The same config once the listener serves TLS. */
const SERVER_CONFIG_TLS_ON = JSON.stringify({
  ...JSON.parse(SERVER_CONFIG_TLS_OFF),
  listener: [
    {
      tcp: {
        address: "0.0.0.0:8200",
        cluster_address: "0.0.0.0:8201",
        tls_cert_file: "/vault/tls/tls.crt",
        tls_key_file: "/vault/tls/tls.key",
      },
    },
  ],
});

export function openbaoDevConfig(devices: readonly ("file" | "stdout")[]): string {
  return renderServerConfig({
    flavor: "openbao",
    mode: "dev",
    listenPort: 20014,
    apiAddress: "http://127.0.0.1:20014",
    nodeId: "vp-pr-7",
    auditDevices: auditDeviceSpecs(devices, "/openbao/logs"),
  });
}

export function container(props: Record<string, unknown> = {}): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.container,
    name: "platform-server-container",
    props: {
      name: "vp-staging-vault",
      image: "hashicorp/vault:1.20.4",
      entrypoints: ["vault"],
      command: ["server", `-config=${CONFIG_FILE}`],
      uploads: [{ file: CONFIG_FILE, content: SERVER_CONFIG_TLS_ON }],
      ...props,
    },
  };
}

export function auditDevice(devicePath: string): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.audit,
    name: `platform-audit-${devicePath}`,
    props: { path: devicePath, type: "file", options: { file_path: devicePath } },
  };
}

/** An AppRole role as the prod profile registers it. */
export function approleRole(props: Record<string, unknown> = {}): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.approleRole,
    name: "platform-approle-orders",
    props: {
      backend: "approle",
      roleName: "orders",
      tokenPolicies: ["app-orders"],
      tokenNoDefaultPolicy: true,
      tokenType: "service",
      tokenTtl: 900,
      tokenMaxTtl: 3600,
      secretIdTtl: 3600,
      secretIdNumUses: 1,
      bindSecretId: true,
      secretIdBoundCidrs: ["10.30.0.0/16"],
      tokenBoundCidrs: ["10.30.0.0/16"],
      ...props,
    },
  };
}

export function aclPolicy(name: string, policy: string): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.aclPolicy,
    name: `platform-policies-${name}`,
    props: { name, policy },
  };
}

export function transitKey(props: Record<string, unknown> = {}): ResourceUnderTest {
  return {
    type: RESOURCE_TYPES.transitKey,
    name: "platform-transit-orders",
    props: {
      backend: "transit",
      name: "orders",
      type: "aes256-gcm96",
      autoRotatePeriod: 2592000,
      exportable: false,
      allowPlaintextBackup: false,
      deletionAllowed: false,
      ...props,
    },
  };
}

export const ORDERS_HCL = fs.readFileSync(path.join(GOLDEN, "app-orders.hcl"), "utf8");
export const ALLOWED_SYS = '"sys/capabilities-self" and "sys/leases/renew"';
export const ONLY_ADMIN = '(only the admin policy "vault-platform-admin" may)';
