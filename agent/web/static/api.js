// Same-origin requests to the LangGraph server and the web routes, with the bearer token.
//
// The token lives in localStorage (`filings_token`) and in the `filings_token` cookie (so that page
// images, loaded by <img>, are authorised too). A 401 asks for the token once (one prompt shared by
// every request that was refused) and retries.

const TOKEN_KEY = "filings_token";

export function storedToken() {
  let token = null;
  try {
    token = window.localStorage.getItem(TOKEN_KEY);
  } catch (_) {
    token = null;
  }
  if (token) return token;
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === TOKEN_KEY && rest.length) {
      try {
        return decodeURIComponent(rest.join("="));
      } catch (_) {
        return rest.join("=");
      }
    }
  }
  return null;
}

export function storeToken(token) {
  try {
    window.localStorage.setItem(TOKEN_KEY, token);
  } catch (_) {
    /* private mode: the cookie still carries it */
  }
  document.cookie = `${TOKEN_KEY}=${encodeURIComponent(token)}; path=/; SameSite=Strict`;
}

export function authHeaders() {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// --- the token prompt ---------------------------------------------------------------------------

let pending = null; // one prompt for every refused request
let entered = null; // the token typed into the prompt last

// Shows the token prompt; resolves with the token entered. Every refused request waits for the
// same prompt, then retries.
export function askForToken() {
  if (pending) return pending;
  const refused = entered !== null && storedToken() === entered;
  const message = refused
    ? "That token was refused. Enter the server's access token."
    : "This server needs an access token.";
  const prompt = document.getElementById("token-prompt");
  const form = document.getElementById("token-form");
  const input = document.getElementById("token-input");
  const note = document.getElementById("token-message");
  note.textContent = message;
  document.body.classList.add("locked");
  prompt.hidden = false;
  input.value = "";
  input.focus();
  pending = new Promise((resolve) => {
    const submit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      form.removeEventListener("submit", submit);
      storeToken(token);
      entered = token;
      prompt.hidden = true;
      document.body.classList.remove("locked");
      pending = null;
      resolve(token);
    };
    form.addEventListener("submit", submit);
  });
  return pending;
}

// --- fetch with the token -------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function errorOf(resp) {
  let body = null;
  let message = `${resp.status} ${resp.statusText}`;
  try {
    body = await resp.json();
    if (body && typeof body === "object") {
      message = String(body.error || body.detail || body.message || message);
    }
  } catch (_) {
    /* not JSON */
  }
  return new ApiError(resp.status, message, body);
}

// fetch() with the Authorization header; a 401 prompts for the token and retries.
export async function send(path, { method = "GET", json, headers = {}, signal } = {}) {
  for (;;) {
    const init = { method, headers: { ...headers, ...authHeaders() }, signal, credentials: "same-origin" };
    if (json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    const resp = await fetch(path, init);
    if (resp.status !== 401) return resp;
    await askForToken();
  }
}

export async function api(path, options = {}) {
  const resp = await send(path, options);
  if (!resp.ok) throw await errorOf(resp);
  if (resp.status === 204) return null;
  const text = await resp.text();
  return text ? JSON.parse(text) : null;
}

// --- server-sent events from a fetch body -----------------------------------------------------------

// Yields {event, data} for each event of a text/event-stream response body.
export async function* sseEvents(resp) {
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = boundary(buffer)) !== null) {
        const block = buffer.slice(0, cut.start);
        buffer = buffer.slice(cut.end);
        const parsed = parseBlock(block);
        if (parsed) yield parsed;
      }
    }
    buffer += decoder.decode();
    const last = parseBlock(buffer);
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}

function boundary(text) {
  const match = /\r?\n\r?\n|\r\r/.exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : null;
}

function parseBlock(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n|\r/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  const raw = data.join("\n");
  try {
    return { event, data: JSON.parse(raw) };
  } catch (_) {
    return { event, data: raw };
  }
}

// The assistant every run uses: ?assistant=<id>, else the served graph "research".
export function assistantId() {
  return new URLSearchParams(window.location.search).get("assistant") || "research";
}

// Upload one file (multipart field `file`) with progress; resolves {status, body}.
export function uploadFile(path, file, onProgress, onUploaded) {
  return new Promise((resolve) => {
    const attempt = () => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", path);
      const headers = authHeaders();
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      });
      xhr.upload.addEventListener("load", () => onUploaded());
      xhr.addEventListener("load", async () => {
        if (xhr.status === 401) {
          await askForToken();
          attempt();
          return;
        }
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch (_) {
          body = null;
        }
        resolve({ status: xhr.status, body });
      });
      xhr.addEventListener("error", () => resolve({ status: 0, body: { error: "network error" } }));
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    };
    attempt();
  });
}
