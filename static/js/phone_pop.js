// Screen pop of incoming phone calls (issue 20), on every page of someone taking calls.
// A cheap poll, not a stream: gunicorn's sync workers would each be held by an open
// stream (bench/bench_phone_pop.py measures both). About once a second while the tab is
// visible; every 15 s while hidden (still the presence heartbeat), and at once when the tab
// comes back. Sent as background: a poll is not activity and never extends the idle time-out.
(function () {
  "use strict";
  var slot = document.getElementById("phone-pop");
  var live = document.getElementById("phone-pop-live");
  if (!slot || !live || !window.fetch) { return; }
  var VISIBLE_MS = 1000;
  var HIDDEN_MS = 15000;
  var ERROR_MS = 10000;
  var SKIP_KEY = "fsp-pop-dismissed";
  var timer = null;
  var inFlight = false;
  var stopped = false;
  var polls = 0;

  function dismissed() {
    try { return JSON.parse(window.sessionStorage.getItem(SKIP_KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(sid) {
    var list = dismissed().filter(function (s) { return s !== sid; });
    list.push(sid);
    try { window.sessionStorage.setItem(SKIP_KEY, JSON.stringify(list.slice(-10))); } catch (e) { /* ignore */ }
  }

  function shownToken() {
    var card = live.querySelector("[data-token]");
    return card ? card.dataset.token : "";
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    if (!stopped) { timer = window.setTimeout(poll, ms); }
  }

  function poll() {
    if (stopped || inFlight) { return; }
    inFlight = true;
    var params = new URLSearchParams({ shown: shownToken(), skip: dismissed().join(","), next: slot.dataset.next || "" });
    fetch(slot.dataset.url + "?" + params.toString(), {
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Background-Poll": "1" }
    }).then(function (response) {
      if (response.status === 401 || response.type === "opaqueredirect") {
        stopped = true; // signed out: portal.js shows the sign-in (or keeps the call page)
        return null;
      }
      if (response.headers.get("X-Taking-Calls") === "off") { stopped = true; live.innerHTML = ""; return null; }
      if (response.status === 204) { return null; }
      if (!response.ok) { throw new Error("poll " + response.status); }
      return response.text();
    }).then(function (html) {
      if (html !== null && html !== undefined && live.innerHTML !== html) { live.innerHTML = html; }
      slot.dataset.polls = String(++polls); // how many answers this page has handled
      schedule(document.hidden ? HIDDEN_MS : VISIBLE_MS);
    }).catch(function () {
      schedule(ERROR_MS);
    }).then(function () { inFlight = false; });
  }

  live.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pop-dismiss]");
    if (!button) { return; }
    var card = button.closest("[data-call]");
    if (card) { remember(card.dataset.call); }
    live.innerHTML = "";
    var main = document.getElementById("main");
    if (main) { main.focus({ preventScroll: true }); } // the button is gone: focus stays on the page
    schedule(0); // another call may be waiting behind the dismissed one
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(0); }
  });

  schedule(0);
})();
