// knoten console, and a participant's phone on a session page: writes go through a queue kept
// in localStorage (with their idempotency keys) and are sent when the network allows; the panel
// refreshes on live events (the phone listens to its session's signals, `data-stream`).
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

  function notice(text, good) {
    const box = document.getElementById("notices") || document.getElementById("panel");
    const p = document.createElement("p");
    p.className = good ? "notice ok" : "notice warn";
    p.setAttribute("role", good ? "status" : "alert");
    p.textContent = good ? text : cfg.failed + ": " + text;
    box.prepend(p);
    setTimeout(function () { p.remove(); }, good ? 4000 : 8000);
    return p;
  }

  // A removal (of a note, card, offer or match) is kept back for the undo window and sent
  // after it (`notBefore`); the thing is hidden meanwhile (`hide`). Undo drops it from the queue.
  function enqueue(method, path, body, label, summary, options) {
    const items = load();
    const key = newKey();
    const extra = options || {};
    items.push({ key: key, method: method, path: path, body: body, label: label, summary: summary,
      notBefore: extra.notBefore || 0, hide: extra.hide || "", toggles: extra.toggles || "" });
    save(items);
    hidePending();
    showStatus();
    flush();
    if (extra.notBefore) setTimeout(flush, extra.notBefore - Date.now() + 50);
    return key;
  }

  function hidePending() {
    load().forEach(function (item) {
      const element = item.hide && document.getElementById(item.hide);
      if (element) element.hidden = true;
    });
  }

  // A choice among a group of toggles (a poll's dates) made here is shown as made until the
  // server has it: a refresh that began before (another phone's answer arrived) would show the
  // choice before it, and the next tap would send that older choice with one date changed.
  const chosenHere = {}; // a group's path -> { chosen, settled: when the server answered }
  function showChosen(started) {
    const queued = {};
    load().forEach(function (item) { if (item.toggles) queued[item.path] = item.body[item.toggles]; });
    document.querySelectorAll("[data-group][data-path]").forEach(function (group) {
      const path = group.dataset.path;
      const here = chosenHere[path];
      let chosen = queued[path];
      if (!chosen && here && !(here.settled && here.settled < started)) chosen = here.chosen;
      if (!chosen) return;
      group.querySelectorAll("button[data-toggle]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(chosen.indexOf(parseInt(button.dataset.toggle, 10)) !== -1));
      });
    });
  }

  let inFlight = null;
  function cancel(key) {
    if (key === inFlight) return false;
    const items = load();
    const item = items.find(function (other) { return other.key === key; });
    if (!item) return false;
    save(items.filter(function (other) { return other.key !== key; }));
    const element = item.hide && document.getElementById(item.hide);
    if (element) element.hidden = false;
    showStatus();
    return true;
  }

  // An undo that needs what the server answered (the id of a match) waits for the answer.
  const waiting = {};
  const answered = {};
  function whenAnswered(key, then) {
    if (key in answered) { then(answered[key]); return; }
    waiting[key] = then;
  }
  function remember(key) {
    waiting[key] = function (answer) { answered[key] = answer; };
  }

  const UNDO_MS = 8000;
  let undoTimer = null;
  function offerUndo(text, undo) {
    const texts = document.getElementById("undo-texts");
    if (!texts) return;
    let bar = document.getElementById("undo");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "undo";
      bar.className = "undo-bar";
      bar.setAttribute("role", "status");
      document.body.appendChild(bar);
    }
    const label = document.createElement("span");
    label.textContent = text;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = texts.dataset.undo;
    button.addEventListener("click", function () {
      undo();
      clearTimeout(undoTimer);
      label.textContent = texts.dataset.undone;
      button.remove();
      undoTimer = setTimeout(function () { bar.replaceChildren(); bar.hidden = true; }, 2000);
    });
    bar.replaceChildren(label, button);
    bar.hidden = false;
    clearTimeout(undoTimer);
    undoTimer = setTimeout(function () { bar.replaceChildren(); bar.hidden = true; }, UNDO_MS);
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    let sent = false;
    try {
      for (;;) {
        const now = Date.now();
        const item = load().find(function (other) { return !(other.notBefore > now); });
        if (!item) break; // nothing, or only removals still in their undo window
        inFlight = item.key;
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
        if (waiting[item.key]) {
          let answer = null;
          try { answer = response.ok ? await response.clone().json() : null; } catch (e) { /* not JSON */ }
          const then = waiting[item.key];
          delete waiting[item.key];
          then(answer);
        }
        if (!response.ok) {
          let detail = response.statusText;
          try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
          notice(detail);
        }
      }
    } finally {
      inFlight = null;
      flushing = false;
      showStatus();
      if (sent) refresh();
    }
  }

  let refreshTimer = null;
  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async function () {
      const started = Date.now();
      try {
        const response = await fetch(cfg.panel, { headers: { "Accept": "text/html" } });
        if (signedOut !== (response.status === 401)) { signedOut = response.status === 401; showStatus(); }
        if (!response.ok) return;
        const html = await response.text();
        const panel = document.getElementById("panel");
        const active = document.activeElement && document.activeElement.id;
        const typed = {};
        const opened = Array.from(panel.querySelectorAll("details[open][id]")).map(function (d) { return d.id; });
        panel.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
          // a prefilled field (the edit form) keeps only what was typed over its value
          if (field.value && field.type !== "hidden" && field.value !== field.defaultValue) typed[field.id] = field.value;
        });
        panel.innerHTML = html;
        showClosed(panel);
        Object.keys(typed).forEach(function (id) {
          const field = document.getElementById(id);
          if (field) field.value = typed[id];
        });
        if (active && document.getElementById(active)) document.getElementById(active).focus();
        opened.forEach(function (id) { const d = document.getElementById(id); if (d) d.open = true; });
        hidePending();
        showChosen(started);
        renderPending();
      } catch (e) { /* offline: keep what is shown */ }
    }, 150);
  }

  // The sign-up QR code and link outside the panel go once the session has closed.
  function showClosed(panel) {
    const status = panel.querySelector("[data-session-status]");
    if (!status || !["closed", "cancelled"].includes(status.dataset.sessionStatus)) return;
    document.querySelectorAll("[data-signup-qr]").forEach(function (part) { part.remove(); });
    document.querySelectorAll("[data-signup-closed]").forEach(function (part) { part.hidden = false; });
  }

  // The UTC offset of a wall-clock time ("2026-06-08T18:00") in a time zone ("Europe/Berlin"),
  // e.g. "+02:00": the date's own offset (summer or winter time), whatever the browser's zone.
  function zoneOffset(value, zone) {
    const asUtc = new Date(value + ":00Z");
    const parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(asUtc).forEach(function (part) {
      parts[part.type] = parseInt(part.value, 10);
    });
    const there = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
    const minutes = Math.round((there - asUtc.getTime()) / 60000);
    const sign = minutes < 0 ? "-" : "+";
    const pad = function (n) { return String(n).padStart(2, "0"); };
    return sign + pad(Math.floor(Math.abs(minutes) / 60)) + ":" + pad(Math.abs(minutes) % 60);
  }

  function formBody(form) {
    const body = {};
    new FormData(form).forEach(function (value, name) {
      const field = form.elements[name];
      if (value === "") return;
      // a form that also posts without script (the pitch page) keeps its own fields to itself
      if (name === "_csrf_token" || (field && field.dataset && "formOnly" in field.dataset)) return;
      if (form.dataset.api === "PATCH" && field && field.defaultValue === value) return; // a correction: what changed
      let converted = value;
      if (field && field.dataset && field.dataset.type === "int") converted = parseInt(value, 10);
      else if (field && field.dataset && field.dataset.type === "bool") converted = value === "true";
      else if (field && field.type === "datetime-local") {
        converted = value + ":00" + (field.dataset.timezone ? zoneOffset(value, field.dataset.timezone) : field.dataset.zone || "Z");
      }
      if (field && field.dataset && field.dataset.list) { // several fields make one list, e.g. a poll's dates
        (body[field.dataset.list] = body[field.dataset.list] || []).push(converted);
        return;
      }
      body[name] = converted;
    });
    return body;
  }

  // A field whose change mails people (a new time or room; more places for the waitlist) asks first.
  function mailsAsk(form) {
    const asking = Array.from(form.querySelectorAll("[data-mails]")).filter(function (field) {
      if (field.value === field.defaultValue) return false;
      if (field.dataset.up === undefined) return true;
      const wanted = field.value === "" ? Infinity : parseInt(field.value, 10);
      return wanted > Math.max(parseInt(field.defaultValue || "0", 10), parseInt(field.dataset.up, 10));
    });
    return asking.length ? asking[0].dataset.mails : null;
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-api]");
    if (!form) return;
    event.preventDefault();
    const ask = mailsAsk(form);
    if (ask && !window.confirm(ask)) return;
    const body = formBody(form);
    if (form.dataset.api === "PATCH" && !Object.keys(body).length) return; // nothing corrected
    if (form.dataset.who) whoOf(form, body);
    const asks = form.dataset.confirm && (!form.dataset.confirmIf || body[form.dataset.confirmIf]);
    if (asks && !window.confirm(form.dataset.confirm)) return;
    if (form.dataset.defer !== undefined) { // kept back for the undo window, like a removal
      const kept = enqueue(form.dataset.api, form.dataset.path, body, form.dataset.label, "",
        { notBefore: Date.now() + UNDO_MS + 500, hide: form.dataset.hide });
      offerUndo(form.dataset.undoLabel || form.dataset.label, function () { cancel(kept); });
      const details = form.closest("details");
      if (details) details.open = false;
      return;
    }
    enqueue(form.dataset.api, form.dataset.path, body, form.dataset.label, body.text || body.title || body.name || "");
    form.reset();
    const warning = form.querySelector("#c-noaddress");
    if (warning) warning.hidden = true;
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
  // The Marktplatz: an offer or request tapped stays marked through a live refresh, until it is
  // matched elsewhere or removed (then it is no longer picked).
  function markPicked() {
    if (!picked) return;
    ["offer", "request"].forEach(function (kind) {
      if (!picked[kind]) return;
      const button = Array.prototype.find.call(document.querySelectorAll('button[data-pick="' + kind + '"]'),
        function (b) { return b.dataset.id === picked[kind]; });
      if (button && !button.disabled) button.classList.add("selected");
      else delete picked[kind];
    });
  }
  const placingPanel = document.getElementById("panel"); // a live refresh keeps the tapped proposal marked
  if (placingPanel && window.MutationObserver) {
    new MutationObserver(function () { markPlacing(); markPicked(); }).observe(placingPanel, { childList: true });
  }
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
    const copy = event.target.closest("button[data-copy]");
    if (copy) { copyLink(copy); return; }
    const toggle = event.target.closest("button[data-toggle]");
    if (toggle) { // one of a group of choices (a poll's dates): the whole group's choice is sent
      event.preventDefault();
      toggle.setAttribute("aria-pressed", toggle.getAttribute("aria-pressed") === "true" ? "false" : "true");
      const group = toggle.closest("[data-group]");
      const chosen = Array.prototype.map.call(
        group.querySelectorAll('button[data-toggle][aria-pressed="true"]'),
        function (b) { return parseInt(b.dataset.toggle, 10); });
      const body = {};
      body[group.dataset.group] = chosen;
      const here = { chosen: chosen, settled: 0 };
      chosenHere[group.dataset.path] = here;
      const key = enqueue("POST", group.dataset.path, body, toggle.dataset.label, "", { toggles: group.dataset.group });
      waiting[key] = function () { here.settled = Date.now(); };
      return;
    }
    const button = event.target.closest("button[data-api]");
    if (button) {
      event.preventDefault();
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      const body = button.dataset.body ? JSON.parse(button.dataset.body) : null;
      const undoLabel = button.dataset.undoLabel;
      if (button.dataset.defer !== undefined) {
        const kept = enqueue(button.dataset.api, button.dataset.path, body, button.dataset.label, "",
          { notBefore: Date.now() + UNDO_MS + 500, hide: button.dataset.hide });
        offerUndo(undoLabel || button.dataset.label, function () { cancel(kept); });
        return;
      }
      const sent = enqueue(button.dataset.api, button.dataset.path, body, button.dataset.label, "");
      if (button.dataset.inverse) {
        const inverse = JSON.parse(button.dataset.inverse);
        offerUndo(undoLabel || button.dataset.label, function () {
          if (!cancel(sent)) enqueue(inverse.method, inverse.path, inverse.body || null, texts().undo, undoLabel || "");
        });
      }
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
    picked[pick.dataset.pick + "Text"] = pick.dataset.text || "";
    if (picked.offer && picked.request) {
      const summary = picked.offerText + " ↔ " + picked.requestText;
      const matches = pick.dataset.match;
      const sent = enqueue("POST", matches, { offer_id: picked.offer, request_id: picked.request }, "↔", summary);
      remember(sent);
      offerUndo(summary, function () {
        if (cancel(sent)) return;
        whenAnswered(sent, function (match) {
          if (match && match.id) enqueue("DELETE", matches + "/" + match.id, null, texts().undo, summary);
        });
      });
      picked = null;
    }
  });

  function texts() {
    const element = document.getElementById("undo-texts");
    return element ? element.dataset : {};
  }

  // The "Who" combobox: a text field that filters the session's people; a picked or exactly
  // typed person is sent as their sign-up, any other name as a typed owner.
  function options(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    return list ? Array.from(list.querySelectorAll("[role=option]")) : [];
  }
  function matching(input) {
    const typed = input.value.trim().toLowerCase();
    return options(input).find(function (option) { return option.dataset.value.toLowerCase() === typed; });
  }
  function whoOf(form, body) {
    const input = document.getElementById(form.dataset.who);
    const person = input && matching(input);
    if (person && !body.owner_email) { delete body.owner_name; body.signup_id = person.dataset.signup; return; }
    if (person) body.owner_name = person.dataset.value.split(" · ")[0];
  }
  function showList(input, open) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    const shown = options(input).filter(function (option) { return !option.hidden; });
    list.hidden = !(open && shown.length);
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (list.hidden) input.removeAttribute("aria-activedescendant");
  }
  function noAddress(input) {
    const warning = document.getElementById("c-noaddress");
    if (!warning) return;
    const person = matching(input);
    warning.hidden = !input.value.trim() || Boolean(person && person.dataset.email);
  }
  function filter(input) {
    const typed = input.value.trim().toLowerCase();
    options(input).forEach(function (option) {
      option.hidden = Boolean(typed) && option.dataset.value.toLowerCase().indexOf(typed) === -1;
      option.setAttribute("aria-selected", "false");
    });
    showList(input, true);
    noAddress(input);
  }
  function choose(input, option) {
    input.value = option.dataset.value;
    showList(input, false);
    noAddress(input);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-combobox]")) filter(event.target);
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-combobox]")) filter(event.target);
  });
  document.addEventListener("focusout", function (event) {
    const input = event.target.matches && event.target.matches("[data-combobox]") ? event.target : null;
    if (input) setTimeout(function () { showList(input, false); noAddress(input); }, 200);
  });
  document.addEventListener("mousedown", function (event) {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault(); // keep the focus in the field
    const input = document.querySelector('[aria-controls="' + option.parentElement.id + '"]');
    if (input) choose(input, option);
  });
  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("[data-combobox]")) return;
    const shown = options(input).filter(function (option) { return !option.hidden; });
    const active = document.getElementById(input.getAttribute("aria-activedescendant") || "");
    let index = shown.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      showList(input, true);
      if (!shown.length) return;
      index = event.key === "ArrowDown" ? (index + 1) % shown.length : (index <= 0 ? shown.length : index) - 1;
      shown.forEach(function (option) { option.setAttribute("aria-selected", "false"); });
      shown[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", shown[index].id);
      shown[index].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter" && active && input.getAttribute("aria-expanded") === "true") {
      event.preventDefault();
      choose(input, active);
    } else if (event.key === "Escape") {
      showList(input, false);
    }
  });

  function listen() {
    if (!window.EventSource) return;
    const stream = cfg.stream || "/api/workshops/" + cfg.workshop + "/stream"; // a phone listens to its session's signals
    const url = stream + "?last_event_id=" + encodeURIComponent(lastEventId);
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
    ["signup_recorded", "signup_withdrawn", "waitlist_promoted", "attendance_marked", "place_released",
      "commitment_made", "commitment_completed", "commitment_corrected", "commitment_withdrawn", "commitment_reopened",
      "note_taken", "note_removed", "card_added", "card_voted", "card_removed", "offer_posted", "offer_removed",
      "match_made", "match_undone", "session_opened", "session_closed", "session_changed", "session_cancelled",
      "phase_advanced", "session_planned", "person_erased", "workshop_closed",
      "agenda_item_added", "agenda_item_started", "decision_recorded", "date_poll_opened", "date_poll_answered",
      "date_fixed", "photo_attached", "photo_removed"].forEach(function (type) {
      source.addEventListener(type, onEvent);
    });

    // the barcamp's grid and proposals
    ["grid_set", "proposal_made", "proposal_withdrawn", "interest_shown", "interest_withdrawn", "hands_counted",
      "proposal_placed", "proposal_unplaced", "programme"].forEach(function (type) { source.addEventListener(type, onEvent); });
  }

  // The public digest's link, copied for sharing; where the clipboard is not offered (no secure
  // context), the link is selected so that it can be copied by hand.
  async function copyLink(button) {
    const field = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(field.value);
      notice(button.dataset.copied, true);
    } catch (e) {
      field.focus();
      field.select();
    }
  }

  // Photos from the tablet's camera: sent as they are (the server checks, shrinks and strips
  // them). An image is too large for the offline queue: if the network is away, it says so.
  document.addEventListener("change", async function (event) {
    const input = event.target.closest("input[data-photo-path]");
    if (!input || !input.files.length) return;
    const files = Array.from(input.files);
    const path = input.dataset.photoPath;
    const label = input.dataset.label;
    const uploading = notice(input.dataset.uploading, true);
    for (const file of files) {
      try {
        const response = await fetch(path, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "X-CSRFToken": cfg.csrf,
            "Idempotency-Key": newKey(),
            "Content-Type": file.type || "application/octet-stream",
            "Accept": "application/json",
          },
          body: file,
        });
        signedOut = response.status === 401;
        if (!response.ok) {
          let detail = response.statusText;
          try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
          notice(label + ": " + detail);
        }
      } catch (e) {
        online = false;
        notice(label);
      }
    }
    uploading.remove();
    showStatus();
    refresh();
  });

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
  hidePending();
  showChosen(0);
  flush();
  load().forEach(function (item) { if (item.notBefore) setTimeout(flush, item.notBefore - Date.now() + 50); });
  listen();
})();
