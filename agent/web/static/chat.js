// The chat view: threads (LangGraph threads tagged app=filings-web), live progress of a streamed
// run, and the typed answer with its citations, stop reason, chart and details.

import { api, assistantId, send, sseEvents } from "./api.js";
import { chartFor } from "./chart.js";
import { clear, el, filingLabel, fmtNumber } from "./dom.js";
import { openEvidence } from "./evidence.js";

const APP = "filings-web";
const TITLE_CHARS = 80;

const state = {
  threadId: null,
  titled: false, // the current thread has its title (its first question)
  threads: [],
  running: null, // {threadId, runId, controller, cancelled}
};

const $ = (id) => document.getElementById(id);

export function initChat() {
  const form = $("ask-form");
  const input = $("question");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || state.running) return;
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("cancel").addEventListener("click", cancelRun);
  $("new-thread").addEventListener("click", newThread);
  showEmpty();
}

// --- threads --------------------------------------------------------------------------------------

export async function loadThreads() {
  const list = $("thread-list");
  let threads;
  try {
    threads = await api("/threads/search", {
      method: "POST",
      json: { metadata: { app: APP }, limit: 50, sort_by: "updated_at", sort_order: "desc" },
    });
  } catch (err) {
    clear(list).append(el("li", { class: "error" }, `Could not list conversations: ${err.message}`));
    return;
  }
  state.threads = threads || [];
  clear(list);
  for (const thread of state.threads) {
    const id = thread.thread_id;
    const title = (thread.metadata && thread.metadata.title) || "New conversation";
    const current = id === state.threadId;
    const item = el(
      "li",
      { class: current ? "thread active" : "thread", "data-thread-id": id, "data-testid": "thread" },
      el(
        "button",
        {
          type: "button",
          class: "thread-title",
          title,
          "aria-current": current ? "true" : null,
          onclick: () => selectThread(id),
        },
        title,
      ),
      el(
        "button",
        {
          type: "button",
          class: "thread-delete icon",
          "aria-label": `Delete conversation: ${title}`,
          title: "Delete",
          onclick: () => deleteThread(id, title),
        },
        "×",
      ),
    );
    list.append(item);
  }
  if (!state.threads.length) list.append(el("li", { class: "muted" }, "No conversations yet."));
}

async function createThread(title) {
  const thread = await api("/threads", { method: "POST", json: { metadata: { app: APP, title } } });
  state.threadId = thread.thread_id;
  state.titled = Boolean(title);
  return thread.thread_id;
}

// A thread id made here, so a first question creates its thread with its run. randomUUID needs a
// secure context (https or localhost); a served LAN address over http gets the same v4 layout.
function newThreadId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function newThread() {
  if (state.threadId && !state.titled) {
    $("question").focus(); // the current conversation is still empty
    return;
  }
  try {
    await createThread("");
  } catch (err) {
    showError($("conversation"), `Could not start a conversation: ${err.message}`);
    return;
  }
  showEmpty();
  await loadThreads();
  $("question").focus();
}

async function selectThread(id) {
  if (id === state.threadId) return;
  state.threadId = id;
  const meta = state.threads.find((t) => t.thread_id === id);
  state.titled = Boolean(meta && meta.metadata && meta.metadata.title);
  const conversation = clear($("conversation"));
  conversation.append(el("p", { class: "muted loading" }, "loading the conversation…"));
  markActive();
  let states;
  try {
    states = await api(`/threads/${encodeURIComponent(id)}/history`, { method: "POST", json: { limit: 100 } });
  } catch (err) {
    clear(conversation);
    showError(conversation, `Could not load the conversation: ${err.message}`);
    return;
  }
  if (state.threadId !== id) return;
  clear(conversation);
  const turns = finishedTurns(states || []);
  for (const turn of turns) {
    const view = turnView(turn.answer.question, { open: false });
    for (const record of turn.progress) view.progress.append(progressLine(record));
    view.progressBox.querySelector("summary").textContent = `What it did (${turn.progress.length} steps)`;
    view.answerSlot.append(answerView(turn.answer));
    conversation.append(view.root);
  }
  if (!turns.length) showEmpty();
  if (turns.length) state.titled = true;
  conversation.scrollTop = conversation.scrollHeight;
}

// History states come newest first: the finished ones (nothing next) with an answer, one per
// answer, oldest first.
export function finishedTurns(states) {
  const seen = new Set();
  const turns = [];
  for (const s of states) {
    if ((s.next || []).length) continue;
    const values = s.values || {};
    if (!values.answer) continue;
    const key = JSON.stringify(values.answer);
    if (seen.has(key)) continue;
    seen.add(key);
    turns.push({ answer: values.answer, progress: values.progress || [] });
  }
  return turns.reverse();
}

async function deleteThread(id, title) {
  if (!window.confirm(`Delete the conversation "${title}"?`)) return;
  try {
    await api(`/threads/${encodeURIComponent(id)}`, { method: "DELETE" });
  } catch (err) {
    window.alert(`Could not delete it: ${err.message}`);
    return;
  }
  if (id === state.threadId) {
    state.threadId = null;
    state.titled = false;
    showEmpty();
  }
  await loadThreads();
}

function markActive() {
  for (const item of document.querySelectorAll("#thread-list .thread")) {
    const current = item.dataset.threadId === state.threadId;
    item.classList.toggle("active", current);
    const button = item.querySelector(".thread-title");
    if (current) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

function showEmpty() {
  clear($("conversation")).append(
    el(
      "div",
      { class: "empty", "data-testid": "empty-conversation" },
      el("p", {}, "Ask a question about the filings in the library, for example:"),
      el("p", { class: "example" }, "What was Apple's total net sales for the three months ended July 1, 2023?"),
      el("p", { class: "muted" }, "Follow-up questions in the same conversation keep its companies and periods."),
    ),
  );
}

function showError(container, message) {
  container.append(el("p", { class: "error", role: "alert" }, message));
}

// --- a run ----------------------------------------------------------------------------------------

function setRunning(running) {
  state.running = running;
  $("ask").disabled = Boolean(running);
  $("cancel").hidden = !running;
  $("cancel").disabled = false;
  document.body.classList.toggle("running", Boolean(running));
}

async function ask(question) {
  const conversation = $("conversation");
  const empty = conversation.querySelector(".empty");
  if (empty) empty.remove();
  const view = turnView(question, { open: true });
  conversation.append(view.root);
  view.root.scrollIntoView({ block: "end" });
  const run = { threadId: null, runId: null, controller: new AbortController(), cancelled: false };
  setRunning(run);
  view.status.textContent = "starting…";
  const started = performance.now();
  let finalValues = null;
  let finished = false; // finalize_answer ran in this run
  let failure = null;
  const running = {}; // node -> its placeholder lines, oldest first
  try {
    const title = question.slice(0, TITLE_CHARS);
    // A first question creates its thread in the same request as its run (no round trip first).
    const body = { assistant_id: assistantId(), input: { question }, stream_mode: ["custom", "updates", "values"] };
    let created = false;
    if (!state.threadId) {
      state.threadId = newThreadId();
      state.titled = true;
      Object.assign(body, { if_not_exists: "create", metadata: { app: APP, title } });
      created = true;
    } else if (!state.titled) {
      await api(`/threads/${encodeURIComponent(state.threadId)}`, {
        method: "PATCH",
        json: { metadata: { app: APP, title } },
      });
      state.titled = true;
      loadThreads();
    }
    run.threadId = state.threadId;
    const resp = await send(`/threads/${encodeURIComponent(run.threadId)}/runs/stream`, {
      method: "POST",
      json: body,
      headers: { Accept: "text/event-stream" },
      signal: run.controller.signal,
    });
    if (!resp.ok) {
      if (created) state.threadId = null; // no run, so no thread either
      let detail = `${resp.status} ${resp.statusText}`;
      try {
        const reply = await resp.json();
        detail = String(reply.detail || reply.error || reply.message || detail);
      } catch (_) {
        /* not JSON */
      }
      throw new Error(detail);
    }
    view.status.textContent = "working…";
    for await (const { event, data } of sseEvents(resp)) {
      if (event === "metadata" && data && data.run_id) {
        run.runId = data.run_id;
        if (created) loadThreads(); // the thread exists now
      } else if (event === "custom" && data && data.event === "started") {
        // The node has begun: a placeholder line until its record arrives.
        const line = progressLine({ node: data.node, step: data.step, message: data.message });
        line.classList.add("running");
        view.progress.append(line);
        (running[data.node] = running[data.node] || []).push(line);
      } else if (event === "updates" && data && typeof data === "object") {
        for (const [node, update] of Object.entries(data)) {
          if (node === "finalize_answer") finished = true;
          const records = (update && update.progress) || [];
          const lines = records.map(progressLine);
          if (records.some((record) => record.step === "answer")) finished = true;
          // The node's "started" line gives way to its records (none: it is just removed).
          const placeholder = (running[node] || []).shift();
          if (placeholder) placeholder.replaceWith(...lines);
          else view.progress.append(...lines);
          if (!records.length && !node.startsWith("__")) {
            view.progress.append(progressLine({ node, step: "other", message: node }));
          }
        }
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        view.status.textContent = `working… ${seconds} s`;
      } else if (event === "values") {
        finalValues = data;
      } else if (event === "error") {
        failure = (data && (data.message || data.error)) || String(data);
      } else if (event === "end") {
        break;
      }
    }
  } catch (err) {
    if (!(run.cancelled && err.name === "AbortError")) failure = err.message || String(err);
  } finally {
    // A node that never reported (an error, a cancel) leaves no "…" line behind.
    for (const lines of Object.values(running)) for (const line of lines) line.remove();
    setRunning(null);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const answer = finalValues && finalValues.answer;
  if (finished && answer) {
    view.status.textContent = `answered in ${seconds} s`;
    view.progressBox.querySelector("summary").textContent = `What it did (${view.progress.children.length} steps)`;
    view.answerSlot.append(answerView(answer));
  } else if (run.cancelled) {
    view.status.textContent = `cancelled after ${seconds} s`;
    view.answerSlot.append(el("p", { class: "cancelled", "data-testid": "cancelled" }, "Cancelled."));
  } else {
    view.status.textContent = "";
    showError(view.answerSlot, `The run failed: ${failure || "it ended without an answer"}`);
  }
  view.root.scrollIntoView({ block: "end" });
  loadThreads();
}

async function cancelRun() {
  const run = state.running;
  if (!run) return;
  run.cancelled = true;
  $("cancel").disabled = true;
  try {
    if (run.threadId && run.runId) {
      await api(`/threads/${encodeURIComponent(run.threadId)}/runs/${encodeURIComponent(run.runId)}/cancel`, {
        method: "POST",
      });
    }
  } catch (_) {
    /* the stream is closed below either way */
  }
  run.controller.abort();
}

// --- rendering ------------------------------------------------------------------------------------

function turnView(question, { open }) {
  const progress = el("ol", { class: "progress", "data-testid": "progress" });
  const progressBox = el("details", { class: "progress-box", open }, el("summary", {}, "What it is doing"), progress);
  const status = el("span", { class: "turn-status", "data-testid": "turn-status", "aria-live": "polite" });
  const answerSlot = el("div", { class: "answer-slot" });
  const root = el(
    "article",
    { class: "turn", "data-testid": "turn" },
    el("div", { class: "question", "data-testid": "question" }, el("span", { class: "who" }, "You"), question),
    el("div", { class: "turn-meta" }, status),
    progressBox,
    answerSlot,
  );
  return { root, progress, progressBox, status, answerSlot };
}

function openCitation(citation) {
  openEvidence({ doc_id: citation.doc_id, page: citation.page, quote: citation.quote || "" });
}

function pageButton(passage) {
  const label = `${passage.company || passage.doc_id} p.${passage.page}`;
  return el(
    "button",
    {
      type: "button",
      class: "link page-link",
      title: filingLabel(passage),
      onclick: () => openEvidence({ doc_id: passage.doc_id, page: passage.page }),
    },
    label,
  );
}

// One line per Progress record: its message, plus what the step found.
export function progressLine(record) {
  const line = el(
    "li",
    { class: "progress-line", "data-step": record.step || "other", "data-node": record.node || "" },
    el("span", { class: "step" }, record.step || record.node || ""),
    el("span", { class: "message" }, record.message || record.node || ""),
  );
  if (record.seconds) line.append(el("span", { class: "seconds" }, `${Number(record.seconds).toFixed(1)} s`));
  const extra = el("div", { class: "progress-extra" });
  if (record.step === "scope" && (record.filings || []).length) {
    extra.append(el("span", { class: "label" }, "filings: "), record.filings.map(filingLabel).join("; "));
  } else if (record.step === "retrieve" && (record.passages || []).length) {
    const seen = new Set();
    extra.append(el("span", { class: "label" }, "pages: "));
    for (const p of record.passages) {
      const key = `${p.doc_id}#${p.page}`;
      if (seen.has(key)) continue;
      seen.add(key);
      extra.append(pageButton(p), " ");
    }
  } else if (record.step === "critique") {
    const verdicts = el("ul", { class: "verdicts" });
    for (const claim of record.claims || []) {
      verdicts.append(
        el("li", {}, el("span", { class: `verdict v-${claim.verdict}` }, claim.verdict), " ", claim.text),
      );
    }
    if (record.route) extra.append(el("span", { class: "label" }, "route: "), record.route);
    if ((record.claims || []).length) extra.append(verdicts);
  }
  if (extra.childNodes.length) line.append(extra);
  return line;
}

const BADGES = {
  accepted: "ok",
  "not reported": "warn",
  "abstained: budget": "warn",
  "abstained: no evidence": "warn",
  "out of scope": "muted",
  "invalid question": "muted",
  error: "bad",
};

// The answer text, with [n] markers as links to their citations.
function answerText(answer) {
  const byN = new Map((answer.citations || []).map((c) => [Number(c.n), c]));
  const p = el("div", { class: "answer-text", "data-testid": "answer-text" });
  const text = String(answer.text || "");
  const marker = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
  let at = 0;
  let m;
  while ((m = marker.exec(text)) !== null) {
    if (m.index > at) p.append(document.createTextNode(text.slice(at, m.index)));
    const numbers = m[1].split(",").map((s) => Number(s.trim()));
    if (numbers.every((n) => byN.has(n))) {
      for (const n of numbers) p.append(citeLink(byN.get(n)));
    } else {
      p.append(document.createTextNode(m[0]));
    }
    at = m.index + m[0].length;
  }
  if (at < text.length) p.append(document.createTextNode(text.slice(at)));
  return p;
}

function citeLink(citation) {
  return el(
    "a",
    {
      href: "#",
      class: "cite",
      "data-testid": "citation",
      "data-n": citation.n,
      title: `${filingLabel(citation)}, page ${citation.page}`,
      onclick: (event) => {
        event.preventDefault();
        openCitation(citation);
      },
    },
    `[${citation.n}]`,
  );
}

function sourcesList(citations, heading) {
  const list = el("ol", { class: "sources" });
  for (const c of citations) {
    list.append(
      el(
        "li",
        { value: c.n },
        el(
          "button",
          { type: "button", class: "link source-link", "data-testid": "source", onclick: () => openCitation(c) },
          `${filingLabel(c) || c.doc_id}, page ${c.page}`,
        ),
        c.section ? el("span", { class: "muted" }, ` · ${c.section}`) : null,
        c.quote ? el("q", { class: "quote" }, c.quote) : null,
      ),
    );
  }
  return el("div", { class: "sources-box" }, el("h4", {}, heading), list);
}

function kv(dl, name, value) {
  dl.append(el("dt", {}, name), el("dd", {}, value));
}

function detailsView(answer) {
  const details = el("details", { class: "answer-details", "data-testid": "answer-details" }, el("summary", {}, "Details"));
  const claims = answer.claims || [];
  if (claims.length) {
    const table = el(
      "table",
      { class: "claims" },
      el("thead", {}, el("tr", {}, el("th", {}, "Claim"), el("th", {}, "Verdict"), el("th", {}, "Figures"))),
    );
    const body = el("tbody");
    for (const c of claims) {
      body.append(
        el(
          "tr",
          {},
          el("td", {}, c.text),
          el("td", {}, el("span", { class: `verdict v-${c.verdict}` }, c.verdict), c.reason ? el("div", { class: "muted" }, c.reason) : null),
          el("td", {}, (c.numbers || []).join(", ")),
        ),
      );
    }
    table.append(body);
    details.append(el("h4", {}, "Claims"), table);
  }
  const calcs = answer.calculations || [];
  if (calcs.length) {
    // Figures our code computed from the filings' stored facts: each operand's row, period and page.
    const table = el(
      "table",
      { class: "claims calculations", "data-testid": "calculations" },
      el("thead", {}, el("tr", {}, el("th", {}, "Computed"), el("th", {}, "From (row, period, page)"))),
    );
    const body = el("tbody");
    for (const c of calcs) {
      const from = el("ul");
      for (const o of c.operands || []) from.append(el("li", {}, `${o.label}, ${o.period}: ${o.printed} (page ${Number(o.page) + 1})`));
      body.append(el("tr", {}, el("td", {}, c.name, el("div", { class: "muted" }, c.expression)), el("td", {}, from)));
    }
    table.append(body);
    details.append(el("h4", {}, "Calculations"), table);
  }
  const dl = el("dl", { class: "facts" });
  const usage = answer.usage || {};
  kv(dl, "Faithfulness", answer.faithfulness !== undefined ? Number(answer.faithfulness).toFixed(2) : "–");
  kv(dl, "Revisions", String(answer.revisions ?? 0));
  kv(
    dl,
    "LLM calls",
    `${usage.llm_calls ?? 0} (${fmtNumber(usage.prompt_tokens ?? 0)} prompt + ${fmtNumber(usage.completion_tokens ?? 0)} completion tokens)`,
  );
  kv(dl, "Fallbacks", (answer.fallbacks || []).length ? answer.fallbacks.join(", ") : "none");
  const scope = answer.scope || {};
  if (scope.status) kv(dl, "Scope", [scope.status, scope.reason].filter(Boolean).join(": "));
  details.append(el("h4", {}, "Run"), dl);
  const seconds = Object.entries(answer.node_seconds || {});
  if (seconds.length) {
    const table = el("table", { class: "node-seconds" });
    const body = el("tbody");
    let total = 0;
    for (const [node, s] of seconds) {
      total += Number(s) || 0;
      body.append(el("tr", {}, el("td", {}, node), el("td", { class: "num" }, `${Number(s).toFixed(2)} s`)));
    }
    body.append(el("tr", { class: "total" }, el("td", {}, "total"), el("td", { class: "num" }, `${total.toFixed(2)} s`)));
    table.append(body);
    details.append(el("h4", {}, "Seconds per node"), table);
  }
  return details;
}

export function answerView(answer) {
  const stop = answer.stop_reason || "accepted";
  const root = el("section", { class: "answer", "data-testid": "answer", "data-stop": stop });
  root.append(
    el(
      "div",
      { class: "answer-head" },
      el("span", { class: "who" }, "Answer"),
      el("span", { class: `stop-badge badge-${BADGES[stop] || "muted"}`, "data-testid": "stop-badge" }, stop),
    ),
  );
  const body = el("div", { class: "answer-body" }, answerText(answer));
  const chart = chartFor(answer, openCitation);
  if (chart) body.append(chart);
  root.append(body);
  const citations = answer.citations || [];
  if (citations.length) {
    const heading = stop.startsWith("abstained") || stop === "not reported" ? "Passages found" : "Sources";
    root.append(sourcesList(citations, heading));
  }
  root.append(detailsView(answer));
  return root;
}
