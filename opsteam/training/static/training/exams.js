/* Exam pages: the countdown of a timed attempt (confirming hand-in is app.js's data-confirm).
   No inline script (CSP): wired by data attributes. The server enforces the limit anyway. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  onReady(function () {
    var timer = document.querySelector("[data-exam-timer]");
    if (timer) {
      var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
      var end = Date.now() + left * 1000;
      var label = timer.querySelector("[data-exam-timer-value]");
      var form = document.getElementById(timer.getAttribute("data-form"));
      var tick = function () {
        var remaining = Math.max(0, Math.round((end - Date.now()) / 1000));
        label.textContent = format(remaining);
        if (remaining <= 60) timer.classList.add("text-danger");
        if (remaining === 0) {
          window.clearInterval(handle);
          if (form) { form.setAttribute("data-auto-submit", "1"); form.submit(); }
          return;
        }
      };
      var handle = window.setInterval(tick, 1000);
      tick();
    }
  });
})();
