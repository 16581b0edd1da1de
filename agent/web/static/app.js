// Entry point: the views (chat, library), the evidence panel and the token prompt.

import { api, askForToken, storedToken } from "./api.js";
import { initChat, loadThreads } from "./chat.js";
import { initEvidence } from "./evidence.js";
import { initLibrary, loadLibrary } from "./library.js";

const VIEWS = ["chat", "library"];

function show(view) {
  for (const name of VIEWS) {
    document.getElementById(`view-${name}`).hidden = name !== view;
    const tab = document.getElementById(`nav-${name}`);
    tab.setAttribute("aria-selected", String(name === view));
    tab.classList.toggle("active", name === view);
  }
  if (view === "library") loadLibrary();
  if (window.location.hash !== `#${view}`) history.replaceState(null, "", `${window.location.pathname}${window.location.search}#${view}`);
}

function currentView() {
  const name = window.location.hash.slice(1);
  return VIEWS.includes(name) ? name : "chat";
}

async function start() {
  initEvidence();
  initChat();
  initLibrary();
  for (const name of VIEWS) document.getElementById(`nav-${name}`).addEventListener("click", () => show(name));
  window.addEventListener("hashchange", () => show(currentView()));
  let config = { auth: false };
  try {
    config = (await api("/web/api/config")) || config;
  } catch (_) {
    /* an older server: requests will ask for a token when refused */
  }
  document.body.dataset.auth = String(Boolean(config.auth));
  if (config.auth && !storedToken()) await askForToken();
  show(currentView());
  document.body.classList.add("ready");
  await loadThreads();
}

start();
