// Rounds: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions marked data-confirm.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); }
  });
  // Copy buttons: <button data-copy="text">.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(btn.getAttribute("data-copy")).then(function () {
      var old = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = old; }, 1500);
    }, function () {
      // Refused (no permission, not a secure page): select the text beside
      // the button for the reader to copy.
      var field = btn.parentNode.querySelector("input");
      if (field) { field.focus(); field.select(); }
      btn.textContent = "Press Ctrl+C to copy";
    });
  });
})();
