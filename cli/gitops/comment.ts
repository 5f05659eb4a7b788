/**
 * The pull-request comment: resource changes per stack, policy-pack results, and the access
 * diff. Pure rendering; a hidden marker lets the workflow find and edit its own comment.
 */
import type { AccessChange } from "./access-diff";

export const COMMENT_MARKER = "<!-- vault-platform:preview -->";

export interface StackPreview {
  readonly stack: string;
  /** Operation -> count, as the engine reports it ("create", "update", "delete", "same", ...). */
  readonly changes: Readonly<Record<string, number>>;
  /** Policy-pack findings: level is "mandatory" or "advisory". */
  readonly policy: readonly {
    readonly rule: string;
    readonly level: string;
    readonly message: string;
  }[];
  readonly access: readonly AccessChange[];
  /** Set when the preview itself failed. */
  readonly error?: string;
}

const OPERATIONS = ["create", "update", "replace", "delete", "same"] as const;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function capabilities(list: readonly string[]): string {
  return list.length === 0 ? "" : list.map((capability) => `\`${capability}\``).join(" ");
}

/** A titled Markdown table, or one sentence where it has no rows. */
function section(
  title: string,
  empty: string,
  header: readonly string[],
  rows: readonly string[][],
): string[] {
  const lines = ["", `### ${title}`, ""];
  if (rows.length === 0) {
    return [...lines, empty];
  }
  return [
    ...lines,
    `| ${header.join(" | ")} |`,
    `|${" --- |".repeat(header.length)}`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}

export function renderComment(previews: readonly StackPreview[], commit: string): string {
  const lines = [COMMENT_MARKER, `## vault-platform preview for \`${commit.slice(0, 12)}\``, ""];

  lines.push(
    "### Resource changes",
    "",
    `| stack | ${OPERATIONS.join(" | ")} |`,
    `| --- |${" ---: |".repeat(OPERATIONS.length)}`,
  );
  for (const preview of previews) {
    const counts = OPERATIONS.map((operation) => String(preview.changes[operation] ?? 0));
    lines.push(`| ${preview.stack} | ${preview.error ? "preview failed" : counts.join(" | ")} |`);
  }
  for (const preview of previews.filter((p) => p.error)) {
    lines.push("", `**${preview.stack}**: ${cell(preview.error as string)}`);
  }

  lines.push(
    ...section(
      "Policy pack",
      "No violations.",
      ["stack", "rule", "level", "message"],
      previews.flatMap((preview) =>
        preview.policy.map((finding) => [
          preview.stack,
          finding.rule,
          finding.level,
          cell(finding.message),
        ]),
      ),
    ),
    ...section(
      "Access diff",
      "No app or team gains or loses access.",
      ["stack", "who", "policy", "path", "gains", "loses"],
      previews.flatMap((preview) =>
        preview.access.map((change) => [
          preview.stack,
          change.subject,
          change.policy,
          `\`${cell(change.path)}\``,
          capabilities(change.added),
          capabilities(change.removed),
        ]),
      ),
    ),
  );
  lines.push("");
  return lines.join("\n");
}
