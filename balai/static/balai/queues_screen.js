// Call screen: htmx swaps the state every few seconds; when the latest call changes, announce it (a flash and
// a short chime). Browsers allow sound only after a touch on the page or in kiosk mode with
// --autoplay-policy=no-user-gesture-required (docs/admin/queue-call-screen.md).
(function () {
  "use strict";
  const HOLD_MS = 8000;
  let lastKey = null;
  let announcedAt = 0;
  let audio = null;

  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [880, 660].forEach(function (freq, i) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        const start = audio.currentTime + i * 0.35;
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.2, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + 0.3);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.32);
      });
    } catch (e) {
      // No sound device or not allowed yet: the flash is the announcement.
    }
  }

  function check() {
    const state = document.getElementById("screen-state");
    if (!state) return;
    const key = state.getAttribute("data-call-key") || "";
    const latest = state.querySelector("[data-testid=screen-latest]");
    if (lastKey !== null && key && key !== lastKey) {
      if (latest) latest.classList.add("queue-announce");
      // On the body: the polled element is replaced every few seconds, the body stays.
      document.body.setAttribute("data-announced", key);
      announcedAt = Date.now();
      chime();
    } else if (latest && Date.now() - announcedAt < HOLD_MS) {
      latest.classList.add("queue-announce-hold");  // the next poll must not cut the announcement short
    }
    lastKey = key;
  }

  document.addEventListener("DOMContentLoaded", check);
  document.body.addEventListener("htmx:afterSettle", check);
  // A first touch on the TV unlocks sound where the browser requires it.
  document.addEventListener("click", function () { if (audio) audio.resume(); else chime(); }, { once: true });
})();
