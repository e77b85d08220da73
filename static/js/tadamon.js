// Behaviour that was inline in the templates (the Content-Security-Policy runs no inline
// handler): print buttons, back links, confirmations, selects that submit their form.
(function () {
  document.addEventListener('click', function (e) {
    var print = e.target.closest('[data-print]');
    if (print) { e.preventDefault(); window.print(); return; }
    var back = e.target.closest('[data-back]');
    if (back) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  });
  document.addEventListener('change', function (e) {
    if (e.target.matches && e.target.matches('select[data-autosubmit]')) { e.target.form.submit(); }
  });
})();
