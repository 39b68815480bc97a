// Call screen: call timer, server draft autosave, a local copy of everything typed, and
// the keyboard (Ctrl+Enter saves, Enter never does; the unused branch is out of the way).
(function () {
  "use strict";
  var form = document.getElementById("new-call-form");
  if (!form) { return; }
  form.setAttribute("data-keep-on-sign-out", ""); // portal.js: stay on this page if timed out
  var status = document.getElementById("draft-status");
  var banner = document.getElementById("signed-out-banner");
  var draftKey = form.dataset.draftKey;
  var storageKey = "fsp-draft:" + form.dataset.user + ":" + draftKey;
  var AUTOSAVE_MS = 4000;
  var dirty = false;
  var submitting = false;

  // --- local copy: everything typed, until the server confirms the saved call ----------
  // Kept through a time-out or a lost session (signing in again brings it back); removed
  // when the call is saved or discarded, or the user signs out (portal.js).
  function serialize() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      if (Object.prototype.hasOwnProperty.call(data, name)) {
        data[name] = [].concat(data[name], value);
      } else {
        data[name] = value;
      }
    });
    return data;
  }

  function keepLocal() {
    if (!draftKey) { return; }
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({ savedAt: Date.now(), data: serialize() }));
    } catch (e) { /* storage full or disabled: the server draft still runs */ }
  }

  function dropLocal() {
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  function restoreLocal() {
    var raw;
    try { raw = window.localStorage.getItem(storageKey); } catch (e) { return; }
    if (!raw || form.dataset.bound === "1") { return; }
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { dropLocal(); return; }
    var serverAt = parseInt(form.dataset.draftSavedAt || "0", 10) * 1000;
    if (!saved || !saved.data || saved.savedAt <= serverAt) { dropLocal(); return; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || !(el.name in saved.data)) { return; }
      var values = [].concat(saved.data[el.name]);
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else {
        el.value = values[0];
      }
    });
    document.getElementById("local-restored").classList.remove("d-none");
    dirty = true;
  }

  // --- server draft every few seconds while something changed ----------------------
  // Sent only when the content differs from what the server last saved, and WITHOUT the
  // X-Background-Poll header: it is the advocate typing, so it keeps the session alive.
  // Only a 2xx carrying X-Draft-Saved counts as saved: a redirect, 401/403, a login page,
  // a network error or a time-out all leave the local copy in place and are retried.
  function fingerprint() { return JSON.stringify(serialize()); }
  var savedPrint = fingerprint();
  var sending = false;

  function onChange() {
    if (submitting) { return; }
    dirty = true;
    keepLocal();
  }
  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);

  function signedOut(isOut) {
    banner.classList.toggle("d-none", !isOut);
  }
  document.addEventListener("portal:session-lost", function () { signedOut(true); });

  function autosave() {
    if (!dirty || submitting || sending || !draftKey || !status) { return; }
    dirty = false;
    var print = fingerprint();
    if (print === savedPrint) { return; } // typed and undone: nothing to save
    sending = true;
    var body = new URLSearchParams(new FormData(form));
    body.delete("csrfmiddlewaretoken"); // the page's may be stale (signed in again); the header is current
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = window.setTimeout(function () { if (controller) { controller.abort(); } }, 15000);
    fetch(status.getAttribute("hx-post"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual", // a redirect (to the login page) is a failure, never followed
      signal: controller ? controller.signal : undefined,
      headers: { "X-CSRFToken": window.fspCsrfToken(), "X-Requested-With": "fetch" }
    }).then(function (response) {
      var savedAt = response.ok ? response.headers.get("X-Draft-Saved") : null;
      if (!savedAt) {
        if (response.status === 401 || response.type === "opaqueredirect") { signedOut(true); }
        throw new Error("not saved");
      }
      savedPrint = print;
      signedOut(false);
      status.textContent = "Draft saved " + savedAt;
    }).catch(function () {
      dirty = true; // tried again at the next tick; the local copy stays
      status.textContent = "Draft not saved to the server yet; kept in this browser.";
    }).then(function () {
      window.clearTimeout(timeout);
      sending = false;
    });
  }
  window.setInterval(autosave, AUTOSAVE_MS);

  // --- keyboard ---------------------------------------------------------------------
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    var el = event.target;
    // Enter in a text box (half a call) never submits; in a textarea it is a new line.
    if (el.tagName === "INPUT" && !/^(submit|button|checkbox|radio)$/.test(el.type)) {
      event.preventDefault();
    }
  });

  // The new-case fields only when the call is not continuing a case (hidden = out of Tab).
  var caseFields = document.getElementById("case-fields");
  function showBranch() {
    if (!caseFields) { return; }
    var chosen = form.querySelector('input[name="attach"]:checked');
    caseFields.hidden = !!(chosen && chosen.value.charAt(0) === "c");
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "attach") { showBranch(); }
  });
  document.body.addEventListener("htmx:afterSwap", showBranch);

  // --- call timer: from 00:00 when the call is opened ----------------------------------
  var timer = document.getElementById("call-timer");
  var toggle = document.getElementById("timer-toggle");
  var duration = document.getElementById("id_duration_minutes");
  var startedField = document.getElementById("id_started_at");
  var openedField = document.getElementById("opened-at");
  if (!openedField.value) { openedField.value = String(Date.now()); }
  var startedAt = parseInt(openedField.value, 10) || Date.now();
  var timerState = document.getElementById("timer-state");
  var running = timerState.value !== "stopped";
  var tick = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function elapsedSeconds() { return Math.max(0, Math.floor((Date.now() - startedAt) / 1000)); }
  function minutes() { return Math.max(1, Math.ceil(elapsedSeconds() / 60)); }

  function render() {
    var s = elapsedSeconds();
    var h = Math.floor(s / 3600);
    timer.textContent = (h ? h + ":" : "") + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function stopTimer() {
    running = false;
    window.clearInterval(tick);
    timerState.value = "stopped";
    toggle.textContent = "Restart timer";
  }

  function stop() {
    if (!running) { return; }
    stopTimer();
    duration.value = minutes();
    onChange();
  }

  function start() {
    running = true;
    timerState.value = "running";
    toggle.textContent = "Stop timer";
    render();
    tick = window.setInterval(function () {
      render();
      var m = String(minutes());
      if (duration.value !== m) { duration.value = m; }
    }, 1000);
  }

  toggle.addEventListener("click", function () {
    if (running) {
      stop();
    } else {
      startedAt = Date.now() - (parseInt(duration.value || "0", 10) * 60000);
      openedField.value = String(startedAt);
      start();
    }
  });
  // The advocate typed a duration or a start time: the timer stops so it does not overwrite it.
  var durationSource = document.getElementById("duration-source");
  duration.addEventListener("input", function () {
    if (running) { stopTimer(); }
    durationSource.value = "typed"; // the phone system's duration must not overwrite it either
  });
  startedField.addEventListener("change", function () { if (running) { stop(); } });

  form.addEventListener("submit", function () {
    if (running) { duration.value = minutes(); }
    // Signed in again since the page loaded (another tab): the token has changed.
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (token && window.fspCsrfToken) { token.value = window.fspCsrfToken(); }
    keepLocal(); // until the saved call's page confirms it (portal.js drops it there)
    submitting = true;
  });

  var discard = document.querySelector("#draft-restored form");
  if (discard) {
    discard.addEventListener("submit", function () { submitting = true; dropLocal(); });
  }

  // --- started from the screen pop: the phone system reports the end and the duration --
  // Asked as background every 3 s until it has (it is not activity); the duration then
  // replaces the timer's, unless the advocate typed one. It can still be corrected.
  var phoneBanner = document.getElementById("phone-call-banner");
  function followPhoneCall() {
    fetch(phoneBanner.dataset.statusUrl, { credentials: "same-origin", headers: { "X-Background-Poll": "1" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (call) {
        if (call.duration_minutes === null || call.duration_minutes === undefined) {
          window.setTimeout(followPhoneCall, 3000);
          return;
        }
        var note = document.getElementById("phone-call-duration");
        note.textContent = "The phone system says the call lasted " + call.duration_seconds + " seconds.";
        if (durationSource.value === "typed" || durationSource.value === "phone") { return; }
        stopTimer();
        duration.value = String(call.duration_minutes);
        durationSource.value = "phone";
        onChange();
      })
      .catch(function () { window.setTimeout(followPhoneCall, 10000); });
  }

  restoreLocal();
  showBranch();
  if (running) { start(); } else { render(); toggle.textContent = "Restart timer"; }
  if (phoneBanner && durationSource.value !== "phone") { followPhoneCall(); }
})();
