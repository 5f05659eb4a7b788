/**
 * Durations are written the way Vault writes them ("30s", "15m", "1h30m", "7d") and handed to the
 * providers as whole seconds, because the Terraform-bridged arguments take numbers.
 */
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(?:\d+[smhd])+$/;
const PART = /(\d+)([smhd])/g;

/** Parses "1h30m" into 5400. Throws on anything that is not a non-empty sequence of <n><unit>. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) {
    throw new Error(`"${text}" is not a duration like "30s", "15m", "1h30m" or "7d"`);
  }
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    seconds += Number(amount) * UNIT_SECONDS[unit];
  }
  return seconds;
}

/** True when the text is a well-formed duration (zero allowed). */
export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/** Seconds written back as a duration in hours, minutes and seconds: 5400 -> "1h30m". */
export function formatDuration(seconds: number): string {
  const parts = [
    [Math.floor(seconds / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "m"],
    [seconds % 60, "s"],
  ] as const;
  return parts.map(([amount, unit]) => (amount > 0 ? `${amount}${unit}` : "")).join("") || "0s";
}
