/* Inside the framed booking block: tell the host page how tall the content is (embed.js there sets the
   iframe's height), and open links that leave the embedded pages in a new tab (those pages refuse framing). */
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.getElementById("wb-embed");
  var last = 0;
  function post() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      // Only a height goes out, so any host may hear it; embed.js checks that it came from its own frame.
      window.parent.postMessage({type: "wagtail-booking:height", height: height}, "*");
    }
  }
  var embedded = /\/embed\//;
  document.querySelectorAll("a[href]").forEach(function (link) {
    if (!link.hasAttribute("target") && !embedded.test(link.pathname)) {
      link.target = "_blank";
      link.rel = "noopener";
    }
  });
  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  if (window.ResizeObserver) new ResizeObserver(post).observe(root);
  post();
})();
