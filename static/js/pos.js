/* Tadamon POS screen: a USB scanner types a code and Enter; the keyboard does the rest.
 *
 * The cart lives in localStorage until the sale is posted, so a reload or a dropped
 * connection loses nothing. Each cart gets a client reference (a UUID) when it starts;
 * the server records a sale once per reference, so posting again after a network error
 * never sells twice. Money is computed in integer centimes, the way the server rounds
 * (half up), only to show running totals: the server's figures are the ones recorded.
 */
(function () {
  "use strict";

  var root = document.getElementById("pos");
  if (!root) { return; }
  var MSG = JSON.parse(document.getElementById("pos-messages").textContent);
  var locationId = root.dataset.locationId;
  var storageKey = "tadamon.pos." + locationId + "." + root.dataset.userId;
  var maxRateBp = Math.round(parseFloat(root.dataset.maxDiscountRate) * 10000);
  var locale = root.dataset.locale;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var fmt = new Intl.NumberFormat(locale === "ar" ? "ar-MA" : (locale === "fr" ? "fr-MA" : "en"),
    { minimumFractionDigits: 2, maximumFractionDigits: 2, numberingSystem: "latn" });

  var scan = document.getElementById("scan");
  var cartBody = document.getElementById("cart");
  var message = document.getElementById("pos-message");
  var results = document.getElementById("search-results");
  var payInputs = Array.prototype.slice.call(document.querySelectorAll(".pay"));
  var posting = false;

  /* ---- state ---------------------------------------------------------------------- */
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function emptyCart() { return { clientRef: null, lines: [], payments: { cash: "", card: "", mobile: "" } }; }
  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey)) || emptyCart(); } catch (e) { return emptyCart(); }
  }
  var cart = load();
  function save() { localStorage.setItem(storageKey, JSON.stringify(cart)); }

  /* ---- numbers -------------------------------------------------------------------- */
  function parseDec(text) {
    var t = String(text == null ? "" : text).trim().replace(/\s/g, "").replace(",", ".");
    if (t === "") { return 0; }
    return /^\d+(\.\d*)?$/.test(t) ? parseFloat(t) : NaN;
  }
  function cents(text) { var v = parseDec(text); return isNaN(v) ? NaN : Math.round(v * 100); }
  function milli(text) { var v = parseDec(text); return isNaN(v) ? NaN : Math.round(v * 1000); }
  function halfUpDiv(a, b) { return Math.floor((2 * a + b) / (2 * b)); }
  function money(c) { return fmt.format(c / 100); }
  function lineGross(line) { return halfUpDiv(milli(line.quantity) * cents(line.unit_price), 1000); }
  function discountLimit(line) { return halfUpDiv(lineGross(line) * maxRateBp, 10000); }
  function totals() {
    var total = 0, discount = 0;
    cart.lines.forEach(function (l) { var d = cents(l.discount) || 0; total += lineGross(l) - d; discount += d; });
    return { total: total, discount: discount };
  }

  /* ---- messages ------------------------------------------------------------------- */
  function say(text, kind) {
    message.textContent = text;
    message.className = "alert py-2 alert-" + (kind || "info");
  }
  function hush() { message.className = "alert d-none py-2"; }

  /* ---- rendering ------------------------------------------------------------------ */
  function cell(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text != null) { el.textContent = text; }
    return el;
  }
  function input(value, label, onChange) {
    var el = document.createElement("input");
    el.className = "form-control form-control-sm";
    el.inputMode = "decimal";
    el.value = value;
    el.setAttribute("aria-label", label);
    el.addEventListener("change", function () { onChange(el.value); });
    el.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); scan.focus(); } });
    return el;
  }
  function render(flashIndex) {
    cartBody.innerHTML = "";
    cart.lines.forEach(function (line, i) {
      var tr = document.createElement("tr");
      if (i === flashIndex) { tr.className = "flash"; }
      var name = cell("td");
      name.appendChild(cell("div", "fw-semibold", line.name));
      name.appendChild(cell("div", "small text-muted", MSG.lot + " " + line.lot_code));
      tr.appendChild(name);
      var q = cell("td");
      q.appendChild(input(line.quantity, "qty", function (v) {
        if (isNaN(milli(v)) || milli(v) <= 0) { say(MSG.empty, "warning"); render(); return; }
        line.quantity = v; changed();
      }));
      tr.appendChild(q);
      tr.appendChild(cell("td", "num", money(cents(line.unit_price))));
      var d = cell("td");
      var dInput = input(line.discount || "", "discount", function (v) { line.discount = v; changed(); });
      var dc = cents(line.discount);
      if (isNaN(dc) || dc > discountLimit(line)) {
        dInput.classList.add("is-invalid");
        dInput.title = MSG.discount_max + " (" + money(discountLimit(line)) + ")";
      }
      d.appendChild(dInput);
      tr.appendChild(d);
      tr.appendChild(cell("td", "num fw-semibold", money(lineGross(line) - (cents(line.discount) || 0))));
      var rm = cell("td", "text-end");
      var btn = cell("button", "btn btn-sm btn-outline-danger", "×");
      btn.type = "button";
      btn.setAttribute("aria-label", MSG.remove);
      btn.addEventListener("click", function () { removeLine(i); });
      rm.appendChild(btn);
      tr.appendChild(rm);
      cartBody.appendChild(tr);
    });
    if (!cart.lines.length) {
      var empty = cell("tr");
      var td = cell("td", "text-muted", MSG.empty);
      td.colSpan = 6;
      empty.appendChild(td);
      cartBody.appendChild(empty);
    }
    var t = totals();
    document.getElementById("total").textContent = money(t.total);
    document.getElementById("discount-total").textContent = t.discount ? "−" + money(t.discount) : "";
    payInputs.forEach(function (el) { if (document.activeElement !== el) { el.value = cart.payments[el.dataset.method] || ""; } });
    var paid = payInputs.reduce(function (s, el) { return s + (cents(el.value) || 0); }, 0);
    document.getElementById("change").textContent = money(Math.max(0, paid - t.total));
  }
  function changed() { save(); render(); }

  /* ---- cart operations ------------------------------------------------------------ */
  function addItem(item) {
    if (!cart.clientRef) { cart.clientRef = uuid(); }
    var name = locale === "ar" ? item.name_ar : item.name_fr;
    var idx = -1;
    cart.lines.forEach(function (l, i) { if (l.lot_id === item.lot_id) { idx = i; } });
    if (idx >= 0) {
      var line = cart.lines[idx];
      var next = milli(line.quantity) + 1000;
      line.quantity = String(next / 1000);
      if (next > milli(item.available)) { say(MSG.more_than_stock.replace("%(n)s", item.available), "warning"); }
      else { say(MSG.added + ": " + name, "success"); }
    } else {
      cart.lines.push({ lot_id: item.lot_id, lot_code: item.lot_code, name: name, uom: item.uom,
        unit_price: item.unit_price, available: item.available, quantity: "1", discount: "" });
      idx = cart.lines.length - 1;
      say(MSG.added + ": " + name, "success");
    }
    save();
    render(idx);
  }
  function removeLine(i) {
    if (i < 0 || i >= cart.lines.length) { return; }
    cart.lines.splice(i, 1);
    changed();
    scan.focus();
  }
  function newSale(force) {
    if (cart.lines.length && !force && !window.confirm(MSG.confirm_new)) { return; }
    cart = emptyCart();
    save();
    hush();
    payInputs.forEach(function (el) { el.value = ""; });
    results.innerHTML = "";
    render();
    scan.focus();
  }

  /* ---- server calls ---------------------------------------------------------------- */
  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": csrf }, options.headers || {});
    return fetch(url, options).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        return { status: resp.status, body: body };
      });
    });
  }
  function errorText(body) {
    return (body && body.error && body.error.message) || MSG.unknown;
  }
  function lookup(code) {
    results.innerHTML = "";
    api(root.dataset.scanUrl + "?code=" + encodeURIComponent(code)).then(function (r) {
      if (r.status === 200) { addItem(r.body); return; }
      if (r.status === 409 && r.body.error && r.body.error.code === "choose_lot" && window.TadamonLotPicker) {
        say(errorText(r.body), "warning");
        window.TadamonLotPicker.open(results, r.body.error.fields.candidates, MSG,
          function (item) { addItem(item); scan.focus(); }, function () { hush(); scan.focus(); });
        return;
      }
      if (r.status === 404 && /\D/.test(code) && code.length >= 2) { search(code, errorText(r.body)); return; }
      say(errorText(r.body), r.status === 409 ? "warning" : "danger");
    }).catch(function () { say(MSG.offline, "danger"); });
  }
  function search(text, unknownMessage) {
    api(root.dataset.searchUrl + "?q=" + encodeURIComponent(text)).then(function (r) {
      var items = (r.body && r.body.items) || [];
      if (!items.length) { say(unknownMessage || MSG.no_results, "danger"); return; }
      hush();
      items.forEach(function (item) {
        var b = cell("button", "list-group-item list-group-item-action d-flex justify-content-between");
        b.type = "button";
        b.appendChild(cell("span", null, (locale === "ar" ? item.name_ar : item.name_fr) + " · " + MSG.lot + " " + item.lot_code));
        b.appendChild(cell("span", "num", item.unit_price ? money(cents(item.unit_price)) : "—"));
        b.addEventListener("click", function () { results.innerHTML = ""; addItem(item); scan.focus(); });
        results.appendChild(b);
      });
      results.firstChild.focus();
    }).catch(function () { say(MSG.offline, "danger"); });
  }
  function pay() {
    if (posting || !cart.lines.length) { return; }
    var t = totals();
    var payments = [];
    payInputs.forEach(function (el) {
      cart.payments[el.dataset.method] = el.value;
      var c = cents(el.value);
      if (c > 0) { payments.push({ method: el.dataset.method, amount: (c / 100).toFixed(2) }); }
    });
    save();
    var paid = payments.reduce(function (s, p) { return s + cents(p.amount); }, 0);
    if (paid < t.total) { say(MSG.short, "warning"); document.getElementById("pay-cash").focus(); return; }
    var body = {
      location_id: parseInt(locationId, 10), client_ref: cart.clientRef,
      lines: cart.lines.map(function (l) {
        return { lot_id: l.lot_id, quantity: String(l.quantity).replace(",", "."),
          discount: ((cents(l.discount) || 0) / 100).toFixed(2) };
      }),
      payments: payments
    };
    posting = true;
    api(root.dataset.salesUrl, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) }).then(function (r) {
      posting = false;
      if (r.status === 201 || r.status === 200) { done(r.body); return; }
      say(errorText(r.body), r.status >= 500 ? "danger" : "warning");
    }).catch(function () { posting = false; say(MSG.offline, "danger"); });
  }
  function done(sale) {
    var box = document.getElementById("last-sale");
    box.classList.remove("d-none");
    document.getElementById("last-number").textContent = MSG.posted + " · " + sale.number;
    document.getElementById("last-change").textContent = money(cents(sale.change));
    document.getElementById("last-receipt").href = root.dataset.receiptUrl.replace("/0/", "/" + sale.id + "/") + "?print=1";
    newSale(true);
    say(MSG.posted + " · " + sale.number + " · " + MSG.change + " " + money(cents(sale.change)), "success");
  }

  /* ---- events ---------------------------------------------------------------------- */
  scan.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      var code = scan.value.trim();
      scan.value = "";
      if (code) { lookup(code); }
    } else if (ev.key === "Delete" && scan.value === "") {
      ev.preventDefault();
      removeLine(cart.lines.length - 1);
    }
  });
  payInputs.forEach(function (el) {
    el.addEventListener("input", function () { cart.payments[el.dataset.method] = el.value; save(); render(); });
    el.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); pay(); } });
  });
  document.getElementById("pay-button").addEventListener("click", pay);
  document.getElementById("new-sale").addEventListener("click", function () { newSale(false); });
  document.getElementById("exact-cash").addEventListener("click", function () {
    cart.payments = { cash: (totals().total / 100).toFixed(2), card: "", mobile: "" }; changed();
  });
  document.getElementById("all-card").addEventListener("click", function () {
    cart.payments = { cash: "", card: (totals().total / 100).toFixed(2), mobile: "" }; changed();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "F2") { ev.preventDefault(); pay(); }
    else if (ev.key === "F4" || (ev.key === "Escape" && !results.firstChild)) { ev.preventDefault(); newSale(false); }
    else if (ev.key === "Escape") { results.innerHTML = ""; scan.focus(); }
    else if (ev.key === "Delete" && document.activeElement === document.body) { ev.preventDefault(); removeLine(cart.lines.length - 1); }
  });
  window.addEventListener("online", function () { hush(); });
  render();
  scan.focus();
})();
