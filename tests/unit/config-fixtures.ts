/** The rows of the bad-config tables (config-*-cases.ts, config-rules-*-cases.ts) and their parts. */

/** [case, stack, config overrides, exact message] */
export type BadInput = [string, string, Record<string, unknown>, string];

/** [case, stack, config overrides, secret config (undefined: the stack's default), message] */
export type Case = [
  string,
  string,
  Record<string, unknown>,
  Record<string, unknown> | undefined,
  string,
];

/** Config with one app, "orders", set up as given. */
export const orders = (app: Record<string, unknown>) => ({
  apps: [{ name: "orders", ...app }],
});
