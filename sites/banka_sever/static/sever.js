/* Banka Sever: the cookie banner and the six one-character code boxes.
   The banner is a full-page overlay: until "Prihvatam" is clicked nothing under it can be
   clicked. Accepting stores the choice in a cookie (one year) and removes the overlay.
   The code boxes advance to the next box on each digit, go back on Backspace, and spread a
   pasted code over the six boxes; the server reads the six fields, one character each. */
(function () {
  "use strict";
  var banner = document.getElementById("kolacici");
  if (banner) {
    document.getElementById("btnPrihvatamKolacice").addEventListener("click", function () {
      document.cookie = "sever_kolacici=prihvaceni; path=/; max-age=31536000; SameSite=Lax";
      banner.parentNode.removeChild(banner);
    });
  }

  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.otp-polje"));
  boxes.forEach(function (box, i) {
    box.addEventListener("input", function () {
      box.value = box.value.replace(/\D/g, "").slice(-1);
      if (box.value && i < boxes.length - 1) {
        boxes[i + 1].focus();
        boxes[i + 1].select();
      }
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Backspace" && !box.value && i > 0) {
        boxes[i - 1].focus();
      }
    });
    box.addEventListener("paste", function (event) {
      var text = (event.clipboardData || window.clipboardData).getData("text").replace(/\D/g, "");
      if (!text) {
        return;
      }
      event.preventDefault();
      for (var j = 0; j < boxes.length && j < text.length; j++) {
        boxes[j].value = text[j];
      }
      boxes[Math.min(text.length, boxes.length) - 1].focus();
    });
  });
})();
