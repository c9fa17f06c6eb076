// Offer to add Kindred to the home screen, on browsers that support it (beforeinstallprompt).
// Nothing shows elsewhere; "Not now" is remembered on this device.
(function () {
  "use strict";
  var KEY = "kindred-install-dismissed";
  var offer = null;

  function box() { return document.getElementById("install-offer"); }

  function dismissed() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function show() {
    var el = box();
    if (el && offer && !dismissed()) el.hidden = false;
  }

  function hide() {
    var el = box();
    if (el) el.hidden = true;
  }

  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault(); // we ask at a calm moment, in our own words
    offer = event;
    show();
  });

  window.addEventListener("appinstalled", function () {
    offer = null;
    hide();
  });

  // The footer is replaced on boosted navigations: show the offer again on the new page.
  document.addEventListener("htmx:afterSettle", show);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-install]")) {
      event.preventDefault();
      if (!offer) return;
      offer.prompt();
      offer.userChoice.finally(function () { offer = null; hide(); });
    } else if (event.target.closest("[data-install-later]")) {
      event.preventDefault();
      try { window.localStorage.setItem(KEY, "1"); } catch (e) { /* private mode */ }
      hide();
    }
  });
})();
