/* Scrambled keypad: each click appends the button's opaque token to the hidden field
   (tokens joined by ","), and the dots show how many digits were typed. The server alone
   maps tokens back to digits. Works for both layouts through data attributes:
   data-keypad on the pad, data-field (hidden input id), data-dots (dot selector),
   data-max (code length); buttons carry data-key (classic) or data-pin (redesign). */
(function () {
  "use strict";
  document.querySelectorAll("[data-keypad]").forEach(function (pad) {
    var form = pad.closest("form");
    var field = document.getElementById(pad.dataset.field);
    var dots = form.querySelectorAll(pad.dataset.dots);
    var max = parseInt(pad.dataset.max || "6", 10);
    var tokens = [];

    function render() {
      field.value = tokens.join(",");
      dots.forEach(function (dot, i) {
        dot.classList.toggle("on", i < tokens.length);
      });
    }

    pad.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-key], button[data-pin]");
      if (!button || tokens.length >= max) {
        return;
      }
      tokens.push(button.dataset.key || button.dataset.pin);
      render();
    });

    form.querySelectorAll("[data-clear]").forEach(function (button) {
      button.addEventListener("click", function () {
        tokens = [];
        render();
      });
    });

    render();
  });
})();
