import * as pulumi from "@pulumi/pulumi";

/** Freezes plain data recursively; Outputs are left alone. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !pulumi.Output.isInstance(value)) {
    Object.values(value).forEach((child) => deepFreeze(child));
    Object.freeze(value);
  }
  return value;
}
