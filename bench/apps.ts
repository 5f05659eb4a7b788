/**
 * The apps a benchmark environment declares: n generated apps, each with a KV path, every other
 * one with database access and every third with a transit key, as a growing team's config does.
 */
export interface BenchApp {
  readonly name: string;
  readonly kv: { readonly read: readonly string[] };
  readonly database: "none" | "readonly" | "readwrite";
  readonly transitKeys: readonly string[];
}

export function benchApps(count: number): BenchApp[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `svc-${String(index + 1).padStart(4, "0")}`;
    return {
      name,
      kv: { read: [`${name}/*`] },
      database: index % 2 === 0 ? (index % 4 === 0 ? "readonly" : "readwrite") : "none",
      transitKeys: index % 3 === 0 ? [name] : [],
    };
  });
}

/** The benchmark stack of a size: a pr-<n> stack, so that it runs with the ephemeral profile. */
export function benchStack(count: number): string {
  return `pr-${1000 + count}`;
}
