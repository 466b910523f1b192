// Kota Pintar — small behaviours shared by every page (no framework beyond htmx).
(function () {
  "use strict";
  // After an htmx swap that shows form errors, move focus to the first invalid field
  // so keyboard and screen-reader users land where the fix is needed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.target.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
  // On a full page with server-side errors, do the same once.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("form [aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();
