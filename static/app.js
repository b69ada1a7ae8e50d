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
  // A page that answers a form sent back with its mistakes is kept in the
  // history as a page's address (data-posted), so that Back after the next, good
  // submission never asks to send the form again.
  var posted = document.body && document.body.getAttribute("data-posted");
  if (posted && window.history.replaceState) {
    window.history.replaceState(null, "", posted);
  }
  // An error summary is where the reader's attention goes.
  var summary = document.querySelector(".error-summary[autofocus]");
  if (summary && document.activeElement !== summary) { summary.focus(); }
})();
