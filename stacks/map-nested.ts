/**
 * Walks a JSON-like value (arrays and plain objects) and rebuilds it, letting `visit` replace any
 * part: it returns the replacement, or `undefined` to keep walking into that part.
 */
export function mapNested(value: unknown, visit: (part: unknown) => unknown): unknown {
  const replaced = visit(value);
  if (replaced !== undefined) {
    return replaced;
  }
  if (Array.isArray(value)) {
    return value.map((item) => mapNested(item, visit));
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, mapNested(child, visit)]),
    );
  }
  return value;
}
