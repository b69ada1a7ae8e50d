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
    if (arrivalsEl && data.arrivals) { showArrivals(data.arrivals); }
    var counts = data.checked_in || {};
    Array.prototype.forEach.call(root.querySelectorAll("[data-count]"), function (el) {
      var n = counts[el.getAttribute("data-count")];
      if (typeof n === "number" && el.textContent !== String(n)) { el.textContent = String(n); }
    });
  }

  // The names of who has checked in, newest first, as the page lists them.
  var arrivalsEl = root.querySelector("[data-arrivals]");
  var hybrid = root.querySelector("[data-count='online']") && root.querySelector("[data-count='in_person']");
  var tz = root.getAttribute("data-tz") || undefined;
  function clock(iso) {
    try {
      return new Date(Date.parse(iso)).toLocaleTimeString("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      return new Date(Date.parse(iso)).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    }
  }
  function showArrivals(list) {
    if (!list.length) { return; }
    var items = list.map(function (a) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.className = "arrival-name";
      name.textContent = a.name;
      var small = document.createElement("small");
      small.textContent = clock(a.at) + (hybrid ? " · " + (a.mode === "online" ? "Online" : "In person") : "") + (a.status === "late" ? " · late" : "");
      li.appendChild(name);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(small);
      return li;
    });
    var key = list.map(function (a) { return a.user_id + a.status + a.mode; }).join(",");
    if (arrivalsEl.getAttribute("data-key") === key) { return; }
    arrivalsEl.setAttribute("data-key", key);
    arrivalsEl.textContent = "";
    items.forEach(function (li) { arrivalsEl.appendChild(li); });
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
