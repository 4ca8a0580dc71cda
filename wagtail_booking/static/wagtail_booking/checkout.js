// The payment page's countdown: how long the time stays held, and what to do when the hold has run out.
// Without JavaScript the page still says until when (and in which zone) the time is held.
(function () {
  var hold = document.querySelector("[data-wb-hold]");
  if (!hold) { return; }
  var left = hold.querySelector("[data-wb-hold-left]");
  var over = hold.querySelector("[data-wb-hold-over]");
  // Counted from what the server said was left, so a wrong clock on the client's device does not matter.
  var end = Date.now() + Number(hold.dataset.secondsLeft || 0) * 1000;
  var timer;

  function text(seconds) {
    var minutes = Math.floor(seconds / 60), rest = seconds % 60;
    var format = minutes === 0 ? hold.dataset.secondsOnlyLeft : hold.dataset.minutesLeft;
    return format.replace("{minutes}", minutes).replace("{seconds}", minutes === 0 ? rest : (rest < 10 ? "0" : "") + rest);
  }

  function tick() {
    var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (seconds > 0) {
      left.textContent = " \u00b7 " + text(seconds);
      return;
    }
    clearInterval(timer);
    left.textContent = "";
    var form = document.getElementById("wb-payment-form");
    if (form) { form.hidden = true; }
    over.hidden = false;
  }

  tick();
  timer = setInterval(tick, 1000);
})();
