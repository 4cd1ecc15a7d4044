// knoten service worker: keeps the facilitator's pages usable when the venue network drops.
// Pages under /w/ and the static files are fetched from the network first and kept; offline, the
// last copy is shown.
// API calls are never cached: writes wait in the page's queue instead. Nothing holding a secret
// is kept: no URL with a token or login code, no redirect (a sign-in), nothing marked no-store.
"use strict";
const CACHE = "knoten-v2"; // v1 kept pages that held the facilitator's token: activate deletes it
const ASSETS = ["/static/app.css", "/static/console.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(url, response) {
  const params = new URL(url).searchParams;
  return response.ok && !response.redirected && !params.has("token") && !params.has("code") &&
    !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

// A page asks to be kept as soon as the worker runs, so even the first visit survives a reload offline.
self.addEventListener("message", function (event) {
  const url = event.data && event.data.keep;
  if (!url || new URL(url).origin !== self.location.origin) return;
  event.waitUntil(fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (keepable(url, response)) return caches.open(CACHE).then(function (cache) { return cache.put(url, response); });
  }).catch(function () {}));
});

// Network first, the kept copy when the network is gone: a tablet that was here before gets a new
// release's script and styles on its next load (served from the cache first, it kept the old ones).
function networkFirst(event, keep) {
  let stored = Promise.resolve();
  const answer = fetch(event.request).then(function (response) {
    if (keep(response)) {
      const copy = response.clone();
      stored = caches.open(CACHE).then(function (cache) { return cache.put(event.request, copy); });
    }
    return response;
  });
  event.respondWith(answer.catch(function () {
    return caches.match(event.request).then(function (hit) { return hit || Response.error(); });
  }));
  event.waitUntil(answer.then(function () { return stored; }, function () {}));
}

self.addEventListener("fetch", function (event) {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    networkFirst(event, function (response) { return response.ok; });
  } else if (url.pathname.startsWith("/w/")) {
    networkFirst(event, function (response) { return keepable(event.request.url, response); });
  }
});
