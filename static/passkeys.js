// Passkeys: signing in with one on the log-in page, and adding one on the
// account page. WebAuthn has no HTML form of its own, so without JavaScript
// (or in a browser without passkeys) the page says so and everything else
// works as before.
(function () {
  "use strict";

  function toBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toText(buf) {
    if (!buf) { return null; }
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIDs(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBytes(c.id) }); });
  }

  // What the server sent, as navigator.credentials wants it.
  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      user: Object.assign({}, o.user, { id: toBytes(o.user.id) }),
      excludeCredentials: withIDs(o.excludeCredentials)
    });
  }

  function requestOptions(o) {
    return Object.assign({}, o, { challenge: toBytes(o.challenge), allowCredentials: withIDs(o.allowCredentials) });
  }

  // The credential as JSON, as the server reads it.
  function asJSON(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: toText(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      out.response.userHandle = toText(r.userHandle);
    }
    return out;
  }

  function csrf() {
    var input = document.querySelector('input[name="_csrf"]');
    return input ? input.value : "";
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body || {})
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          throw new Error((data.error && data.error.message) || "Something went wrong. Please try again.");
        }
        return data;
      });
    });
  }

  // words says why a ceremony stopped, in the member's terms.
  function words(err) {
    if (err && err.name === "NotAllowedError") {
      return "No passkey was used: it was cancelled, or took too long. Please try again.";
    }
    if (err && err.name === "InvalidStateError") {
      return "This device already holds a passkey for your account.";
    }
    return (err && err.message) || "Something went wrong. Please try again.";
  }

  var supported = !!(window.PublicKeyCredential && navigator.credentials && window.fetch);

  document.querySelectorAll("[data-passkey]").forEach(function (block) {
    var nojs = block.querySelector("[data-passkey-nojs]");
    var ready = block.querySelector("[data-passkey-ready]");
    var status = block.querySelector("[data-passkey-status]");
    if (!supported) {
      nojs.textContent = "This browser cannot use passkeys. Please use your password.";
      return;
    }
    nojs.hidden = true;
    ready.hidden = false;

    function busy(button, on, text) {
      button.disabled = on;
      status.textContent = text;
    }

    if (block.getAttribute("data-passkey") === "login") {
      var button = block.querySelector("[data-passkey-login]");
      button.addEventListener("click", function () {
        var next = document.querySelector('input[name="next"]');
        busy(button, true, "Waiting for your passkey…");
        post("/api/v1/auth/passkeys/login/begin").then(function (o) {
          return navigator.credentials.get({ publicKey: requestOptions(o.publicKey) });
        }).then(function (cred) {
          busy(button, true, "Checking your passkey…");
          return post("/api/v1/auth/passkeys/login/finish", { credential: asJSON(cred), next: next ? next.value : "/" });
        }).then(function (done) {
          window.location.assign(done.redirect || "/");
        }).catch(function (err) {
          busy(button, false, words(err));
        });
      });
      return;
    }

    ready.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var add = ready.querySelector('button[type="submit"]');
      var name = ready.querySelector('input[name="passkey_name"]');
      busy(add, true, "Follow your browser's steps to make the passkey…");
      post("/api/v1/me/passkeys/register/begin").then(function (o) {
        return navigator.credentials.create({ publicKey: creationOptions(o.publicKey) });
      }).then(function (cred) {
        busy(add, true, "Saving your passkey…");
        return post("/api/v1/me/passkeys/register/finish", { credential: asJSON(cred), name: name.value });
      }).then(function () {
        window.history.replaceState(null, "", "/account#passkeys");
        window.location.reload();
      }).catch(function (err) {
        busy(add, false, words(err));
      });
    });
  });
})();
