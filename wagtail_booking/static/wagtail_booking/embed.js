/* For the page that embeds a booking block: give each <iframe data-wagtail-booking> the height its content
   reports (embed-frame.js inside posts it on load and whenever it changes). */
(function () {
  "use strict";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "wagtail-booking:height" || typeof data.height !== "number") return;
    var frames = document.querySelectorAll("iframe[data-wagtail-booking]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.max(200, Math.min(data.height, 20000)) + "px";
      }
    }
  });
})();
