// The library view: the indexed filings, removal, and uploads (one request per file, with progress).

import { api, uploadFile } from "./api.js";
import { clear, el, fmtNumber } from "./dom.js";
import { openEvidence } from "./evidence.js";

const $ = (id) => document.getElementById(id);

export function initLibrary() {
  const input = $("upload-input");
  input.addEventListener("change", async () => {
    const files = [...input.files];
    input.value = "";
    if (files.length) await uploadAll(files);
  });
  $("library-reload").addEventListener("click", loadLibrary);
}

export async function loadLibrary() {
  const body = $("library-body");
  const status = $("library-status");
  status.textContent = "loading…";
  status.classList.remove("error");
  let data;
  try {
    data = await api("/web/api/library");
  } catch (err) {
    status.textContent = `Could not load the library: ${err.message}`;
    status.classList.add("error");
    return;
  }
  const filings = (data && data.filings) || [];
  clear(body);
  for (const f of filings) body.append(row(f));
  status.textContent = filings.length ? `${filings.length} filing(s)` : "The library is empty: upload a filing.";
}

function cell(value, cls) {
  return el("td", { class: cls || null }, value === null || value === undefined || value === "" ? "–" : String(value));
}

function row(f) {
  return el(
    "tr",
    { "data-doc-id": f.doc_id, "data-testid": "library-row" },
    cell(f.company, "company"),
    cell(f.ticker, "opt"),
    cell(f.form_type),
    cell(f.period),
    cell(f.period_end, "opt"),
    cell(f.pages === undefined ? "" : fmtNumber(f.pages), "num"),
    cell(f.chunks === undefined ? "" : fmtNumber(f.chunks), "num opt"),
    el("td", { class: "file", title: f.doc_id }, f.file_name || f.doc_id, f.kind ? el("span", { class: "muted" }, ` (${f.kind})`) : null),
    cell(f.parser_version, "muted opt"),
    el(
      "td",
      { class: "actions" },
      el(
        "button",
        {
          type: "button",
          class: "view-filing",
          "data-testid": "view-filing",
          "aria-label": `View ${f.file_name || f.doc_id}`,
          onclick: () => openEvidence({ doc_id: f.doc_id, page: 1 }),
        },
        "View",
      ),
      " ",
      el(
        "button",
        {
          type: "button",
          class: "remove-filing danger",
          "data-testid": "remove-filing",
          "aria-label": `Remove ${f.file_name || f.doc_id}`,
          onclick: () => removeFiling(f),
        },
        "Remove",
      ),
    ),
  );
}

async function removeFiling(f) {
  const name = [f.company, f.form_type, f.period].filter(Boolean).join(" ") || f.file_name || f.doc_id;
  if (!window.confirm(`Remove ${name} (${f.file_name || f.doc_id}) from the library?`)) return;
  const status = $("library-status");
  try {
    await api(`/web/api/library/${encodeURIComponent(f.doc_id)}`, { method: "DELETE" });
  } catch (err) {
    status.textContent = `Could not remove it: ${err.message}`;
    status.classList.add("error");
    return;
  }
  await loadLibrary();
}

function successMessage(body, file) {
  if (body && typeof body === "object") {
    if (body.message) return String(body.message);
    const what = [body.company, body.form_type, body.period].filter(Boolean).join(" ");
    if (what) return `added ${what}`;
  }
  return `added ${file.name}`;
}

async function uploadAll(files) {
  const list = $("upload-list");
  for (const file of files) {
    const progress = el("progress", { max: 1, value: 0, "aria-label": `Upload of ${file.name}` });
    const status = el("span", { class: "upload-status", "data-testid": "upload-status" }, "uploading…");
    const item = el("li", { class: "upload", "data-file": file.name, "data-testid": "upload" }, el("span", { class: "name" }, file.name), progress, status);
    list.prepend(item);
    const result = await uploadFile(
      "/web/api/library",
      file,
      (fraction) => {
        progress.value = fraction;
      },
      () => {
        progress.value = 1;
        status.textContent = "ingesting…";
      },
    );
    progress.remove();
    const ok = result.status >= 200 && result.status < 300;
    if (ok) {
      status.textContent = successMessage(result.body, file);
      item.classList.add("done");
    } else {
      const error = (result.body && (result.body.error || result.body.detail)) || `upload failed (${result.status})`;
      status.textContent = String(error);
      item.classList.add("failed");
      status.classList.add("error");
    }
    item.dataset.result = ok ? "ok" : "error";
  }
  await loadLibrary();
}
