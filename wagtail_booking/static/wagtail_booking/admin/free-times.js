/* Staff "Add booking": the free times of the chosen service, provider and day, fetched as they change
 * (wagtail_booking/admin/free_times.py). Without this script "Show free times" posts the form back instead. */
(function () {
  "use strict";
  function start() {
    var box = document.querySelector("[data-wb-free-times]");
    if (!box) { return; }
    var form = box.closest("form");
    var legend = box.querySelector("[data-wb-free-times-legend]");
    var options = box.querySelector("[data-wb-free-times-options]");
    var field = function (name) { return form.querySelector("[name=" + name + "]"); };
    var request = 0;
    var wanted = box.dataset.wanted ? new Date(box.dataset.wanted).getTime() : 0;

    function clearOtherTime() {
      var other = field("start");
      if (other) { other.value = ""; }
    }

    function render(data) {
      legend.textContent = data.error || data.legend;
      options.replaceChildren();
      (data.times || []).forEach(function (time, index) {
        var label = document.createElement("label");
        label.className = "wb-free-times__option";
        var input = document.createElement("input");
        input.type = "radio";
        input.name = box.dataset.name;
        input.value = time.value;
        input.id = "id_" + box.dataset.name + "_" + index;
        input.checked = Boolean(wanted) && new Date(time.value.split("|")[0]).getTime() === wanted;
        if (input.checked) { clearOtherTime(); }
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + time.label));
        options.appendChild(label);
      });
    }

    function refresh() {
      var params = new URLSearchParams();
      ["service", "provider", "day"].forEach(function (name) {
        var input = field(name);
        if (input && input.value) { params.set(name, input.value); }
      });
      var mine = ++request;
      fetch(box.dataset.url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) { if (mine === request) { render(data); } })
        .catch(function () { /* the "Show free times" button still works */ });
    }

    ["service", "provider", "day"].forEach(function (name) {
      var input = field(name);
      if (input) { input.addEventListener("change", refresh); }
    });
    // A free time ticked replaces a typed one: the form takes the free time first, so say so by clearing it.
    options.addEventListener("change", function () { wanted = 0; clearOtherTime(); });
    box.querySelector("[data-wb-free-times-show]").hidden = true;
  }
  // Loaded in the page head by the admin: wait for the document.
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
