// knoten console: writes go through a queue kept in localStorage (with their idempotency
// keys) and are sent when the network allows; the panel refreshes on live events.
"use strict";

(function () {
  const meta = document.querySelector('meta[name="knoten"]');
  if (!meta) return;
  const cfg = meta.dataset;
  const queueKey = "knoten-queue-" + cfg.workshop;
  const net = document.getElementById("net");
  const netText = document.getElementById("net-text");
  let flushing = false;
  let online = navigator.onLine;
  let signedOut = false; // the sign-in was revoked: writes wait until the facilitator signs in again
  let lastEventId = cfg.version || "0";

  function load() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(queueKey, JSON.stringify(items)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function showStatus() {
    const waiting = load().length;
    const parts = [signedOut ? cfg.signedOut : online ? cfg.online : cfg.offline];
    if (waiting) parts.push(cfg.waiting.replace("{n}", String(waiting)));
    netText.textContent = parts.join(" · ");
    net.classList.toggle("offline", !online);
    net.dataset.waiting = String(waiting);
    renderPending();
  }

  function renderPending() {
    const list = document.getElementById("pending");
    if (!list) return;
    list.replaceChildren(...load().map(function (item) {
      const li = document.createElement("li");
      li.className = "pending";
      li.textContent = "… " + (item.label || "") + (item.summary ? ": " + item.summary : "");
      return li;
    }));
  }

  function notice(text) {
    const box = document.getElementById("notices") || document.getElementById("panel");
    const p = document.createElement("p");
    p.className = "notice warn";
    p.setAttribute("role", "alert");
    p.textContent = cfg.failed + ": " + text;
    box.prepend(p);
    setTimeout(function () { p.remove(); }, 8000);
  }

  function enqueue(method, path, body, label, summary) {
    const items = load();
    items.push({ key: newKey(), method: method, path: path, body: body, label: label, summary: summary });
    save(items);
    showStatus();
    flush();
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    let sent = false;
    try {
      for (;;) {
        const items = load();
        if (!items.length) break;
        const item = items[0];
        let response;
        try {
          response = await fetch(item.path, {
            method: item.method,
            credentials: "same-origin",
            headers: {
              "X-CSRFToken": cfg.csrf,
              "Idempotency-Key": item.key,
              "Content-Type": "application/json",
              "Accept": "application/json",
            },
            body: item.body === null ? undefined : JSON.stringify(item.body),
          });
        } catch (e) {
          online = false;
          break; // no network: keep the write, try again later
        }
        online = true;
        signedOut = response.status === 401;
        if (signedOut || response.status >= 500 || response.status === 429) break; // keep it, try again later
        save(load().filter(function (other) { return other.key !== item.key; }));
        sent = true;
        if (!response.ok) {
          let detail = response.statusText;
          try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
          notice(detail);
        }
      }
    } finally {
      flushing = false;
      showStatus();
      if (sent) refresh();
    }
  }

  let refreshTimer = null;
  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async function () {
      try {
        const response = await fetch(cfg.panel, { headers: { "Accept": "text/html" } });
        if (signedOut !== (response.status === 401)) { signedOut = response.status === 401; showStatus(); }
        if (!response.ok) return;
        const html = await response.text();
        const panel = document.getElementById("panel");
        const active = document.activeElement && document.activeElement.id;
        const typed = {};
        panel.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
          if (field.value && field.type !== "hidden") typed[field.id] = field.value;
        });
        panel.innerHTML = html;
        Object.keys(typed).forEach(function (id) {
          const field = document.getElementById(id);
          if (field) field.value = typed[id];
        });
        if (active && document.getElementById(active)) document.getElementById(active).focus();
        renderPending();
      } catch (e) { /* offline: keep what is shown */ }
    }, 150);
  }

  function formBody(form) {
    const body = {};
    new FormData(form).forEach(function (value, name) {
      const field = form.elements[name];
      if (value === "") return;
      if (field && field.dataset && field.dataset.type === "int") { body[name] = parseInt(value, 10); return; }
      if (field && field.type === "datetime-local") { body[name] = value + ":00" + (field.dataset.zone || "Z"); return; }
      body[name] = value;
    });
    return body;
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-api]");
    if (!form) return;
    event.preventDefault();
    const body = formBody(form);
    enqueue(form.dataset.api, form.dataset.path, body, form.dataset.label, body.text || body.title || "");
    form.reset();
    const first = form.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
  });

  let picked = null;
  let placing = null; // the barcamp grid: the place path of the proposal tapped, until a cell is tapped
  function markPlacing() {
    document.querySelectorAll("[data-place-path].selected").forEach(function (b) { b.classList.remove("selected"); });
    if (!placing) return;
    document.querySelectorAll("[data-place-path]").forEach(function (b) {
      if (b.dataset.placePath === placing) b.classList.add("selected");
    });
  }
  const placingPanel = document.getElementById("panel"); // a live refresh keeps the tapped proposal marked
  if (placingPanel && window.MutationObserver) new MutationObserver(markPlacing).observe(placingPanel, { childList: true });
  document.addEventListener("click", function (event) {
    const proposal = event.target.closest("button[data-place-path]");
    if (proposal) {
      placing = placing === proposal.dataset.placePath ? null : proposal.dataset.placePath;
      markPlacing();
      return;
    }
    const cell = event.target.closest("button[data-place-room]");
    if (cell) {
      if (!placing) return;
      const body = { room: cell.dataset.placeRoom, slot: parseInt(cell.dataset.placeSlot, 10) };
      enqueue("POST", placing, body, cell.dataset.label, cell.dataset.placeRoom);
      placing = null;
      markPlacing();
      return;
    }
    if (event.target.closest("[data-print]")) { window.print(); return; }
    const button = event.target.closest("button[data-api]");
    if (button) {
      event.preventDefault();
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      const body = button.dataset.body ? JSON.parse(button.dataset.body) : null;
      enqueue(button.dataset.api, button.dataset.path, body, button.dataset.label, "");
      return;
    }
    const pick = event.target.closest("button[data-pick]");
    if (!pick) return;
    document.querySelectorAll("button[data-pick].selected").forEach(function (b) {
      if (b.dataset.pick === pick.dataset.pick) b.classList.remove("selected");
    });
    pick.classList.add("selected");
    picked = picked || {};
    picked[pick.dataset.pick] = pick.dataset.id;
    if (picked.offer && picked.request) {
      enqueue("POST", pick.dataset.match, { offer_id: picked.offer, request_id: picked.request }, "↔", "");
      picked = null;
    }
  });

  function listen() {
    if (!window.EventSource) return;
    const url = "/api/workshops/" + cfg.workshop + "/stream?last_event_id=" + encodeURIComponent(lastEventId);
    const source = new EventSource(url);
    source.onmessage = null;
    source.onopen = function () { online = true; showStatus(); flush(); };
    source.onerror = function () {
      online = navigator.onLine && source.readyState !== EventSource.CLOSED;
      showStatus();
      if (source.readyState === EventSource.CLOSED) refresh(); // refused: was this device signed out?
    };
    const onEvent = function (event) {
      if (event.lastEventId) lastEventId = event.lastEventId;
      refresh();
    };
    ["signup_recorded", "signup_withdrawn", "waitlist_promoted", "commitment_made", "commitment_completed",
      "note_taken", "card_added", "card_voted", "offer_posted", "match_made", "session_opened", "session_closed",
      "phase_advanced", "session_planned", "person_erased", "workshop_closed"].forEach(function (type) {
      source.addEventListener(type, onEvent);
    });

    // the barcamp's grid and proposals
    ["grid_set", "proposal_made", "proposal_withdrawn", "interest_shown", "interest_withdrawn", "hands_counted",
      "proposal_placed"].forEach(function (type) { source.addEventListener(type, onEvent); });
  }

  window.addEventListener("online", function () { online = true; showStatus(); flush(); });
  window.addEventListener("offline", function () { online = false; showStatus(); });
  setInterval(flush, 5000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ keep: location.href });
    });
  }
  showStatus();
  flush();
  listen();
})();
