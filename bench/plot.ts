/**
 * The benchmark plot: seconds against the number of apps, one line per command and per floor
 * measurement, as a standalone SVG (no renderer needed to read it).
 */
export interface Series {
  readonly label: string;
  readonly points: readonly { readonly apps: number; readonly seconds: number }[];
}

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 180, top: 20, bottom: 40 };
const COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
  "#000000",
];

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderPlot(series: readonly Series[], title: string): string {
  const all = series.flatMap((line) => line.points);
  const maxApps = Math.max(1, ...all.map((point) => point.apps));
  const maxSeconds = Math.max(1, ...all.map((point) => point.seconds)) * 1.1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (apps: number) => MARGIN.left + (apps / maxApps) * plotWidth;
  const y = (seconds: number) => MARGIN.top + plotHeight - (seconds / maxSeconds) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="14">${escape(title)}</text>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${x(maxApps)}" y2="${y(0)}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${MARGIN.left}" y2="${MARGIN.top}" stroke="black"/>`,
    `<text x="${x(maxApps / 2)}" y="${HEIGHT - 8}" text-anchor="middle">apps</text>`,
    `<text x="14" y="${MARGIN.top + plotHeight / 2}" transform="rotate(-90 14 ${MARGIN.top + plotHeight / 2})" text-anchor="middle">seconds</text>`,
  ];
  for (const apps of [...new Set(all.map((point) => point.apps))]) {
    parts.push(`<text x="${x(apps)}" y="${y(0) + 16}" text-anchor="middle">${apps}</text>`);
  }
  for (let tick = 0; tick <= 4; tick++) {
    const value = (maxSeconds / 4) * tick;
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${value.toFixed(0)}</text>`,
    );
  }
  series.forEach((line, index) => {
    const color = COLORS[index % COLORS.length];
    const dash = line.label.startsWith("floor")
      ? ' stroke-dasharray="5,4"'
      : line.label.startsWith("tofu")
        ? ' stroke-dasharray="1,3"'
        : "";
    const points = [...line.points].sort((a, b) => a.apps - b.apps);
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map((point) => `${x(point.apps)},${y(point.seconds)}`).join(" ")}"/>`,
      ...points.map(
        (point) => `<circle cx="${x(point.apps)}" cy="${y(point.seconds)}" r="3" fill="${color}"/>`,
      ),
      `<text x="${WIDTH - MARGIN.right + 10}" y="${MARGIN.top + 16 * (index + 1)}" fill="${color}">${escape(line.label)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
