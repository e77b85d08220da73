/* Accessibility done once for every page (base.html loads it):
 *  - a field in a table row with no name of its own is named after its column and its row
 *    ("Quantité – DAT-2025-001", or "Quantité – ligne 2" when the row has no text of its own);
 *  - each error message is tied to its field (aria-describedby, aria-invalid), a summary of
 *    the errors is put at the top of the form and the focus goes to the first field in error;
 *  - a table wider than the screen becomes a labelled, keyboard-scrollable region;
 *  - the active tab or pill is marked aria-current.
 * The words come translated from base.html (#a11y-messages).
 */
(function () {
  "use strict";
  var node = document.getElementById("a11y-messages");
  var M = node ? JSON.parse(node.textContent) : {};
  var each = function (selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  };
  function text(el) {
    if (!el) { return ""; }
    var clone = el.cloneNode(true);
    each("input, select, textarea, button, .visually-hidden, .invalid-feedback, script", function (x) { x.remove(); }, clone);
    return clone.textContent.replace(/\s+/g, " ").trim();
  }
  function named(el) {
    return (el.labels && el.labels.length) || el.getAttribute("aria-label") ||
      el.getAttribute("aria-labelledby") || el.getAttribute("title");
  }

  /* ---- fields in table rows ------------------------------------------------------------ */
  function columnHeader(table, cell) {
    var row = cell.parentElement, index = 0;
    for (var i = 0; i < row.cells.length && row.cells[i] !== cell; i++) { index += row.cells[i].colSpan || 1; }
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) { return ""; }
    for (var j = 0, at = 0; j < head.cells.length; j++) {
      if (index < at + (head.cells[j].colSpan || 1)) { return text(head.cells[j]); }
      at += head.cells[j].colSpan || 1;
    }
    return "";
  }
  function rowName(row, cell) {
    var header = row.querySelector("th[scope=row]");
    if (header && header !== cell && text(header)) { return text(header); }
    for (var i = 0; i < row.cells.length; i++) {
      if (row.cells[i] !== cell && text(row.cells[i])) { return text(row.cells[i]); }
    }
    var body = row.parentElement;
    return (M.line || "%(n)s").replace("%(n)s", String(Array.prototype.indexOf.call(body.rows, row) + 1));
  }
  function nameRowFields(root) {
    each("table input:not([type=hidden]), table select, table textarea", function (el) {
      if (named(el)) { return; }
      var cell = el.closest("td, th"), row = el.closest("tr"), table = el.closest("table");
      if (!cell || !row || !table) { return; }
      var column = columnHeader(table, cell), name = rowName(row, cell);
      el.setAttribute("aria-label", column ? column + " – " + name : name);
    }, root);
  }

  /* ---- errors ---------------------------------------------------------------------------- */
  function feedbackOf(el) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    var found = ids.map(function (id) { return document.getElementById(id); })
      .filter(function (x) { return x && x.classList.contains("invalid-feedback"); });
    if (found.length) { return found; }
    var box = el.closest("td, th, .mb-3, .col, [class*='col-'], .form-check, .input-group") || el.parentElement;
    var list = [];
    each(".invalid-feedback", function (fb) { list.push(fb); }, box);
    if (!list.length && box.parentElement) {  // an input-group's message sits just after it
      var next = box.nextElementSibling;
      if (next && next.classList.contains("invalid-feedback")) { list.push(next); }
    }
    list.forEach(function (fb, i) {
      if (!fb.id) { fb.id = (el.id || el.name || "field") + "-error" + (i ? "-" + i : ""); }
      if (ids.indexOf(fb.id) < 0) { ids.push(fb.id); }
    });
    if (ids.length) { el.setAttribute("aria-describedby", ids.join(" ")); }
    return list;
  }
  function fieldName(el) {
    if (el.labels && el.labels.length) { return text(el.labels[0]); }
    return el.getAttribute("aria-label") || el.name || "";
  }
  function summarize() {
    var invalid = document.querySelectorAll("form .is-invalid");
    if (!invalid.length) { return null; }
    var form = invalid[0].closest("form");
    var summary = document.querySelector(".error-summary");
    if (!summary) {
      summary = document.createElement("div");
      summary.className = "alert alert-danger error-summary";
      summary.setAttribute("role", "region");
      summary.setAttribute("aria-labelledby", "error-summary-title");
      var title = document.createElement("h2");
      title.className = "h6 fw-bold";
      title.id = "error-summary-title";
      title.textContent = M.problem || "";
      summary.appendChild(title);
      var list = document.createElement("ul");
      Array.prototype.forEach.call(invalid, function (el) {
        if (!el.id) { return; }
        var messages = feedbackOf(el).map(text).filter(Boolean);
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = "#" + el.id;
        a.textContent = fieldName(el) + (messages.length ? " : " + messages.join(" ") : "");
        a.addEventListener("click", function (ev) { ev.preventDefault(); el.focus(); });
        li.appendChild(a);
        list.appendChild(li);
      });
      summary.appendChild(list);
      form.insertBefore(summary, form.firstChild);
    }
    Array.prototype.forEach.call(invalid, function (el) {
      if (/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
        el.setAttribute("aria-invalid", "true");
        feedbackOf(el);
      }
    });
    return invalid[0];
  }

  /* ---- wide tables and tabs -------------------------------------------------------------- */
  function regionName(wrap) {
    var table = wrap.querySelector("table");
    if (table && table.caption) { return text(table.caption); }
    var el = wrap;
    while (el && el !== document.body) {
      var prev = el.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) { return text(prev); }
        var inner = prev.querySelectorAll ? prev.querySelectorAll("h1, h2, h3, h4, h5, h6") : [];
        if (inner.length) { return text(inner[inner.length - 1]); }
        prev = prev.previousElementSibling;
      }
      el = el.parentElement;
    }
    return M.table || "";
  }
  /* On a phone, a table wider than the screen is stacked: each row a block, each cell with its
     column's name (data-label, shown by palette.css); ARIA roles keep it a table for screen
     readers, as display:block would not. Tables that fit keep their columns. */
  var PHONE = 576;
  function stackTable(table, on) {
    if (!table.tHead) { return false; }
    if (!on) { table.classList.remove("table-stack"); return false; }
    var head = table.tHead.rows[table.tHead.rows.length - 1], names = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var k = 0; k < (th.colSpan || 1); k++) { names.push(text(th)); }
    });
    table.setAttribute("role", "table");
    each("thead, tbody, tfoot", function (g) { g.setAttribute("role", "rowgroup"); }, table);
    each("tr", function (tr) {
      tr.setAttribute("role", "row");
      var at = 0, inHead = tr.parentElement.tagName === "THEAD";
      // A row opened by a cell spanning columns, without fields (a total, "nothing yet"), is its
      // own label: no column names, one line, label then figure (palette.css). A cell spanning
      // columns is never given one column's name.
      var first = tr.cells[0];
      var summary = !inHead && !!first && first.colSpan > 1 && !tr.querySelector("input, select, textarea");
      tr.classList.toggle("stack-summary", summary);
      Array.prototype.forEach.call(tr.cells, function (c) {
        c.setAttribute("role", inHead ? "columnheader" : (c.tagName === "TH" ? "rowheader" : "cell"));
        if (!inHead && !summary && c.colSpan === 1 && names[at] && !c.dataset.label) { c.dataset.label = names[at]; }
        at += c.colSpan || 1;
      });
    }, table);
    table.classList.add("table-stack");
    return true;
  }
  function scrollRegions() {
    each(".table-responsive, .scroll-region", function (wrap) {
      var table = wrap.querySelector(":scope > table");
      if (table) { stackTable(table, false); }
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && table && window.innerWidth < PHONE && !table.closest("#pos") && stackTable(table, true)) {
        scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      }
      if (scrolls) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.dataset.named) {
          wrap.setAttribute("aria-label", regionName(wrap) + " · " + (M.scroll || ""));
          wrap.dataset.named = "1";
        }
      } else if (wrap.dataset.named) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.named;
      }
    });
  }
  function currentTabs() {
    each(".nav .nav-link.active", function (a) {
      if (a.tagName === "A" && !a.hasAttribute("aria-current")) { a.setAttribute("aria-current", "page"); }
    });
  }

  window.tadamonA11y = { nameRowFields: nameRowFields, scrollRegions: scrollRegions };
  nameRowFields(document);
  currentTabs();
  scrollRegions();
  window.addEventListener("resize", scrollRegions);
  var first = summarize();
  if (first) {
    first.focus();
  } else if (!document.querySelector("[autofocus]") && document.activeElement === document.body) {
    var main = document.querySelector("main [data-autofocus]");
    if (main) { main.focus(); }
  }
})();
