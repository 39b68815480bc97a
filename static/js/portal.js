// Portal-wide behaviour: CSRF for htmx, and the idle-session warning.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrf) { event.detail.headers["X-CSRFToken"] = csrf.content; }
  });

  // Unsaved call notes kept in this browser are wiped when the user signs out or is
  // signed out, whichever page they are on.
  function clearLocalDrafts() {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf("fsp-draft:") === 0) { window.localStorage.removeItem(key); }
      }
    } catch (e) { /* storage unavailable: nothing to clear */ }
  }
  document.addEventListener("portal:signed-out", clearLocalDrafts);
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

  function check() {
    // Marked as background so the check itself never keeps the session alive.
    fetch(statusUrl, { headers: { "X-Background-Poll": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.authenticated) { document.dispatchEvent(new CustomEvent("portal:signed-out")); toLogin(); return; }
        warning.classList.toggle("d-none", data.idle_seconds_left > WARN_AT);
        var next = Math.max(5, Math.min(60, data.idle_seconds_left - WARN_AT));
        window.setTimeout(check, (data.idle_seconds_left > WARN_AT ? next : 10) * 1000);
      })
      .catch(function () { window.setTimeout(check, 30000); });
  }

  stay.addEventListener("click", function () {
    fetch(body.dataset.sessionKeepaliveUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf ? csrf.content : "" }
    }).then(function () { warning.classList.add("d-none"); window.setTimeout(check, 60000); });
  });
  window.setTimeout(check, 30000);
})();
