// Kindred PWA behaviour. No inline scripts: the CSP allows only 'self'.
(function () {
  "use strict";

  // Quick exit: leave for a neutral site and replace this page in the history.
  function quickExit(event) {
    if (event) event.preventDefault();
    var url = document.body.getAttribute("data-quick-exit-url") || "https://www.bbc.co.uk/weather";
    document.body.style.display = "none";
    // Also sign out, so the Back button on a shared phone shows only the login page.
    var token = document.body.getAttribute("data-signed-in-token");
    if (token && navigator.sendBeacon) {
      var form = new FormData();
      form.append("csrf_token", token);
      navigator.sendBeacon("/logout", form);
    }
    window.location.replace(url);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-quick-exit]");
    if (target) quickExit(event);
  });

  // Pressing Escape twice quickly also leaves.
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape < 600) quickExit(event);
    lastEscape = now;
  });

  // Move focus to the new content after a boosted navigation, for screen readers.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.boosted) {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
  });

  // Copy buttons (a secret shown once): only shown where the clipboard can be written.
  function showCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", showCopyButtons);
  document.addEventListener("htmx:afterSettle", showCopyButtons);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    navigator.clipboard.writeText(field.value).then(function () {
      button.textContent = "Copied";
    });
  });

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
})();
