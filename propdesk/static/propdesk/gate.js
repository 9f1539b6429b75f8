// The gate page: scan a pass's QR code with the camera where the browser has a barcode
// detector; typing the code always works.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var button = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  var input = document.getElementById("gate-code");
  if (!button || !video || !input) { return; }
  button.classList.remove("d-none");
  button.addEventListener("click", async function () {
    try {
      var detector = new BarcodeDetector({formats: ["qr_code"]});
      var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
      video.srcObject = stream; video.classList.remove("d-none"); await video.play();
      var tick = async function () {
        var codes = await detector.detect(video);
        if (codes.length) {
          stream.getTracks().forEach(function (t) { t.stop(); });
          input.value = codes[0].rawValue;
          document.getElementById("gate-form").submit();
          return;
        }
        requestAnimationFrame(tick);
      };
      tick();
    } catch (e) { button.disabled = true; }
  });
})();
