// Progressive enhancement for the profile and experience pages. Everything works without it:
// the time zone select has a default, and every experience is listed in its group.
(function () {
  "use strict";

  // Lower case, without accents, so "Burn-out" and "burnout" or "séparation" find each other.
  function fold(text) {
    return (text || "")
      .toLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9 ]+/g, " ");
  }

  // A new profile: start from the device's own time zone when we have it in the list.
  function guessTimezone(root) {
    var selects = root.querySelectorAll("select[data-guess-timezone]:not([data-ready])");
    Array.prototype.forEach.call(selects, function (select) {
      select.setAttribute("data-ready", "");
      var zone;
      try {
        zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      } catch (e) {
        return;
      }
      if (!zone) return;
      var match = Array.prototype.find.call(select.options, function (o) {
        return o.value === zone;
      });
      if (match) select.value = zone;
    });
  }

  function showSearch(root) {
    var boxes = root.querySelectorAll("[data-picker-search][hidden]");
    Array.prototype.forEach.call(boxes, function (box) {
      box.hidden = false;
    });
  }

  function matches(words, text) {
    text = fold(text);
    return words.every(function (w) {
      return text.indexOf(w) !== -1;
    });
  }

  // Experiences whose own words match; only when none do, whole groups whose name matches
  // (so "parent" finds "Loss of a parent", not everything under "Pregnancy & parenthood").
  function filter(form, query) {
    var words = fold(query).split(" ").filter(Boolean);
    var groups = Array.prototype.slice.call(form.querySelectorAll("[data-group]"));
    var tagsOf = function (group) {
      return Array.prototype.slice.call(group.querySelectorAll("[data-tag]"));
    };
    var byTag = groups.some(function (group) {
      return tagsOf(group).some(function (tag) {
        return matches(words, tag.getAttribute("data-search"));
      });
    });
    var shown = 0;
    groups.forEach(function (group) {
      // Remember which groups the person had open, to put them back when the search is cleared.
      if (!group.hasAttribute("data-was-open")) {
        group.setAttribute("data-was-open", group.open ? "1" : "0");
      }
      var wholeGroup = !byTag && matches(words, group.getAttribute("data-search"));
      var inGroup = 0;
      tagsOf(group).forEach(function (tag) {
        var hit = !words.length || wholeGroup || matches(words, tag.getAttribute("data-search"));
        tag.hidden = !hit;
        if (hit) inGroup += 1;
      });
      shown += inGroup;
      group.hidden = inGroup === 0;
      if (words.length) {
        group.open = inGroup > 0;
      } else {
        // …and keep open any group where something was ticked meanwhile.
        group.open =
          group.getAttribute("data-was-open") === "1" || !!group.querySelector(".tag-box:checked");
        group.removeAttribute("data-was-open");
      }
    });
    var status = form.querySelector("#experience-search-status");
    var empty = form.querySelector("[data-picker-empty]");
    if (empty) empty.hidden = !(words.length && shown === 0);
    if (status) {
      if (!words.length) status.textContent = "";
      else if (shown === 0) status.textContent = "Nothing matches that yet.";
      else status.textContent = shown + (shown === 1 ? " experience matches." : " experiences match.");
    }
  }

  function updateCount(group) {
    var count = group.querySelectorAll(".tag-box:checked").length;
    var label = group.querySelector("[data-group-count]");
    if (label) label.textContent = count ? count + " chosen" : "";
  }

  document.addEventListener("input", function (event) {
    if (event.target.id !== "experience-search") return;
    var form = event.target.closest("[data-picker]");
    if (form) filter(form, event.target.value);
  });

  document.addEventListener("keydown", function (event) {
    // Enter in the search box filters; it never sends the form half-done.
    if (event.key === "Enter" && event.target.id === "experience-search") event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    if (!event.target.classList || !event.target.classList.contains("tag-box")) return;
    var group = event.target.closest("[data-group]");
    if (group) updateCount(group);
  });

  function init(root) {
    guessTimezone(root);
    showSearch(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  // Boosted navigations swap in new pages without running this file again.
  document.addEventListener("htmx:load", function (event) {
    init(event.detail && event.detail.elt ? event.detail.elt : document);
  });
})();
