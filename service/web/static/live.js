// knoten live pages without an account (programme, projector, pitch): the panel is read again
// each time the programme's public stream says it changed. No polling; EventSource resumes.
"use strict";

(function () {
  const meta = document.querySelector('meta[name="knoten-live"]');
  const panel = document.getElementById("panel");
  if (!meta || !panel || !window.EventSource) return;
  let timer = null;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      try {
        const response = await fetch(meta.dataset.panel, { headers: { "Accept": "text/html" }, credentials: "same-origin" });
        if (response.ok) panel.innerHTML = await response.text();
      } catch (e) { /* offline: keep what is shown */ }
    }, 150);
  }
  const source = new EventSource(meta.dataset.stream);
  source.addEventListener("programme", refresh);
})();
