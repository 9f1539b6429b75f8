// Patrol rounds: scan a point's QR code with the phone's camera where the browser can read
// barcodes (BarcodeDetector); the typed code stays as the fall-back everywhere.
(function () {
  "use strict";
  function setUp(form) {
    var start = form.querySelector("[data-qr-start]");
    var video = form.querySelector("[data-qr-video]");
    var input = form.querySelector("input[name=code]");
    if (!start || !video || !input) return;
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    start.classList.remove("d-none");
    start.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" } })
        .then(function (stream) {
          video.srcObject = stream;
          video.classList.remove("d-none");
          video.play();
          var timer = window.setInterval(function () {
            detector.detect(video).then(function (codes) {
              if (!codes.length) return;
              window.clearInterval(timer);
              stream.getTracks().forEach(function (track) { track.stop(); });
              input.value = codes[0].rawValue;
              form.submit();
            });
          }, 300);
        })
        .catch(function () {
          start.classList.add("d-none");
          input.focus();
        });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-qr-scan]").forEach(setUp);
  });
})();
