// Behaviour the pages declare with data- attributes, so that no page needs inline script
// (the Content-Security-Policy allows only scripts from /static; web/security_headers.py).
(function () {
  "use strict";

  // <select data-autosubmit>: submit the filter form on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.submit();
  });

  document.addEventListener("click", function (e) {
    const el = e.target.closest && e.target.closest("[data-back], [data-open]");
    if (!el) return;
    // <a data-back href="fallback">: go back when there is a page to go back to, else follow the link.
    if (el.hasAttribute("data-back") && history.length > 1) {
      e.preventDefault();
      history.back();
    }
    // <a data-open="id">: open the <details id="id"> (and follow the #anchor).
    if (el.dataset.open) {
      const target = document.getElementById(el.dataset.open);
      if (target) target.open = true;
    }
  });

  // <form data-confirm="question">: ask before submitting.
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  // <span data-reload-unless="id">: a status fragment says the work is done; reload unless the page
  // already shows the element `id` (runs on load and after every htmx swap).
  function reloadUnless(root) {
    const marks = root.querySelectorAll ? root.querySelectorAll("[data-reload-unless]") : [];
    for (const mark of marks) {
      if (!document.getElementById(mark.dataset.reloadUnless)) { location.reload(); return; }
    }
  }
  reloadUnless(document);

  // data-width="42" (per cent) and data-height="320" (pixels): sizes computed on the server, set through the
  // CSSOM (a style attribute would need 'unsafe-inline'). Deferred scripts run in order, so chart sizes are
  // set before the dashboards' scripts draw into them.
  for (const el of document.querySelectorAll("[data-width]")) el.style.width = el.dataset.width + "%";
  for (const el of document.querySelectorAll("[data-height]")) el.style.height = el.dataset.height + "px";
  document.addEventListener("htmx:load", function (e) { reloadUnless(e.target.parentNode || document); });
})();
