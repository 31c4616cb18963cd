// The ticket page at a kiosk: a Print button, and back to the service buttons after a while so the next
// person finds the kiosk ready.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const print = document.querySelector("[data-queue-print]");
    if (print) print.addEventListener("click", function () { window.print(); });
    const actions = document.querySelector("[data-return-url]");
    if (actions) {
      const seconds = parseInt(actions.getAttribute("data-return-after"), 10) || 20;
      window.setTimeout(function () { window.location.assign(actions.getAttribute("data-return-url")); }, seconds * 1000);
    }
  });
})();
