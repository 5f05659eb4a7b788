import * as path from "path";

/** The project's checkout: Pulumi.yaml, the stack files and the default file:// backend. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
