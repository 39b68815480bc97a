// Portal-wide behaviour: CSRF for htmx, and the idle-session warning.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  // The cookie first: signing in again (in another tab) rotates the token, and a page
  // opened before must still be able to save what it holds.
  function csrfToken() {
    var name = (csrf && csrf.dataset.cookie) || "csrftoken";
    var found = document.cookie.split(/;\s*/).filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : (csrf ? csrf.content : "");
  }
  window.fspCsrfToken = csrfToken;
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A fragment request answered 401 (lib/fragments.py): the session is gone. Pages holding
  // unsaved work listen for this and keep it; nothing is swapped.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 401) {
      document.dispatchEvent(new CustomEvent("portal:session-lost"));
    }
  });

  // Alt+Shift+<key> on a navigation link marked data-shortcut (e.g. New call), from any
  // page; never while typing in a field, and with two modifiers so a screen reader's
  // single-letter browse keys are untouched.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var letter = (event.code || "").replace(/^Key/, "");
    var link = document.querySelector('a[data-shortcut="' + letter + '"]');
    if (link) { event.preventDefault(); window.location.href = link.href; }
  });

  // A wide table scrolls in its own box instead of pushing the page sideways on a phone,
  // whether or not its template wrapped it in .table-responsive; a box that scrolls can be
  // focused, so a keyboard can scroll it too.
  function boxTables(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var box = table.closest(".table-responsive");
      if (!box) {
        box = document.createElement("div");
        box.className = "table-responsive";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) { box.tabIndex = 0; }
    });
  }
  boxTables(document);
  document.body.addEventListener("htmx:afterSettle", function () { boxTables(document); });

  // Copies of unsaved calls in this browser: another user's (a shared computer whose owner
  // was timed out) or stale ones go at once; the signed-in user's own stay until the call
  // is saved or discarded, or the user signs out.
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;
  var me = document.body.dataset.userId;
  function dropForeignDrafts() {
    if (!me) { return; }
    try {
      // Keys are read first: removing while walking by index skips some, since storage
      // order is the browser's own and may change after a removal.
      var keys = [];
      for (var i = 0; i < window.localStorage.length; i++) { keys.push(window.localStorage.key(i)); }
      for (var k = 0; k < keys.length; k++) {
        var key = keys[k];
        if (!key || key.indexOf("fsp-draft:") !== 0) { continue; }
        var saved = null;
        try { saved = JSON.parse(window.localStorage.getItem(key)); } catch (e) { saved = null; }
        var fresh = saved && typeof saved.savedAt === "number" && Date.now() - saved.savedAt < MAX_AGE_MS;
        if (key.indexOf("fsp-draft:" + me + ":") !== 0 || !fresh) { window.localStorage.removeItem(key); }
      }
      var marker = document.getElementById("cases-clear-local-draft");
      if (marker) { window.localStorage.removeItem("fsp-draft:" + me + ":" + marker.dataset.key); }
    } catch (e) { /* storage unavailable */ }
  }
  dropForeignDrafts();

  // Every copy goes when the user signs out on purpose.
  function clearLocalDrafts() {
    try {
      var keys = [];
      for (var i = 0; i < window.localStorage.length; i++) { keys.push(window.localStorage.key(i)); }
      keys.forEach(function (key) {
        if (key && key.indexOf("fsp-draft:") === 0) { window.localStorage.removeItem(key); }
      });
    } catch (e) { /* storage unavailable: nothing to clear */ }
  }
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("action");
    if (action && /\/accounts\/logout\/$/.test(action)) { clearLocalDrafts(); }
  }, true);

  var body = document.body;
  var statusUrl = body.dataset.sessionStatusUrl;
  if (!statusUrl) { return; }
  var warning = document.getElementById("session-warning");
  var stay = document.getElementById("session-stay");
  var WARN_AT = 120; // seconds before the idle time-out

  function toLogin() {
    window.location.href = body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
  }

  // Timed out: a page with unsaved work (the call page) stays, keeps it and says so;
  // any other page goes to the login page.
  function signedOut() {
    if (document.querySelector("[data-keep-on-sign-out]")) {
      document.dispatchEvent(new CustomEvent("portal:session-lost"));
      window.setTimeout(check, 30000); // signed in again in another tab: carry on
      return;
    }
    toLogin();
  }

  function check() {
    // Marked as background so the check itself never keeps the session alive.
    fetch(statusUrl, { headers: { "X-Background-Poll": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.status === 401 ? { authenticated: false } : r.json(); })
      .then(function (data) {
        if (!data.authenticated) { signedOut(); return; }
        warning.classList.toggle("d-none", data.idle_seconds_left > WARN_AT);
        var next = Math.max(5, Math.min(60, data.idle_seconds_left - WARN_AT));
        window.setTimeout(check, (data.idle_seconds_left > WARN_AT ? next : 10) * 1000);
      })
      .catch(function () { window.setTimeout(check, 30000); });
  }

  stay.addEventListener("click", function () {
    fetch(body.dataset.sessionKeepaliveUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
    }).then(function () { warning.classList.add("d-none"); window.setTimeout(check, 60000); });
  });
  window.setTimeout(check, 30000);
})();
