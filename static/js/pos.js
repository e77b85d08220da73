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
  var qtyFmt = new Intl.NumberFormat(locale === "ar" ? "ar-MA" : (locale === "fr" ? "fr-MA" : "en"),
    { minimumFractionDigits: 0, maximumFractionDigits: 3, numberingSystem: "latn" });

  var scan = document.getElementById("scan");
  var cartBody = document.getElementById("cart");
  var message = document.getElementById("pos-message");
  var liveStatus = document.getElementById("pos-status");   // polite: totals, additions, change
  var liveAlert = document.getElementById("pos-alert");     // assertive: errors and warnings
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
  /* An Arabic phone or keyboard types Arabic-Indic (٠-٩) or Eastern Arabic (۰-۹) digits and
     the Arabic decimal separator (٫): read them as 0-9 and a decimal point. */
  function latinDigits(text) {
    return String(text == null ? "" : text)
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); })
      .replace(/[\u06F0-\u06F9]/g, function (d) { return String(d.charCodeAt(0) - 0x06F0); })
      .replace(/\u066B/g, ".").replace(/[\u066C\u202F\u00A0]/g, " ");
  }
  function parseDec(text) {
    var t = latinDigits(text).trim().replace(/\s/g, "").replace(",", ".");
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
  /* The visible box shows the last message; screen readers hear it from one of two live
     regions: errors and warnings at once (assertive), the rest when the reader is idle. */
  var announceTimer = null;
  function announce(region, text) {
    clearTimeout(announceTimer);
    liveStatus.textContent = "";
    liveAlert.textContent = "";
    // Emptied, then filled a moment later: the same text twice is announced twice.
    announceTimer = setTimeout(function () { region.textContent = text; }, 50);
  }
  function say(text, kind) {
    message.textContent = text;
    message.className = "alert py-2 alert-" + (kind || "info");
    var urgent = kind === "danger" || kind === "warning";
    announce(urgent ? liveAlert : liveStatus, urgent || !cart.lines.length ? text :
             text + " · " + MSG.total + " " + money(totals().total) + " " + MSG.mad);
  }
  function hush() { message.className = "alert d-none py-2"; }
  var changeTimer = null;
  function announceChange() {  // once the cashier stops typing the amount handed over
    clearTimeout(changeTimer);
    changeTimer = setTimeout(function () {
      announce(liveStatus, MSG.total + " " + document.getElementById("total").textContent + " · " +
               MSG.change + " " + document.getElementById("change").textContent + " " + MSG.mad);
    }, 700);
  }

  /* ---- rendering ------------------------------------------------------------------ */
  function cell(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text != null) { el.textContent = text; }
    return el;
  }
  function input(value, label, field, index, onChange, onInput) {
    var el = document.createElement("input");
    el.className = "form-control form-control-sm";
    el.inputMode = "decimal";
    el.autocomplete = "off";
    el.value = value;
    el.id = field + "-" + index;
    el.dataset.field = field;
    el.setAttribute("aria-label", label);
    // After the focus has moved (Tab to the next field): render() then puts it back there.
    el.addEventListener("change", function () { setTimeout(function () { onChange(el.value); }, 0); });
    if (onInput) { el.addEventListener("input", function () { onInput(el.value, el); }); }
    el.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); scan.focus(); } });
    return el;
  }
  function render(flashIndex) {
    var active = document.activeElement;
    var keep = active && cartBody.contains(active) ? active.id : null;
    cartBody.innerHTML = "";
    cart.lines.forEach(function (line, i) {
      var tr = document.createElement("tr");
      if (i === flashIndex) { tr.className = "flash"; }
      var name = cell("td");
      name.appendChild(cell("div", "fw-semibold", line.name));
      name.appendChild(cell("div", "small text-muted", MSG.lot + " " + line.lot_code));
      tr.appendChild(name);
      var q = cell("td");
      var qInput = input(line.quantity, MSG.quantity + " – " + line.name, "quantity", i, function (v) {
        if (isNaN(milli(v)) || milli(v) <= 0) { say(MSG.bad_number, "danger"); render(); focusField("quantity", i); return; }
        line.quantity = latinDigits(v).trim(); changed();
        var over = stockProblem(line);
        if (over) { say(over, "danger"); focusField("quantity", i); }
        else { say(MSG.quantity_ok + ": " + line.name, "success"); }
      }, function (v, el) {
        // While typing: the stock of the lot is checked at each key, not only at Pay.
        var typed = latinDigits(v).trim();
        var problem = typed === "" ? null : quantityProblem(line, typed);
        var before = el.getAttribute("aria-invalid") === "true";
        showProblem(el, "quantity", i, problem);
        if (problem && !before) { announce(liveAlert, problem); }
        if (!problem && before && message.className.indexOf("alert-danger") >= 0) { hush(); }
      });
      q.appendChild(qInput);
      showProblem(qInput, "quantity", i, stockProblem(line));
      q.dataset.label = MSG.quantity;  // shown above the field when the cart is stacked (phone)
      tr.appendChild(q);
      var price = cell("td", "num", money(cents(line.unit_price)));
      price.dataset.label = MSG.price;
      tr.appendChild(price);
      var d = cell("td");
      var dInput = input(line.discount || "", MSG.discount + " – " + line.name, "discount", i, function (v) {
        line.discount = latinDigits(v).trim(); changed();
        var problem = discountProblem(line);
        if (problem) { say(problem, "danger"); focusField("discount", i); }
        else { say(MSG.discount_ok + ": " + line.name, "success"); }
      });
      d.appendChild(dInput);
      var problem = discountProblem(line);
      if (problem) {
        dInput.classList.add("is-invalid");
        dInput.setAttribute("aria-invalid", "true");
        dInput.setAttribute("aria-describedby", "discount-error-" + i);
        var err = cell("div", "invalid-feedback d-block", problem);
        err.id = "discount-error-" + i;
        d.appendChild(err);
      }
      tr.appendChild(d);
      d.dataset.label = MSG.discount;
      var lineTotal = cell("td", "num fw-semibold", money(lineGross(line) - (cents(line.discount) || 0)));
      lineTotal.dataset.label = MSG.total;
      tr.appendChild(lineTotal);
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
    if (keep && document.getElementById(keep)) { document.getElementById(keep).focus(); }
    var t = totals();
    document.getElementById("total").textContent = money(t.total);
    document.getElementById("discount-total").textContent = t.discount ? "−" + money(t.discount) : "";
    payInputs.forEach(function (el) { if (document.activeElement !== el) { el.value = cart.payments[el.dataset.method] || ""; } });
    var paid = payInputs.reduce(function (s, el) { return s + (cents(el.value) || 0); }, 0);
    document.getElementById("change").textContent = money(Math.max(0, paid - t.total));
  }
  function changed() { save(); render(); }
  /* What is wrong with a line's quantity (typed text, or the line's own): not a number, or more
     than the shop has of the lot (as the scan reported it; the server checks again at Pay). */
  function quantityProblem(line, text) {
    var q = milli(text == null ? line.quantity : text);
    if (isNaN(q) || q <= 0) { return MSG.bad_number; }
    return stockProblem(line, q);
  }
  function stockProblem(line, q) {
    if (q == null) { q = milli(line.quantity); }
    if (line.available == null || line.available === "" || isNaN(q)) { return null; }
    var have = milli(line.available);
    if (isNaN(have) || q <= have) { return null; }
    var unit = (MSG.units && MSG.units[line.uom]) || "";
    return MSG.more_than_stock.replace("%(n)s", qtyFmt.format(have / 1000) + (unit ? " " + unit : ""));
  }
  /* The message under a field of a line, shown or cleared in place (the field keeps its caret). */
  function showProblem(el, field, i, problem) {
    var id = field + "-error-" + i;
    var err = document.getElementById(id);
    if (problem) {
      el.classList.add("is-invalid");
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", id);
      if (!err) { err = cell("div", "invalid-feedback d-block"); err.id = id; el.parentNode.appendChild(err); }
      err.textContent = problem;
    } else {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      if (err) { err.parentNode.removeChild(err); }
    }
  }
  function discountProblem(line) {
    var dc = cents(line.discount);
    if (isNaN(dc)) { return MSG.bad_number; }
    if (dc > discountLimit(line)) { return MSG.discount_max + " (" + money(discountLimit(line)) + " " + MSG.mad + ")"; }
    return null;
  }
  function focusField(field, i) {
    var el = document.getElementById(field + "-" + i);
    if (el) { el.focus(); el.select(); }
  }

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
      line.available = item.available;
      if (next > milli(item.available)) { say(stockProblem(line), "danger"); }
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
  /* Offline (static/js/till_offline.js): the same answers from the local catalogue. */
  var offline = window.TadamonOffline || null;
  function ask(url, local) {
    if (offline && offline.isOffline()) { return local(); }
    return api(url).then(function (r) {
      if (offline && r.status >= 500) { offline.unreachable(); return local(); }
      return r;
    }, function (err) {
      if (!offline) { throw err; }
      offline.unreachable();
      return local();
    });
  }
  /* A traveller's pre-order number (CMD-000123, a scanner's ]C0 first) opens its hand-over
     page: what is due, how it is paid, one key to hand it over (orders/pickup_views.py). */
  var ORDER_NUMBER = /^(?:\][A-Za-z]\d)?\s*(CMD-?\d{1,9})$/i;
  function lookup(code) {
    results.innerHTML = "";
    var order = ORDER_NUMBER.exec(code);
    if (order && root.dataset.pickupUrl && !(offline && offline.isOffline())) {
      window.location.assign(root.dataset.pickupUrl + "?back=till&number=" + encodeURIComponent(order[1]));
      return;
    }
    ask(root.dataset.scanUrl + "?code=" + encodeURIComponent(code),
        function () { return offline.scan(code); }).then(function (r) {
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
    ask(root.dataset.searchUrl + "?q=" + encodeURIComponent(text),
        function () { return offline.search(text); }).then(function (r) {
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
      results.setAttribute("aria-label", MSG.results.replace("%(n)s", items.length));
      announce(liveStatus, MSG.results.replace("%(n)s", items.length));
      results.firstChild.focus();
    }).catch(function () { say(MSG.offline, "danger"); });
  }
  function pay() {
    if (posting || !cart.lines.length) { return; }
    // Offline, the local catalogue may be behind the shelf: a quantity above it is still sold
    // (the goods are in the customer's hands) and the server posts the shortfall for the next
    // count (issue 15). Online the stock is the server's: refused here as it would be there.
    var offlineNow = !!(offline && offline.isOffline());
    for (var j = 0; j < cart.lines.length; j++) {
      var over = quantityProblem(cart.lines[j]);
      if (over && !(offlineNow && over !== MSG.bad_number)) { say(over, "danger"); focusField("quantity", j); return; }
    }
    for (var k = 0; k < cart.lines.length; k++) {
      var problem = discountProblem(cart.lines[k]);
      if (problem) { say(problem, "danger"); focusField("discount", k); return; }
    }
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
        return { lot_id: l.lot_id, quantity: latinDigits(l.quantity).trim().replace(",", "."),
          discount: ((cents(l.discount) || 0) / 100).toFixed(2) };
      }),
      payments: payments
    };
    posting = true;
    if (offline && offline.isOffline()) { sellOffline(body, payments); return; }
    api(root.dataset.salesUrl, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) }).then(function (r) {
      posting = false;
      if (r.status === 201 || r.status === 200) { done(r.body); if (offline) { offline.saleDone(); } return; }
      if (offline && r.status >= 500) { offline.unreachable(); sellOffline(body, payments); return; }
      say(errorText(r.body), r.status >= 500 ? "danger" : "warning");
    }).catch(function () {
      posting = false;
      if (offline) { offline.unreachable(); sellOffline(body, payments); return; }
      say(MSG.offline, "danger");
    });
  }
  /* No server: the sale takes this device's next receipt number and waits in the queue
     (the same client reference: a sale that did reach the server is not recorded twice). */
  function sellOffline(body, payments) {
    posting = true;
    var t = totals();
    var paid = payments.reduce(function (s, p) { return s + cents(p.amount); }, 0);
    var view = { total: money(t.total), paid: money(paid), change: money(paid - t.total),
      lines: cart.lines.map(function (l) {
        return { name: l.name, lot_code: l.lot_code, quantity: l.quantity,
                 total: money(lineGross(l) - (cents(l.discount) || 0)) };
      }) };
    offline.sell(body, view).then(function (sale) {
      posting = false;
      var box = document.getElementById("last-sale");
      box.classList.remove("d-none");
      document.getElementById("last-number").textContent = offline.messages.queued_sale + " · " + sale.device_number;
      document.getElementById("last-change").textContent = view.change;
      document.getElementById("last-receipt").classList.add("d-none");
      var print = document.getElementById("last-print-offline");
      print.classList.remove("d-none");
      print.onclick = function () { offline.printReceipt(sale); };
      newSale(true);
      say(offline.messages.queued_sale + " · " + sale.device_number + " · " + MSG.change + " " + view.change, "success");
    }, function (err) { posting = false; say(err.message, "danger"); });
  }
  function done(sale) {
    var box = document.getElementById("last-sale");
    box.classList.remove("d-none");
    document.getElementById("last-number").textContent = MSG.posted + " · " + sale.number;
    document.getElementById("last-change").textContent = money(cents(sale.change));
    document.getElementById("last-receipt").classList.remove("d-none");
    document.getElementById("last-print-offline").classList.add("d-none");
    document.getElementById("last-receipt").href = root.dataset.receiptUrl.replace("/0/", "/" + sale.id + "/") + "?print=1";
    newSale(true);
    say(MSG.posted + " · " + sale.number + " · " + MSG.change + " " + money(cents(sale.change)), "success");
  }

  /* ---- events ---------------------------------------------------------------------- */
  scan.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      var code = latinDigits(scan.value).trim();
      scan.value = "";
      if (code) { lookup(code); }
    } else if (ev.key === "ArrowDown" && results.firstChild) {
      ev.preventDefault();
      results.firstChild.focus();
    } else if (ev.key === "Delete" && scan.value === "") {
      ev.preventDefault();
      removeLine(cart.lines.length - 1);
    }
  });
  /* Arrow keys move through the search results (Home and End to the ends); Enter adds. */
  results.addEventListener("keydown", function (ev) {
    var items = Array.prototype.slice.call(results.children);
    var at = items.indexOf(document.activeElement);
    if (at < 0) { return; }
    var next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[ev.key];
    if (next === undefined) { return; }
    ev.preventDefault();
    if (next < 0) { scan.focus(); return; }
    items[Math.min(next, items.length - 1)].focus();
  });
  payInputs.forEach(function (el) {
    el.addEventListener("input", function () { cart.payments[el.dataset.method] = el.value; save(); render(); announceChange(); });
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
