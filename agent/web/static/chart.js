// A small inline SVG chart of an answer's figures, when they form a series: at least two accepted
// claims that each carry exactly one number, from passages of different periods (a bar per period,
// or a line when there are more than three) — or a calculated metric and its operands.

import { el, svg } from "./dom.js";

const SCALES = { thousands: 1e3, millions: 1e6, billions: 1e9, trillions: 1e12 };
const ACCEPTED = new Set(["supported", "calculation"]);

const FIGURE =
  /^(\()?\s*([-−–]\s?)?([$€£¥]|US\$)?\s?(\()?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(\s*\))?(?:\s?(%|percent|per\s?cent|percentage points?|pp|bps|basis points))?(?:\s?(thousands?|millions?|billions?|trillions?|bn|mn|mm|tn|[kmb]))?\.?$/i;
const SCALE_OF = { k: 1e3, m: 1e6, mn: 1e6, mm: 1e6, b: 1e9, bn: 1e9, tn: 1e12 };

// "$81,797 million" -> {value: 81797e6, unit: "$"}; "(12)" -> -12; "12%" -> {12, "%"}; null if not a number.
export function parseFigure(raw) {
  const label = String(raw || "").trim();
  const m = FIGURE.exec(label);
  if (!m) return null;
  const [, open1, minus, currency, open2, digits, close, pct, scaleWord] = m;
  if (Boolean(open1 || open2) !== Boolean(close)) return null;
  let value = Number(digits.replace(/,/g, ""));
  if (!Number.isFinite(value)) return null;
  const word = (scaleWord || "").toLowerCase();
  const scale = SCALES[word] || SCALES[`${word}s`] || SCALE_OF[word] || 1;
  value *= scale;
  if (/^(bps|basis points)$/i.test(pct || "")) value /= 100;
  const negative = Boolean(minus) !== Boolean(close);
  return { value: negative ? -value : value, unit: pct ? "%" : currency ? "$" : "", label };
}

// The chart's points, or null when the answer's figures are not a series.
export function seriesOf(answer) {
  const citations = answer.citations || [];
  const byChunk = new Map();
  for (const c of citations) if (!byChunk.has(c.chunk_id)) byChunk.set(c.chunk_id, c);
  const points = [];
  for (const claim of answer.claims || []) {
    if (!ACCEPTED.has(claim.verdict) || (claim.numbers || []).length !== 1) continue;
    const figure = parseFigure(claim.numbers[0]);
    if (!figure) continue;
    const cited = (claim.chunk_ids || []).map((id) => byChunk.get(id)).filter(Boolean);
    const citation = cited[0] || null;
    points.push({ ...figure, claim, citation, period: citation ? citation.period || "" : "" });
  }
  // One unit per chart: the largest group of comparable figures.
  const groups = new Map();
  for (const p of points) {
    const key = p.unit === "%" ? "%" : "amount";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  const group = [...groups.values()].sort((a, b) => b.length - a.length)[0] || [];
  if (group.length < 2) return null;

  const periods = new Map();
  for (const p of group) if (p.citation && p.period && !periods.has(p.period)) periods.set(p.period, p);
  if (periods.size >= 2) {
    const series = [...periods.values()].sort((a, b) => a.period.localeCompare(b.period));
    return { kind: series.length > 3 ? "line" : "bar", points: series.map((p) => ({ ...p, name: p.period })) };
  }
  // A calculated metric and its operands (same unit): one bar each, labelled by the claim.
  if (group.some((p) => p.claim.verdict === "calculation") && group.every((p) => p.citation)) {
    return { kind: "bar", points: group.map((p) => ({ ...p, name: shorten(p.claim.text, 22) })) };
  }
  return null;
}

function shorten(text, n) {
  const s = String(text || "").replace(/\s+/g, " ").trim();
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

// An inline SVG chart; each point is a link that opens its citation.
export function chartFor(answer, openCitation) {
  const series = seriesOf(answer);
  if (!series) return null;
  const W = 320;
  const H = 180;
  const pad = { left: 12, right: 12, top: 22, bottom: 34 };
  const values = series.points.map((p) => p.value);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const innerW = W - pad.left - pad.right;
  const innerH = H - pad.top - pad.bottom;
  const y = (v) => pad.top + ((hi - v) / span) * innerH;
  const slot = innerW / series.points.length;
  const x = (i) => pad.left + slot * (i + 0.5);

  const chart = svg("svg", {
    class: `chart chart-${series.kind}`,
    "data-testid": "chart",
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: "img",
    "aria-label": "Figures cited in the answer",
  });
  chart.append(svg("line", { class: "axis", x1: pad.left, x2: W - pad.right, y1: y(0), y2: y(0) }));
  if (series.kind === "line") {
    const d = series.points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    chart.append(svg("path", { class: "series-line", d }));
  }
  series.points.forEach((p, i) => {
    const link = svg("a", {
      class: "chart-point",
      "data-testid": "chart-point",
      href: "#",
      tabindex: 0,
      role: "link",
      "aria-label": `${p.name}: ${p.label}`,
    });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      if (p.citation) openCitation(p.citation);
    });
    link.append(svg("title", {}, `${p.name}: ${p.label}`));
    if (series.kind === "bar") {
      const barW = Math.min(48, slot * 0.6);
      const top = Math.min(y(p.value), y(0));
      const height = Math.max(1, Math.abs(y(p.value) - y(0)));
      link.append(svg("rect", { class: "bar", x: x(i) - barW / 2, y: top, width: barW, height }));
    } else {
      link.append(svg("circle", { class: "dot", cx: x(i), cy: y(p.value), r: 5 }));
    }
    const valueY = p.value >= 0 ? y(p.value) - 6 : y(p.value) + 14;
    link.append(svg("text", { class: "value", x: x(i), y: valueY, "text-anchor": "middle" }, p.label));
    chart.append(link);
    chart.append(svg("text", { class: "label", x: x(i), y: H - 12, "text-anchor": "middle" }, p.name));
  });
  return el("figure", { class: "answer-chart" }, chart);
}
