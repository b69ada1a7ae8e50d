// find.js is evaluated by the harness through the DevTools protocol, never
// served to a page, so it also works on pages that run without JavaScript.
// It finds exactly one element the way a person names it (a field by its
// label, a button or link by its text) and marks it with data-e2e so that
// the Go side can act on it with a CSS selector.
(function (req) {
  "use strict";
  function norm(s) { return String(s || "").replace(/\s+/g, " ").trim(); }
  function shown(el) {
    if (!el.getClientRects().length) { return false; }
    var st = getComputedStyle(el);
    return st.visibility !== "hidden" && st.display !== "none";
  }
  function textOf(ids) {
    return norm(String(ids || "").split(/\s+/).map(function (id) {
      var el = id && document.getElementById(id);
      return el ? el.textContent : "";
    }).join(" "));
  }
  // Every name a form control answers to: its labels, aria-label and
  // aria-labelledby.
  function controlNames(el) {
    var names = [];
    if (el.labels) {
      for (var i = 0; i < el.labels.length; i++) { names.push(norm(el.labels[i].textContent)); }
    }
    if (el.getAttribute("aria-label")) { names.push(norm(el.getAttribute("aria-label"))); }
    if (el.getAttribute("aria-labelledby")) { names.push(textOf(el.getAttribute("aria-labelledby"))); }
    return names.filter(Boolean);
  }
  // The name a person reads on a button or link.
  function clickName(el) {
    if (el.getAttribute("aria-label")) { return norm(el.getAttribute("aria-label")); }
    if (el.getAttribute("aria-labelledby")) { return textOf(el.getAttribute("aria-labelledby")); }
    var t = norm(el.innerText);
    if (!t && el.tagName === "INPUT") { t = norm(el.value); }
    if (!t) {
      var img = el.querySelector("img[alt]");
      t = img ? norm(img.getAttribute("alt")) : norm(el.getAttribute("title"));
    }
    return t;
  }
  var kinds = {
    control: {
      what: "form field labelled",
      all: function (root) {
        return root.querySelectorAll("input:not([type=hidden]), select, textarea");
      },
      names: controlNames,
    },
    clickable: {
      what: "button or link named",
      all: function (root) {
        return root.querySelectorAll("a[href], button, input[type=submit], input[type=button], input[type=reset], [role=button], [role=link], summary");
      },
      names: function (el) { return shown(el) ? [clickName(el)] : []; },
    },
  };

  // Where to look: a scope element (the one of req.scope.css whose text
  // contains req.scope.text), else <main> first and then the whole page.
  var roots;
  if (req.scope) {
    var sc = Array.prototype.filter.call(document.querySelectorAll(req.scope.css), function (el) {
      return norm(el.innerText).indexOf(norm(req.scope.text)) >= 0;
    });
    // Nested matches (a table inside a section) keep the innermost.
    sc = sc.filter(function (el) { return !sc.some(function (o) { return o !== el && el.contains(o); }); });
    if (sc.length === 0) { return { error: "no " + req.scope.css + " containing " + JSON.stringify(req.scope.text) }; }
    if (sc.length > 1) { return { error: sc.length + " elements " + req.scope.css + " contain " + JSON.stringify(req.scope.text) }; }
    roots = [sc[0]];
  } else {
    roots = [document.querySelector("main"), document].filter(Boolean);
  }

  if (req.kind === "scope") {
    if (!req.scope) { return { error: "no scope given" }; }
    roots[0].setAttribute("data-e2e", req.mark);
    return { tag: roots[0].tagName.toLowerCase(), type: "" };
  }
  var found = [];
  var kind = kinds[req.kind];
  for (var r = 0; r < roots.length && found.length === 0; r++) {
    if (req.kind === "css") {
      found = Array.prototype.slice.call(roots[r].querySelectorAll(req.css));
      continue;
    }
    Array.prototype.forEach.call(kind.all(roots[r]), function (el) {
      if (kind.names(el).indexOf(norm(req.name)) >= 0) { found.push(el); }
    });
  }
  // A button or link in a closed menu (<details>) is reached as a person
  // reaches it: by opening the menu first.
  if (found.length === 0 && req.kind === "clickable" && !req.scope) {
    var menus = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      var sum = d.querySelector(":scope > summary");
      return sum && shown(sum) && Array.prototype.some.call(kind.all(d), function (el) {
        return el !== sum && (norm(el.getAttribute("aria-label")) || norm(el.textContent) || norm(el.value)) === norm(req.name);
      });
    });
    if (menus.length === 1) {
      menus[0].open = true;
      Array.prototype.forEach.call(kind.all(menus[0]), function (el) {
        if (kind.names(el).indexOf(norm(req.name)) >= 0) { found.push(el); }
      });
    }
  }
  if (found.length !== 1) {
    var what = req.kind === "css" ? "element " + req.css : kind.what + " " + JSON.stringify(req.name);
    var msg = (found.length === 0 ? "no " : found.length + " matches for ") + what;
    if (req.scope) { msg += " in the " + req.scope.css + " containing " + JSON.stringify(req.scope.text); }
    if (found.length === 0 && kind) {
      var seen = [];
      Array.prototype.forEach.call(kind.all(roots[roots.length - 1]), function (el) {
        kind.names(el).forEach(function (n) { if (n && seen.indexOf(n) < 0) { seen.push(n); } });
      });
      msg += "; the page has: " + (seen.length ? seen.map(function (s) { return JSON.stringify(s); }).join(", ") : "none");
    }
    return { error: msg };
  }
  var el = found[0];
  el.setAttribute("data-e2e", req.mark);
  return { tag: el.tagName.toLowerCase(), type: String(el.getAttribute("type") || "").toLowerCase() };
})
