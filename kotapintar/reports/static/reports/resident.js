// Lapor — small behaviours of the residents' pages (no framework): copy buttons.
(function () {
  "use strict";
  function announce(text) {
    var box = document.getElementById("copy-status");
    if (box) { box.textContent = ""; window.setTimeout(function () { box.textContent = text; }, 50); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".kp-copy") : null;
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) { return; }
    var value = source.value !== undefined ? source.value : source.textContent.trim();
    var done = function () { announce(button.getAttribute("data-copied") || ""); button.classList.add("active"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () { fallback(); });
    } else {
      fallback();
    }
    function fallback() {
      if (source.select) { source.focus(); source.select(); }
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected for a manual copy */ }
    }
  });
})();
