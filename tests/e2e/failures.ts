/** What a tier-2 run says at its very end about each failed test. */
import * as path from "path";
import { stripVTControlCharacters } from "util";

export interface JestReport {
  readonly testResults?: readonly {
    readonly name: string;
    readonly message?: string;
    readonly assertionResults?: readonly {
      readonly fullName: string;
      readonly status: string;
      readonly failureMessages?: readonly string[];
    }[];
  }[];
}

/**
 * One line per failed test (file, test, the first lines of its error), read from jest's JSON
 * report: printed again at the very end, where a CI log that keeps only its tail still shows it.
 */
export function failureLines(flavor: string, report: JestReport): string[] {
  const lines: string[] = [];
  const firstLines = (text: string) =>
    stripVTControlCharacters(text)
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("at "))
      .slice(0, 3)
      .join(" | ");
  for (const file of report.testResults ?? []) {
    const name = path.basename(file.name);
    const failed = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failed) {
      lines.push(
        `${flavor} ${name} › ${test.fullName}: ${firstLines(test.failureMessages?.[0] ?? "")}`,
      );
    }
    if (failed.length === 0 && file.message) {
      lines.push(`${flavor} ${name}: ${firstLines(file.message)}`);
    }
  }
  return lines;
}
