/* Tadamon till, offline: the local catalogue, the device's receipt numbers, the queue of
 * sales made offline and their sync.
 *
 * - The service worker (till_sw.js, scoped to this shop's till) serves the page offline.
 * - IndexedDB "tadamon-till" keeps: the shop's catalogue (refreshed on opening, every few
 *   minutes and after each sale), this device (its id, code and reserved receipt numbers),
 *   the queue of sales not yet on the server, and the sales that need attention.
 * - An offline sale takes the device's next receipt number (AIR-T2-000123, gapless per
 *   device) in the same IndexedDB transaction that queues it, prints from the browser, and
 *   waits. Sync posts the queue in order, one at a time, each with its client reference (the
 *   server records it once); a network or server error waits and tries again (backoff); a
 *   refusal that cannot change on retry moves the sale to "needs attention", never away.
 *
 * pos.js calls TadamonOffline.scan(code) and TadamonOffline.sell(body, cart) when the server
 * cannot be reached.
 */
(function () {
  "use strict";
  var root = document.getElementById("pos");
  if (!root || !window.indexedDB) { return; }
  var MSG = JSON.parse(document.getElementById("offline-messages").textContent);
  var locationId = parseInt(root.dataset.locationId, 10);
  var sessionId = parseInt(root.dataset.sessionId, 10);
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var locale = root.dataset.locale;
  var zone = root.dataset.timezone;
  var REFRESH_MS = 3 * 60 * 1000, LOW_NUMBERS = 20, MAX_BACKOFF = 15000;
  var banner = document.getElementById("offline-banner");
  var attentionBox = document.getElementById("offline-attention");
  var state = { offline: !navigator.onLine, syncing: false, backoff: 1000, timer: null,
                catalogue: null, queued: 0, signedOut: false };

  /* ---- IndexedDB ------------------------------------------------------------------ */
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open("tadamon-till", 1);
    req.onupgradeneeded = function () {
      var db = req.result;
      db.createObjectStore("meta");
      db.createObjectStore("catalogue");
      db.createObjectStore("queue", { keyPath: "qid", autoIncrement: true });
      db.createObjectStore("attention", { keyPath: "qid" });
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
  function tx(stores, mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode), result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
        result = work(t);
      }).then(function (r) { return r && Object.prototype.hasOwnProperty.call(r, "__value") ? r.__value : r; });
    });
  }
  function reqValue(req) {  // a request's result, read once the transaction completes
    var box = { __value: undefined };
    req.onsuccess = function () { box.__value = req.result; };
    return box;
  }
  function get(store, key) { return tx([store], "readonly", function (t) { return reqValue(t.objectStore(store).get(key)); }); }
  function put(store, value, key) { return tx([store], "readwrite", function (t) { t.objectStore(store).put(value, key); }); }
  function all(store) { return tx([store], "readonly", function (t) { return reqValue(t.objectStore(store).getAll()); }); }
  var deviceKey = "device:" + locationId;

  /* ---- talking to the server -------------------------------------------------------- */
  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": csrf,
                                      "Content-Type": "application/json" }, options.headers || {});
    return fetch(url, options).then(function (resp) {
      if (resp.redirected && resp.url.indexOf("/login") >= 0) { return { status: 401, body: {} }; }
      return resp.json().catch(function () { return {}; }).then(function (body) {
        return { status: resp.status, body: body };
      });
    });
  }
  function reachable() { state.offline = false; render(); }
  function unreachable() { state.offline = true; render(); }

  /* ---- the catalogue ---------------------------------------------------------------- */
  function loadCatalogue() {
    return get("catalogue", locationId).then(function (c) { if (c) { state.catalogue = c; } return c; });
  }
  function refreshCatalogue() {
    return api(root.dataset.catalogueUrl).then(function (r) {
      state.signedOut = r.status === 401;
      if (r.status < 500) { state.offline = false; }
      if (r.status !== 200) { render(); return null; }
      reachable();
      if (state.queued > 0 && !state.syncing) { schedule(0); }
      return queuedSales().then(function (queue) {
        applyQueued(r.body, queue);  // sales not yet on the server still took their stock here
        state.catalogue = r.body;
        return put("catalogue", r.body, locationId);
      });
    }).catch(function () { unreachable(); });
  }
  function applyQueued(catalogue, queue) {
    var byId = {};
    catalogue.lots.forEach(function (l) { byId[l.lot_id] = l; });
    queue.forEach(function (sale) {
      sale.body.lines.forEach(function (ln) {
        var lot = byId[ln.lot_id];
        if (lot) { lot.available = String(Number(lot.available) - Number(ln.quantity)); }
      });
    });
  }

  /* ---- the device and its receipt numbers --------------------------------------------- */
  function device() { return get("meta", deviceKey); }
  function ensureDevice() {
    return device().then(function (d) {
      if (d) { return d; }
      return api(root.dataset.devicesUrl, { method: "POST", body: "{}" }).then(function (r) {
        if (r.status !== 201) { return null; }
        var fresh = { id: r.body.id, code: r.body.code, prefix: r.body.prefix, next: 1, last: 0 };
        return put("meta", fresh, deviceKey).then(function () { return fresh; });
      });
    });
  }
  function reserveIfLow(d) {
    if (!d || d.last - d.next + 1 >= LOW_NUMBERS) { return Promise.resolve(d); }
    return api("/api/v1/devices/" + d.id + "/receipt-blocks", { method: "POST", body: "{}" }).then(function (r) {
      if (r.status !== 201) { return d; }
      return tx(["meta"], "readwrite", function (t) {
        var store = t.objectStore("meta");
        var req = store.get(deviceKey);
        req.onsuccess = function () {
          var cur = req.result;
          if (cur.last < r.body.last) { cur.last = r.body.last; if (cur.next > cur.last + 1) { cur.next = r.body.first; } }
          store.put(cur, deviceKey);
        };
      });
    });
  }
  function reportStatus() {
    return device().then(function (d) {
      if (!d) { return null; }
      return api("/api/v1/devices/" + d.id + "/status", { method: "POST",
        body: JSON.stringify({ cash_session_id: sessionId, queued: state.queued }) });
    }).catch(function () { return null; });
  }
  function number(d, seq) { return d.prefix + "-" + String(seq).padStart(6, "0"); }

  /* ---- offline scanning ------------------------------------------------------------- */
  /* The answer the scan API would give, from the local catalogue. */
  function scan(code) {
    var cat = state.catalogue;
    if (!cat) { return Promise.resolve({ status: 503, body: { error: { code: "no_catalogue", message: MSG.no_catalogue } } }); }
    var found = window.TadamonScan.resolve(code, cat, window.TadamonScan.today(zone));
    if (found.lot) { return Promise.resolve({ status: 200, body: found.lot }); }
    var text = MSG[found.error] || MSG.unknown_code;
    var item = found.item || {};
    if (found.error === "lot_blocked" && item.blocked_message) { text = item.blocked_message; }
    text = text.replace("%(lot)s", item.lot_code || found.lot_code || "").replace("%(code)s", code);
    var fields = found.candidates ? { candidates: found.candidates } : {};
    var status = found.error === "unknown_code" ? 404 : 409;
    return Promise.resolve({ status: status, body: { error: { code: found.error, message: text, fields: fields } } });
  }

  /* Goods without a label, by name or lot code: the sellable lots that match. */
  function search(text) {
    var cat = state.catalogue, day = window.TadamonScan.today(zone);
    var needle = (text || "").trim().toLowerCase();
    var items = ((cat && cat.lots) || []).filter(function (l) {
      return Number(l.available) > 0 && !l.blocked && !(l.best_before && l.best_before < day) &&
        [l.name_fr, l.name_ar, l.lot_code].some(function (s) { return (s || "").toLowerCase().indexOf(needle) >= 0; });
    }).slice(0, 20);
    return Promise.resolve({ status: 200, body: { items: items } });
  }

  /* ---- offline sales: number, queue, print --------------------------------------------- */
  function sell(body, view) {
    var sale = null;
    return tx(["meta", "queue", "catalogue"], "readwrite", function (t) {
      var meta = t.objectStore("meta");
      var req = meta.get(deviceKey);
      req.onsuccess = function () {
        var d = req.result;
        if (!d || d.next > d.last) { t.abort(); return; }
        var seq = d.next;
        d.next = seq + 1;
        meta.put(d, deviceKey);
        sale = { client_ref: body.client_ref, device_number: number(d, seq), sold_at: new Date().toISOString(),
                 view: view, body: Object.assign({}, body, { device_id: d.id, device_seq: seq,
                 cash_session_id: sessionId }) };
        sale.body.sold_at = sale.sold_at;
        t.objectStore("queue").add(sale);
        if (state.catalogue) {
          applyQueued(state.catalogue, [sale]);
          t.objectStore("catalogue").put(state.catalogue, locationId);
        }
      };
    }).then(function () {
      state.queued += 1;
      render();
      schedule(state.backoff);
      return sale;
    }, function () { throw new Error(MSG.no_numbers); });
  }
  function queuedSales() { return all("queue").then(function (q) { return q.sort(function (a, b) { return a.qid - b.qid; }); }); }

  function printReceipt(sale) {
    var box = document.getElementById("offline-receipt");
    var v = sale.view;
    box.querySelector("[data-r=number]").textContent = sale.device_number;
    box.querySelector("[data-r=when]").textContent = new Date(sale.sold_at).toLocaleString(
      locale === "ar" ? "ar-MA" : "fr-MA", { timeZone: zone, numberingSystem: "latn" });
    var body = box.querySelector("[data-r=lines]");
    body.innerHTML = "";
    v.lines.forEach(function (l) {
      var tr = document.createElement("tr");
      [l.name + " · " + l.lot_code, l.quantity, l.total].forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        if (i) { td.className = "num"; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    box.querySelector("[data-r=total]").textContent = v.total;
    box.querySelector("[data-r=paid]").textContent = v.paid;
    box.querySelector("[data-r=change]").textContent = v.change;
    document.body.classList.add("printing-offline-receipt");
    window.print();
    document.body.classList.remove("printing-offline-receipt");
  }

  /* ---- sync ------------------------------------------------------------------------- */
  function schedule(ms) {
    clearTimeout(state.timer);
    state.timer = setTimeout(sync, ms);
  }
  function sync() {
    if (state.syncing) { return Promise.resolve(); }
    state.syncing = true;
    return queuedSales().then(function (queue) {
      state.queued = queue.length;
      render();
      return postNext(queue, 0);
    }).then(function (done) {
      state.syncing = false;
      if (done) {
        state.backoff = 1000;
        reportStatus();
        refreshCatalogue().then(render);
      }
    }, function () { state.syncing = false; });
  }
  function postNext(queue, i) {
    if (i >= queue.length) { return Promise.resolve(true); }
    var sale = queue[i];
    return api(root.dataset.offlineSalesUrl, { method: "POST", body: JSON.stringify(sale.body) }).then(function (r) {
      if (r.status === 200 || r.status === 201) {
        state.signedOut = false;
        reachable();
        return remove(sale).then(function () { return postNext(queue, i + 1); });
      }
      if (r.status === 409 || r.status === 422) {  // refused for good: keep it, visibly
        sale.error = (r.body.error && r.body.error.message) || String(r.status);
        sale.error_code = r.body.error && r.body.error.code;
        return tx(["queue", "attention"], "readwrite", function (t) {
          t.objectStore("attention").put(sale);
          t.objectStore("queue").delete(sale.qid);
        }).then(function () { state.queued -= 1; renderAttention(); return postNext(queue, i + 1); });
      }
      state.signedOut = r.status === 401 || r.status === 403 || r.status === 400;
      if (r.status < 500) { reachable(); }
      return retryLater();
    }, function () { unreachable(); return retryLater(); });
  }
  function remove(sale) {
    return tx(["queue"], "readwrite", function (t) { t.objectStore("queue").delete(sale.qid); })
      .then(function () { state.queued -= 1; render(); });
  }
  function retryLater() {
    schedule(state.backoff);
    state.backoff = Math.min(state.backoff * 2, MAX_BACKOFF);
    render();
    return false;
  }

  /* ---- the banner and the "needs attention" list ----------------------------------------- */
  function render() {
    var parts = [];
    if (state.offline) { parts.push(MSG.offline_banner); }
    if (state.queued > 0) { parts.push(MSG.waiting.replace("%(n)s", state.queued)); }
    if (state.signedOut && state.queued > 0) { parts.push(MSG.sign_in); }
    banner.textContent = parts.join(" · ");
    banner.classList.toggle("d-none", !parts.length);
    banner.classList.toggle("alert-warning", state.offline);
    banner.classList.toggle("alert-info", !state.offline);
    banner.dataset.queued = String(state.queued);
    banner.dataset.offline = state.offline ? "1" : "0";
  }
  function renderAttention() {
    return all("attention").then(function (items) {
      attentionBox.classList.toggle("d-none", !items.length);
      var list = attentionBox.querySelector("ul");
      list.innerHTML = "";
      items.forEach(function (sale) {
        var li = document.createElement("li");
        li.className = "list-group-item";
        li.dataset.clientRef = sale.client_ref;
        li.textContent = sale.device_number + " · " + sale.view.total + " " + MSG.mad + " · " + sale.error;
        list.appendChild(li);
      });
    });
  }

  /* ---- start ------------------------------------------------------------------------ */
  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).catch(function () {});
  }
  window.addEventListener("online", function () { state.backoff = 1000; schedule(0); });
  window.addEventListener("offline", function () { unreachable(); });
  var ready = loadCatalogue().then(function () {
    return queuedSales().then(function (q) { state.queued = q.length; render(); renderAttention(); });
  }).then(function () {
    return refreshCatalogue();
  }).then(function () {
    if (state.offline) { return null; }
    return ensureDevice().then(reserveIfLow).then(reportStatus);
  }).catch(function () { return null; }).then(function () {
    schedule(0);
    setInterval(function () { if (state.offline) { refreshCatalogue(); } }, 15000);
    setInterval(function () { refreshCatalogue(); device().then(reserveIfLow).catch(function () {}); }, REFRESH_MS);
    root.dataset.offlineReady = "1";
  });

  window.TadamonOffline = {
    ready: ready,
    isOffline: function () { return state.offline; },
    scan: scan,
    search: search,
    sell: sell,
    printReceipt: printReceipt,
    messages: MSG,
    unreachable: unreachable,
    saleDone: function () { refreshCatalogue(); device().then(reserveIfLow).catch(function () {}); },
    sync: sync,
    state: state
  };
})();
