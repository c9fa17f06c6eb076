// Chat, notifications and the calendar link. No inline scripts: the CSP allows only 'self'.
(function () {
  "use strict";

  // The chat log stays at the newest message unless the reader has scrolled up to read.
  var stickToBottom = true;

  function log() {
    return document.getElementById("chat-log");
  }

  function atBottom(element) {
    return element.scrollHeight - element.scrollTop - element.clientHeight < 48;
  }

  function toBottom() {
    var element = log();
    if (element) element.scrollTop = element.scrollHeight;
  }

  document.addEventListener("DOMContentLoaded", toBottom);
  document.addEventListener("htmx:beforeSwap", function (event) {
    var element = log();
    if (element && event.detail.target && event.detail.target.contains(element)) {
      stickToBottom = atBottom(element);
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.boosted) {
      stickToBottom = true;
      toBottom();
      return;
    }
    if (log() && stickToBottom) toBottom();
  });
  // After sending, the form comes back empty: keep the keyboard where it was.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "chat") {
      var box = document.getElementById("chat-body");
      if (box && !box.value) box.focus({ preventScroll: true });
    }
  });

  // Web Push: ask, subscribe through the service worker, and tell the server.
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function say(box, text) {
    var status = box.querySelector("[data-push-status]");
    if (status) status.textContent = text;
  }

  function turnOn(box) {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      say(box, "This browser can't show notifications. Updates are always in the app.");
      return;
    }
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") {
        say(box, "Notifications are off for this site. You can change that in your browser's settings.");
        return null;
      }
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-push-key")),
        });
      }).then(function (subscription) {
        return fetch("/reminders/push", {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "X-CSRF-Token": document.body.getAttribute("data-signed-in-token") || "",
          },
          body: JSON.stringify(subscription.toJSON()),
        });
      }).then(function (response) {
        if (response && response.ok) {
          window.location.reload();
        } else {
          say(box, "That didn't work. Please try again later.");
        }
      });
    }).catch(function () {
      say(box, "That didn't work. Please try again later.");
    });
  }

  document.addEventListener("click", function (event) {
    var on = event.target.closest("[data-push-on]");
    if (on) {
      turnOn(on.closest("[data-push]"));
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.querySelector(copy.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(function () {
          copy.textContent = "Copied";
        }).catch(function () {});
      }
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
