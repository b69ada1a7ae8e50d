// Rounds: keeps the "Take attendance" screen current. Every few seconds it
// asks the API for the check-in code and who has checked in, and swaps the
// code, its QR code, the time left and the counts. Without it the page
// reloads itself each time the code changes.
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin]");
  if (!root || !window.fetch) { return; }
  var POLL_MS = 4000;
  var api = root.getAttribute("data-api");
  var qrURL = root.getAttribute("data-qr");
  var codeEl = root.querySelector("[data-code]");
  var qrEl = root.querySelector("[data-qr-img]");
  var leftEl = root.querySelector("[data-left]");
  var statusEl = root.querySelector("[data-status]");
  // The server's clock may differ from this computer's (or be moved in
  // tests): times are worked out on the server's clock.
  var skew = Date.parse(root.getAttribute("data-now")) - Date.now();
  function serverNow() { return Date.now() + skew; }
  var expires = Date.parse(root.getAttribute("data-expires"));
  var opens = Date.parse(root.getAttribute("data-opens"));
  var ends = Date.parse(root.getAttribute("data-ends"));
  var state = root.getAttribute("data-state");
  var code = codeEl ? codeEl.textContent.trim() : "";
  var busy = false, stopped = false, reloading = false;

  function say(msg) { if (statusEl) { statusEl.textContent = msg; } }

  function tick() {
    var now = serverNow();
    // Check-in opening or closing changes what the page shows: load it again.
    var showing = state === "open" || state === "early";
    if (!reloading && showing && (now >= ends || (state === "early" && now >= opens))) {
      reloading = true;
      window.location.reload();
      return;
    }
    if (leftEl && expires) {
      var n = Math.max(0, Math.ceil((expires - now) / 1000));
      leftEl.textContent = n + (n === 1 ? " second" : " seconds");
    }
    if (expires && now >= expires) { poll(); }
  }

  function show(data) {
    if (data.expires_at) { expires = Date.parse(data.expires_at); }
    if (data.code && data.code !== code && codeEl) {
      code = data.code;
      codeEl.textContent = code;
      if (qrEl) { qrEl.src = qrURL + "&code=" + encodeURIComponent(code); }
    }
    var counts = data.checked_in || {};
    Array.prototype.forEach.call(root.querySelectorAll("[data-count]"), function (el) {
      var n = counts[el.getAttribute("data-count")];
      if (typeof n === "number" && el.textContent !== String(n)) { el.textContent = String(n); }
    });
  }

  function poll() {
    if (busy || stopped || document.hidden) { return; }
    busy = true;
    fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) {
          stopped = true;
          say("Your login has ended, so this screen no longer updates. Reload the page to log in again.");
          return null;
        }
        if (!res.ok) { throw new Error("status " + res.status); }
        return res.json();
      })
      .then(function (data) {
        if (data) { say(""); show(data); }
      })
      .catch(function () {
        say("Could not reach Rounds; trying again. The code shown may be out of date.");
      })
      .then(function () { busy = false; });
  }

  setInterval(tick, 1000);
  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
})();
