import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { AuditDeviceSpec } from "./server-config";

export interface AuditArgs {
  readonly devices: readonly AuditDeviceSpec[];
  /**
   * True where the server declares its audit devices in its config file (OpenBao); then this
   * component registers nothing and only reports the device paths.
   */
  readonly declaredInServerConfig: boolean;
}

/** Audit devices enabled through the API (Vault), or declared in the server config (OpenBao). */
export class Audit extends pulumi.ComponentResource {
  public readonly devices: Readonly<Record<string, vault.Audit>>;
  public readonly paths: readonly string[];

  constructor(name: string, args: AuditArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vaultplatform:index:Audit", name, {}, opts);
    const devices: Record<string, vault.Audit> = {};
    if (!args.declaredInServerConfig) {
      for (const device of args.devices) {
        devices[device.path] = new vault.Audit(
          `${name}-${device.path}`,
          {
            path: device.path,
            type: device.type,
            description: device.description,
            options: { ...device.options },
          },
          { parent: this },
        );
      }
    }
    this.devices = devices;
    this.paths = args.devices.map((device) => device.path);
    this.registerOutputs({ paths: this.paths });
  }
}
