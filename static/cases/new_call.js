// New-call screen: call timer, server draft autosave (htmx) and a local backup of the notes.
(function () {
  "use strict";
  var form = document.getElementById("new-call-form");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var PREFIX = "fsp-draft:";
  var storageKey = PREFIX + form.dataset.user + ":" + form.dataset.draftKey;
  var AUTOSAVE_MS = 4000;
  var MAX_AGE_MS = 12 * 60 * 60 * 1000; // a local copy older than this is not a call in progress
  var dirty = false;
  var submitting = false;
  var signedOut = false;

  // --- local backup: only what the server has not confirmed yet ---------------------
  // It holds a caller's name, phone and notes in this browser, so it must not outlive the
  // sign-in: every copy goes at sign-out or time-out, and stale ones go when the page loads.
  function localDraftKeys() {
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) { keys.push(key); }
      }
    } catch (e) { /* storage disabled */ }
    return keys;
  }

  function removeLocal(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  function purgeAll() {
    signedOut = true; // nothing is written back after this
    localDraftKeys().forEach(removeLocal);
  }

  // Stale (older than 12 hours, or unreadable) copies, and any other user's copy left on a
  // shared computer whose owner never signed out: neither can be restored here.
  function purgeStale() {
    var own = PREFIX + form.dataset.user + ":";
    var now = Date.now();
    localDraftKeys().forEach(function (key) {
      var saved = null;
      try { saved = JSON.parse(window.localStorage.getItem(key)); } catch (e) { saved = null; }
      var fresh = saved && typeof saved.savedAt === "number" && now - saved.savedAt < MAX_AGE_MS;
      if (key.indexOf(own) !== 0 || !fresh) { removeLocal(key); }
    });
  }

  document.addEventListener("portal:signed-out", purgeAll); // idle time-out (static/js/portal.js)
  Array.prototype.forEach.call(
    document.querySelectorAll('form[action$="/accounts/logout/"]'),
    function (logout) { logout.addEventListener("submit", purgeAll); }
  );
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
    if (signedOut) { return; }
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({ savedAt: Date.now(), data: serialize() }));
    } catch (e) { /* storage full or disabled: the server draft still runs */ }
  }

  function dropLocal() { removeLocal(storageKey); }

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
      var value = saved.data[el.name];
      var values = [].concat(value);
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
  // An autosave is sent only when the form's content differs from what the server last
  // saved, and then WITHOUT the X-Background-Poll header: it is the advocate typing, so it
  // keeps the session alive (a long note during a crisis call must not end in a sign-out).
  // Nothing changed, nothing is sent, and an idle screen still times out.
  function fingerprint() { return JSON.stringify(serialize()); }
  var savedPrint = fingerprint(); // what the page was rendered with (empty or the draft)
  var sendingPrint = null;

  function onChange() {
    if (submitting) { return; }
    dirty = true;
    keepLocal();
  }
  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);

  window.setInterval(function () {
    if (!dirty || submitting || sendingPrint !== null || !window.htmx) { return; }
    dirty = false;
    var print = fingerprint();
    if (print === savedPrint) { dropLocal(); return; } // typed and undone: nothing to save
    sendingPrint = print;
    window.htmx.trigger(status, "autosave");
  }, AUTOSAVE_MS);

  status.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      savedPrint = sendingPrint === null ? savedPrint : sendingPrint;
      if (!dirty) { dropLocal(); }
    } else {
      dirty = true; // try again at the next tick; the local copy stays
      status.textContent = "Draft not saved to the server yet; kept in this browser.";
    }
    sendingPrint = null;
  });

  // --- call timer -------------------------------------------------------------------
  var timer = document.getElementById("call-timer");
  var toggle = document.getElementById("timer-toggle");
  var duration = document.getElementById("id_duration_minutes");
  var startedField = document.getElementById("id_started_at");
  var startedAt = parseInt(form.dataset.startedEpoch || "0", 10) * 1000 || Date.now();
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

  function stop() {
    if (!running) { return; }
    running = false;
    window.clearInterval(tick);
    duration.value = minutes();
    timerState.value = "stopped";
    toggle.textContent = "Restart timer";
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
      start();
    }
  });
  duration.addEventListener("input", function () {
    // The advocate typed a duration: the timer stops so it does not overwrite it.
    if (running) {
      running = false;
      timerState.value = "stopped";
      window.clearInterval(tick);
      toggle.textContent = "Restart timer";
    }
  });
  startedField.addEventListener("change", function () {
    if (running) { stop(); }
  });

  form.addEventListener("submit", function () {
    if (running) { duration.value = minutes(); }
    keepLocal();
    submitting = true;
  });

  // "Discard the draft and start over": the local copy goes with the server's, or it would
  // be restored on the fresh page. The page after the discard also says so (data-clear-local),
  // for a discard this script did not see.
  var discard = document.querySelector("#draft-restored form");
  if (discard) {
    discard.addEventListener("submit", function () { submitting = true; dropLocal(); });
  }

  purgeStale();
  if (form.dataset.clearLocal === "1") { dropLocal(); }
  restoreLocal();
  if (running) { start(); } else { render(); toggle.textContent = "Restart timer"; }
})();
