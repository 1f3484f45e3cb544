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

  // The menu (base.html). Its groups are <details> dropdowns that work by keyboard and without script; here
  // only the comforts: one group open at a time, Escape or a click elsewhere closes it, and below 720px the
  // whole menu folds behind the menu button (it is rendered open so that it is there without script).
  const narrow = window.matchMedia("(max-width: 720px)");
  const wrap = document.querySelector("details.nav-wrap");
  const groups = Array.from(document.querySelectorAll("details.menu-group"));
  function fitMenu() {
    if (!wrap) return;
    wrap.open = !narrow.matches;
    if (!narrow.matches) for (const g of groups) g.open = false;
  }
  fitMenu();
  if (narrow.addEventListener) narrow.addEventListener("change", fitMenu);
  for (const g of groups) {
    g.addEventListener("toggle", function () {
      if (g.open && !narrow.matches) for (const other of groups) if (other !== g) other.open = false;
    });
  }
  // On a wide screen the folded menu's button is hidden: keep the menu open there whatever happens.
  if (wrap) wrap.addEventListener("toggle", function () { if (!narrow.matches && !wrap.open) wrap.open = true; });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    const open = groups.find(function (g) { return g.open; });
    if (open) { open.open = false; open.querySelector("summary").focus(); }
    else if (wrap && wrap.open && narrow.matches) { wrap.open = false; wrap.querySelector("summary").focus(); }
  });
  document.addEventListener("click", function (e) {
    if (narrow.matches) return;
    for (const g of groups) if (g.open && !g.contains(e.target)) g.open = false;
  });
  document.addEventListener("focusin", function (e) {
    if (narrow.matches) return;
    for (const g of groups) if (g.open && !g.contains(e.target)) g.open = false;
  });

  // Wide tables scroll inside their own box, not the page: each table of the page goes into a
  // .table-scroll wrapper, which can take the keyboard focus (to scroll it) only while it does scroll.
  function wrapTables(root) {
    const tables = root.querySelectorAll ? root.querySelectorAll("main table") : [];
    for (const table of tables) {
      if (table.parentElement.classList.contains("table-scroll")) continue;
      const box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    fitTables();
  }
  function fitTables() {
    for (const box of document.querySelectorAll(".table-scroll")) {
      const table = box.querySelector("table");
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        const caption = table && table.caption ? table.caption.textContent.trim() : "";
        const heading = caption || (document.querySelector("main h1") || {}).textContent || "";
        box.setAttribute("aria-label", heading.trim());
      } else if (!scrolls && box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  wrapTables(document);
  window.addEventListener("resize", fitTables);

  // data-width="42" (per cent) and data-height="320" (pixels): sizes computed on the server, set through the
  // CSSOM (a style attribute would need 'unsafe-inline'). Deferred scripts run in order, so chart sizes are
  // set before the dashboards' scripts draw into them.
  for (const el of document.querySelectorAll("[data-width]")) el.style.width = el.dataset.width + "%";
  for (const el of document.querySelectorAll("[data-height]")) el.style.height = el.dataset.height + "px";
  document.addEventListener("htmx:load", function (e) {
    reloadUnless(e.target.parentNode || document);
    wrapTables(e.target.parentNode || document);
  });
})();

// <button data-confirm="question">: a step that cannot be undone (web/templates/cases/_steps.html) asks before
// its form is submitted, whichever way it is submitted (a click, Enter in a field); "no" posts nothing.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    const button = e.submitter;
    if (!button || !button.dataset || !button.dataset.confirm || e.defaultPrevented) return;
    if (!window.confirm(button.dataset.confirm)) e.preventDefault();
  });
})();
