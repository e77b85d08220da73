/* Tadamon till: what a scanned code sells, from the local catalogue, by the server's rules
 * (models/stock_codes.py `identify` and `resolve_code`):
 *   - a lot code (as typed, or upper-cased), or a GS1-128 string whose (10) is a known lot,
 *     sells that lot — refused when blocked, expired, or with nothing left here;
 *   - an EAN-13, a GTIN-14 with a leading zero, or a GS1 string with (01) only, names a
 *     product: its one sellable lot here (not blocked, not expired, in stock), else the lots
 *     to choose from (first-expiring first), else "nothing left";
 *   - anything else is unknown.
 * tests/fixtures/scan_vectors.json holds the cases both implementations must agree on.
 *
 * TadamonScan.resolve(code, catalogue, today) → {lot: item} or {error: code, candidates?, item?}
 */
(function (global) {
  "use strict";
  var GS = "\x1d";
  var FIXED = { "00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6, "20": 2 };
  var VARIABLE = { "10": 20, "21": 20, "22": 20, "30": 8, "37": 8, "240": 30, "241": 30,
                   "250": 30, "251": 30, "400": 30, "401": 30 };
  var DATES = { "11": 1, "12": 1, "13": 1, "15": 1, "16": 1, "17": 1 };

  function gtinCheck(digits) {  // GS1 mod-10 check digit over all digits (last is the check)
    if (!/^\d+$/.test(digits)) { return false; }
    var sum = 0, n = digits.length;
    for (var i = 0; i < n - 1; i++) { sum += Number(digits[n - 2 - i]) * (i % 2 === 0 ? 3 : 1); }
    return (10 - (sum % 10)) % 10 === Number(digits[n - 1]);
  }

  function normalizeGtin(value) {
    value = (value || "").trim();
    if (value.length === 14 && value[0] === "0") { value = value.slice(1); }
    return value.length === 13 && /^\d{13}$/.test(value) && gtinCheck(value) ? value : null;
  }

  function validDate(text) {
    if (!/^\d{6}$/.test(text)) { return false; }
    var month = Number(text.slice(2, 4)), day = Number(text.slice(4, 6));
    if (month < 1 || month > 12) { return false; }
    var year = 2000 + Number(text.slice(0, 2));
    var last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return day >= 0 && day <= last;
  }

  /* {ai: value} of a GS1-128 string, or null (the forms python-stdnum reads). */
  function parseGs1(code) {
    var text = (code || "").trim();
    if (text.indexOf("]C1") === 0) { text = text.slice(3); }
    if (text[0] === "(") {
      var chunks = text.split("(").slice(1);
      for (var c = 0; c < chunks.length; c++) {
        var close = chunks[c].indexOf(")");
        if (close < 0 || !/^\d+$/.test(chunks[c].slice(0, close))) { return null; }
      }
      text = chunks.map(function (ch) { return ch.replace(")", "").trim(); }).join(GS);
    }
    text = text.replace(/\u00f1/g, GS).replace(/^\x1d+/, "");
    if (!text) { return null; }
    var parts = {}, pos = 0;
    while (pos < text.length) {
      if (text[pos] === GS) { pos++; continue; }
      var ai = null;
      for (var len = 2; len <= 3 && !ai; len++) {
        var cand = text.substr(pos, len);
        if (FIXED[cand] !== undefined || VARIABLE[cand] !== undefined) { ai = cand; }
      }
      if (!ai) { return null; }
      pos += ai.length;
      var value;
      if (FIXED[ai] !== undefined) {
        value = text.substr(pos, FIXED[ai]);
        if (value.length !== FIXED[ai] || !/^\d+$/.test(value)) { return null; }
        pos += FIXED[ai];
      } else {
        var end = text.indexOf(GS, pos);
        if (end < 0) { end = text.length; }
        value = text.slice(pos, end);
        if (!value || value.length > VARIABLE[ai]) { return null; }
        pos = end;
      }
      if ((ai === "01" || ai === "02") && !gtinCheck(value)) { return null; }
      if (ai === "00" && !gtinCheck(value)) { return null; }
      if (DATES[ai] && !validDate(value)) { return null; }
      if (parts[ai] !== undefined) { return null; }
      parts[ai] = value;
    }
    return Object.keys(parts).length ? parts : null;
  }

  function index(catalogue) {
    if (catalogue._index) { return catalogue._index; }
    var byCode = {}, byProduct = {}, gtins = {}, others = {};
    (catalogue.lots || []).forEach(function (lot) {
      byCode[lot.lot_code] = lot;
      (byProduct[lot.product_id] = byProduct[lot.product_id] || []).push(lot);
    });
    (catalogue.products || []).forEach(function (p) { if (p.gtin) { gtins[p.gtin] = p; } });
    (catalogue.other_lot_codes || []).forEach(function (c) { others[c] = true; });
    Object.defineProperty(catalogue, "_index", { value: { byCode: byCode, byProduct: byProduct,
      gtins: gtins, others: others }, enumerable: false, configurable: true });
    return catalogue._index;
  }

  function knownLot(ix, code) { return ix.byCode[code] !== undefined || ix.others[code] === true; }

  /* ["lot", code] | ["gtin", gtin13] | null, as models.stock_codes.identify. */
  function identify(code, ix) {
    code = (code || "").trim();
    if (!code) { return null; }
    var printable = code.split(GS).join("");
    if (knownLot(ix, printable)) { return ["lot", printable]; }
    if (knownLot(ix, printable.toUpperCase())) { return ["lot", printable.toUpperCase()]; }
    var gtin = normalizeGtin(printable);
    if (gtin) { return ["gtin", gtin]; }
    var parts = parseGs1(code);
    if (parts && parts["10"] !== undefined && knownLot(ix, parts["10"])) { return ["lot", parts["10"]]; }
    if (parts && parts["01"] !== undefined && normalizeGtin(parts["01"])) { return ["gtin", normalizeGtin(parts["01"])]; }
    return null;
  }

  function expired(lot, today) { return !!lot.best_before && lot.best_before < today; }
  function usable(lot, today) { return Number(lot.available) > 0 && !expired(lot, today) && !lot.blocked; }
  function fefo(a, b) {
    if (!a.best_before !== !b.best_before) { return a.best_before ? -1 : 1; }
    if (a.best_before !== b.best_before) { return a.best_before < b.best_before ? -1 : 1; }
    return a.lot_id - b.lot_id;
  }

  function resolve(code, catalogue, today) {
    var ix = index(catalogue);
    var meaning = identify(code, ix);
    if (!meaning) { return { error: "unknown_code" }; }
    if (meaning[0] === "lot") {
      var lot = ix.byCode[meaning[1]];
      if (!lot) { return { error: "out_of_stock", lot_code: meaning[1] }; }
      if (lot.blocked) { return { error: "lot_blocked", item: lot }; }
      if (expired(lot, today)) { return { error: "lot_expired", item: lot }; }
      if (!(Number(lot.available) > 0)) { return { error: "out_of_stock", item: lot }; }
      return { lot: lot };
    }
    var product = ix.gtins[meaning[1]];
    if (!product) { return { error: "unknown_code" }; }
    var found = (ix.byProduct[product.product_id] || []).filter(function (l) { return usable(l, today); });
    found.sort(fefo);
    if (!found.length) { return { error: "out_of_stock", product: product }; }
    if (found.length > 1) { return { error: "choose_lot", candidates: found, product: product }; }
    return { lot: found[0] };
  }

  /* Today's date in Morocco (the platform's zone), as YYYY-MM-DD. */
  function today(zone) {
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone: zone || "Africa/Casablanca",
        year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
    } catch (e) { return new Date().toISOString().slice(0, 10); }
  }

  global.TadamonScan = { resolve: resolve, parseGs1: parseGs1, normalizeGtin: normalizeGtin, today: today };
})(typeof window !== "undefined" ? window : this);
