// The time-zone chooser: a search box over the <select> of zones. Typing narrows the list to the zones whose name or
// label (city, region, "UTC+05:30") contains every word typed; the first match is chosen, as a browser's own
// type-ahead would. Without this script the plain <select> works as it is.
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().replace(/[_/(),]/g, " ").replace(/\u2212/g, "-").split(/\s+/).filter(Boolean);
  }

  function enhance(chooser) {
    var search = chooser.querySelector("[data-wb-zone-search]");
    var select = chooser.querySelector("select");
    if (!search || !select || chooser.dataset.wbReady) return;
    chooser.dataset.wbReady = "1";
    search.hidden = false;
    var options = Array.prototype.slice.call(select.options).filter(function (option) { return option.value; });
    options.forEach(function (option) { option.dataset.wbText = words(option.value + " " + option.text).join(" "); });
    search.addEventListener("input", function () {
      var wanted = words(search.value);
      var first = null;
      options.forEach(function (option) {
        var match = wanted.every(function (word) { return option.dataset.wbText.indexOf(word) !== -1; });
        option.hidden = !match;
        option.disabled = !match && !option.selected;
        if (match && first === null) first = option;
      });
      if (wanted.length && first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  function enhanceAll() {
    document.querySelectorAll("[data-wb-zone-chooser]").forEach(enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
