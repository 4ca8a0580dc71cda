// The week grid of a provider's hours, enhanced: "Add a shift" inserts a shift row on that day, "Remove" takes one
// away, and a day with no shifts says "Closed". Without this script every day shows one empty shift to fill in and
// each shift a "Remove" checkbox; the server reads both the same way (wagtail_booking/snippets/hours.py).
(function () {
  "use strict";

  function renumber(shift, number) {
    shift.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(/-(\d+)-(opens|closes|remove)$/, "-" + number + "-$2");
      var label = input.getAttribute("aria-label");
      if (label) input.setAttribute("aria-label", label.replace(/\d+/, String(number)));
    });
  }

  function removeButton(shift, day) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary no";
    button.textContent = day.closest("[data-wb-hours]").dataset.wbRemoveText || "Remove";
    var starts = shift.querySelector("input");
    button.setAttribute("aria-label", (starts.getAttribute("aria-label") || "").replace(/:.*$/, "") + ": " +
                        button.textContent);
    button.addEventListener("click", function () {
      var next = shift.nextElementSibling || shift.previousElementSibling;
      shift.remove();
      refresh(day);
      (next && next.querySelector("input") || day.querySelector("[data-wb-add-shift]")).focus();
    });
    return button;
  }

  function refresh(day) {
    var count = day.querySelectorAll("[data-wb-shift]").length;
    day.querySelector("[data-wb-closed]").hidden = count > 0;
  }

  function enhanceDay(day) {
    var list = day.querySelector("[data-wb-shifts]");
    var blank = list.querySelector("[data-wb-blank]");
    var template = blank.cloneNode(true);
    blank.remove();
    template.removeAttribute("data-wb-blank");
    var help = template.querySelector("[data-wb-blank-help]");
    if (help) help.remove();
    list.querySelectorAll("[data-wb-shift]").forEach(function (shift) {
      var label = shift.querySelector("[data-wb-remove-label]");
      if (label) label.replaceWith(removeButton(shift, day));
    });
    var add = day.querySelector("[data-wb-add-shift]");
    add.hidden = false;
    add.addEventListener("click", function () {
      var number = Number(day.dataset.wbNext);
      day.dataset.wbNext = String(number + 1);
      var shift = template.cloneNode(true);
      renumber(shift, number);
      shift.appendChild(removeButton(shift, day));
      list.appendChild(shift);
      refresh(day);
      shift.querySelector("input").focus();
    });
    refresh(day);
  }

  function enhanceAll() {
    document.querySelectorAll("[data-wb-hours] [data-wb-day]").forEach(function (day) {
      if (!day.dataset.wbReady) {
        day.dataset.wbReady = "1";
        enhanceDay(day);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
