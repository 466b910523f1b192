// Lapor staff lists: "select all" for bulk actions, and the bulk form returns to the list
// as it is now filtered (htmx may have changed the address). No framework beyond htmx.
(function () {
  "use strict";
  function boxes(name) {
    return document.querySelectorAll("input[type=checkbox][name='" + name + "']");
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pick-all-box]").forEach(function (box) { box.hidden = false; });
  });
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-pick-all]");
    if (!all) { return; }
    boxes(all.getAttribute("data-pick-all")).forEach(function (box) { box.checked = all.checked; });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "bulk-form") { return; }
    var next = form.querySelector("input[name=next]");
    if (next) { next.value = window.location.pathname + window.location.search; }
  });
})();
