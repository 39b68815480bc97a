// Case page: after a call was saved, drop this browser's local backup of its draft.
(function () {
  "use strict";
  var marker = document.getElementById("cases-clear-local-draft");
  if (!marker) { return; }
  try {
    window.localStorage.removeItem("fsp-draft:" + marker.dataset.user + ":" + marker.dataset.key);
  } catch (e) { /* storage disabled */ }
})();
