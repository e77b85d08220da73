/* Tadamon lot picker: a code that names only a product (EAN-13, GTIN-14, GS1 without a lot)
 * matched several lots here, so the user chooses — never the till. Keyboard first: the list
 * opens focused on the first-expiring lot (the server sends the candidates in that order);
 * arrows move, Enter chooses, Escape closes. Each lot shows its cooperative, best-before and
 * what is on hand, in the page's language (French or Arabic, right to left by the page).
 *
 *   TadamonLotPicker.open(container, candidates, messages, onChoose, onCancel)
 */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function dateText(iso, locale) {
    if (!iso) { return "—"; }
    var parts = iso.split("-");
    var d = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    try {
      return new Intl.DateTimeFormat(locale === "ar" ? "ar-MA" : (locale === "fr" ? "fr-MA" : "en"),
        { timeZone: "UTC", numberingSystem: "latn" }).format(d);
    } catch (e) { return iso; }
  }

  function open(container, candidates, msg, onChoose, onCancel) {
    var locale = document.documentElement.lang || "fr";
    container.innerHTML = "";
    var title = el("div", "list-group-item list-group-item-warning fw-semibold", msg.choose_lot);
    title.id = "lot-picker-title";
    container.appendChild(title);
    var list = el("div", "list-group lot-picker");
    list.id = "lot-picker";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-labelledby", title.id);
    list.tabIndex = 0;
    var current = 0;
    var options = candidates.map(function (c, i) {
      var item = el("div", "list-group-item list-group-item-action lot-option");
      item.id = "lot-option-" + c.lot_id;
      item.setAttribute("role", "option");
      item.dataset.lotId = c.lot_id;
      item.dataset.lotCode = c.lot_code;
      var name = locale === "ar" ? c.name_ar : c.name_fr;
      var coop = locale === "ar" ? (c.cooperative_ar || c.cooperative_fr) : c.cooperative_fr;
      var head = el("div", "d-flex justify-content-between gap-2");
      head.appendChild(el("span", "fw-semibold", name));
      var code = el("bdi", "font-monospace", c.lot_code);
      head.appendChild(code);
      item.appendChild(head);
      item.appendChild(el("div", "small", msg.cooperative + " : " + coop));
      item.appendChild(el("div", "small text-muted", msg.best_before + " : " + dateText(c.best_before, locale) +
        " · " + msg.on_hand + " : " + c.available));
      item.addEventListener("click", function () { choose(i); });
      list.appendChild(item);
      return item;
    });
    function mark(i) {
      current = Math.max(0, Math.min(options.length - 1, i));
      options.forEach(function (o, j) {
        o.classList.toggle("active", j === current);
        o.setAttribute("aria-selected", j === current ? "true" : "false");
      });
      list.setAttribute("aria-activedescendant", options[current].id);
      options[current].scrollIntoView({ block: "nearest" });
    }
    function close() { container.innerHTML = ""; }
    function choose(i) { var c = candidates[i]; close(); onChoose(c); }
    list.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); mark(current + 1); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); mark(current - 1); }
      else if (ev.key === "Home") { ev.preventDefault(); mark(0); }
      else if (ev.key === "End") { ev.preventDefault(); mark(options.length - 1); }
      else if (ev.key === "Enter") { ev.preventDefault(); ev.stopPropagation(); choose(current); }
      else if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); close(); if (onCancel) { onCancel(); } }
    });
    container.appendChild(list);
    mark(0);
    list.focus();
    return list;
  }

  window.TadamonLotPicker = { open: open };
})();
