// Progressive enhancement for the booking block: the server-rendered forms work without it.
// Only the first visit is changed: times switch to the visitor's detected zone. Selects never submit on
// change, so keyboard users can move through the options freely.
(function () {
  document.documentElement.classList.add("js");
  var detected;
  try { detected = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { detected = null; }
  // After a failed submission, move focus to the summary of what to correct (it is announced as an alert too).
  var summary = document.querySelector(".wb-alert[tabindex='-1']");
  if (summary) { summary.focus(); }
  // Every block on a page reads the same booking_tz, so the first form's reload serves them all.
  Array.prototype.slice.call(document.querySelectorAll("form[data-wb-autosubmit]"), 0, 1).forEach(function (form) {
    if (form.dataset.wbReady) return;
    form.dataset.wbReady = "1";
    var zone = form.querySelector("[data-wb-timezone]");
    var params = new URLSearchParams(window.location.search);
    // First visit: show times in the visitor's own zone (they can still change it).
    if (zone && detected && !params.get("booking_tz") && zone.value !== detected &&
        zone.querySelector('option[value="' + detected + '"]')) {
      zone.value = detected;
      form.submit();
      return;
    }
  });
})();
