// A card on file with Stripe.js: save it (a SetupIntent) or confirm a fee the bank wants the client to authenticate
// (the same PaymentIntent, with the saved card). Card details go to Stripe only.
(function () {
  "use strict";
  var form = document.getElementById("wb-card-form");
  if (!form || !window.Stripe) { return; }
  var data = form.dataset;
  var stripe = Stripe(data.publishableKey, data.stripeAccount ? {stripeAccount: data.stripeAccount} : undefined);
  var message = document.getElementById("wb-card-message");
  var button = form.querySelector("button[type=submit]");
  var elements = null;
  if (data.wbStripe === "setup") {
    elements = stripe.elements({clientSecret: data.clientSecret});
    elements.create("payment").mount("#wb-card-element");
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    var done = data.wbStripe === "setup"
      ? stripe.confirmSetup({elements: elements, confirmParams: {return_url: data.returnUrl}})
      : stripe.confirmPayment({clientSecret: data.clientSecret,
                               confirmParams: {payment_method: data.paymentMethod, return_url: data.returnUrl}});
    done.then(function (result) {
      if (result && result.error) {
        message.textContent = result.error.message + " " + data.tryAgain;
        message.hidden = false;
        button.disabled = false;
      }
    });
  });
})();
