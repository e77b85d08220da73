/* Tadamon till service worker, scoped to one shop's till (/shop/<id>/).
 *
 * The till page, its scripts, styles and fonts come from the network when it answers and
 * from this cache when it does not (no connection, server down): the till opens and sells
 * offline once it has been opened on this device. Only GET requests are served here; the
 * till's API calls (sales, catalogue) go to the network and the page keeps its own queue.
 */
"use strict";
var CACHE = "tadamon-till-v1";

function tillUrl() { return new URL("pos", self.registration.scope).href; }

function assetsOf(html) {
  var found = [], re = /(?:src|href)="(\/static\/[^"]+)"/g, m;
  while ((m = re.exec(html))) { found.push(m[1].replace(/&amp;/g, "&")); }
  return found;
}

/* Keep a copy of the till page and everything it loads. */
function refresh() {
  return caches.open(CACHE).then(function (cache) {
    return fetch(tillUrl(), { credentials: "same-origin", redirect: "follow" }).then(function (resp) {
      if (!resp.ok || resp.redirected) { return null; }
      return resp.clone().text().then(function (html) {
        return cache.put(tillUrl(), resp).then(function () {
          return Promise.all(assetsOf(html).map(function (url) {
            return fetch(url, { credentials: "same-origin" }).then(function (r) {
              return r.ok ? cache.put(url, r) : null;
            }).catch(function () { return null; });
          }));
        });
      });
    });
  }).catch(function () { return null; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(refresh().then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("message", function (event) {
  if (event.data === "refresh") { event.waitUntil(refresh()); }
});

function fromCache(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: request.mode === "navigate" }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var isTill = request.mode === "navigate" && url.href.split("?")[0] === tillUrl();
  var isAsset = url.pathname.indexOf("/static/") === 0;
  if (!isTill && !isAsset) { return; }
  event.respondWith(fetch(request).then(function (resp) {
    if (resp.ok && !resp.redirected) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (cache) { cache.put(isTill ? tillUrl() : request, copy); });
      return resp;
    }
    if (isTill && resp.redirected) { return resp; }
    return resp.ok ? resp : fromCache(request).then(function (hit) { return hit.type === "error" ? resp : hit; });
  }).catch(function () { return fromCache(request); }));
});
