// The evidence viewer: one page of a filing, with the cited quote highlighted.
//
// PDF pages come as an image with highlight rectangles (fractions of the page, origin top-left);
// HTML and text filings come as text with character spans, shown as text nodes with <mark>s.

import { api } from "./api.js";
import { clear, el } from "./dom.js";

const panel = () => document.getElementById("evidence");
let current = null; // {docId, page, pages}
let request = 0; // the latest open(): older answers are dropped

export function initEvidence() {
  document.getElementById("evidence-close").addEventListener("click", closeEvidence);
  document.getElementById("evidence-prev").addEventListener("click", () => step(-1));
  document.getElementById("evidence-next").addEventListener("click", () => step(1));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel().hidden) closeEvidence();
  });
}

export function closeEvidence() {
  panel().hidden = true;
  document.body.classList.remove("with-evidence");
}

function step(delta) {
  if (!current) return;
  const page = current.page + delta;
  if (page < 1 || (current.pages && page > current.pages)) return;
  openEvidence({ doc_id: current.docId, page });
}

// Opens a citation ({doc_id, page, quote?}) or any page of a filing.
export async function openEvidence({ doc_id: docId, page, quote }) {
  const mine = ++request;
  const body = document.getElementById("evidence-body");
  const status = document.getElementById("evidence-status");
  panel().hidden = false;
  document.body.classList.add("with-evidence");
  status.textContent = "loading page…";
  status.classList.remove("error");
  let url = `/web/api/documents/${encodeURIComponent(docId)}/pages/${encodeURIComponent(page)}`;
  if (quote) url += `?quote=${encodeURIComponent(quote)}`;
  let doc;
  try {
    doc = await api(url);
  } catch (err) {
    if (mine !== request) return;
    status.textContent = `Could not load the page: ${err.message}`;
    status.classList.add("error");
    clear(body);
    return;
  }
  if (mine !== request) return;
  current = { docId, page: doc.page || page, pages: doc.pages || null };
  status.textContent = "";
  renderHeader(doc);
  clear(body);
  body.append(doc.image ? pageImage(doc) : pageText(doc));
  body.scrollTop = 0;
  const first = body.querySelector(".highlight, mark");
  if (first && first.scrollIntoView) first.scrollIntoView({ block: "center" });
}

function renderHeader(doc) {
  const meta = document.getElementById("evidence-meta");
  clear(meta);
  const title = [doc.company, doc.form_type, doc.period].filter((x) => x && x !== "?").join(" · ");
  meta.append(el("div", { class: "ev-title", "data-testid": "evidence-title" }, title || doc.doc_id));
  const where = doc.section || (doc.item ? `Item ${doc.item}` : "");
  if (where) meta.append(el("div", { class: "ev-section" }, where));
  if (doc.file_name) meta.append(el("div", { class: "ev-file" }, doc.file_name));
  const pageLabel = doc.pages ? `page ${doc.page} of ${doc.pages}` : `page ${doc.page}`;
  document.getElementById("evidence-page").textContent = pageLabel;
  document.getElementById("evidence-prev").disabled = doc.page <= 1;
  document.getElementById("evidence-next").disabled = Boolean(doc.pages) && doc.page >= doc.pages;
}

function pageImage(doc) {
  const frame = el("div", { class: "page-frame", "data-testid": "evidence-frame" });
  const img = el("img", {
    class: "page-image",
    "data-testid": "evidence-image",
    alt: `Page ${doc.page} of ${doc.file_name || doc.doc_id}`,
    src: doc.image,
  });
  if (doc.width && doc.height) {
    img.setAttribute("width", doc.width);
    img.setAttribute("height", doc.height);
  }
  frame.append(img);
  for (const box of doc.highlights || []) {
    const pct = (v) => `${(Math.min(Math.max(Number(v) || 0, 0), 1) * 100).toFixed(3)}%`;
    const mark = el("div", { class: "highlight", "data-testid": "highlight" });
    mark.style.left = pct(box.x);
    mark.style.top = pct(box.y);
    mark.style.width = pct(box.w);
    mark.style.height = pct(box.h);
    frame.append(mark);
  }
  return frame;
}

// Spans sorted, clipped to the text and merged where they overlap.
function mergedSpans(spans, length) {
  const sorted = (spans || [])
    .map(([a, b]) => [Math.max(0, Number(a) || 0), Math.min(length, Number(b) || 0)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push([...span]);
  }
  return out;
}

function pageText(doc) {
  const text = String(doc.text || "");
  const pre = el("pre", { class: "page-text", "data-testid": "evidence-text" });
  let at = 0;
  for (const [start, end] of mergedSpans(doc.spans, text.length)) {
    if (start > at) pre.append(document.createTextNode(text.slice(at, start)));
    pre.append(el("mark", {}, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) pre.append(document.createTextNode(text.slice(at)));
  if (!text) pre.append(el("span", { class: "muted" }, "(no text on this page)"));
  return pre;
}
