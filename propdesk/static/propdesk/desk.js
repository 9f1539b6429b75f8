// Cashier desk: ticking bills shows the total due and fills the amount with it; the cashier may
// still change the amount for a partial payment. Amounts are summed in fen (no float error).
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=payment-form]");
  if (!form) return;
  var amount = form.querySelector("#id_amount");
  var total = document.querySelector("[data-testid=ticked-total]");
  var checks = form.querySelectorAll("input[data-testid=bill-check]");
  var filled = null; // the amount this script last wrote

  function fen(text) {
    var parts = String(text).split(".");
    var cents = (parts[1] || "") + "00";
    return parseInt(parts[0], 10) * 100 + parseInt(cents.slice(0, 2), 10);
  }
  function yuan(cents) {
    var whole = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + whole + "." + String(cents % 100).padStart(2, "0");
  }
  function plain(cents) {
    return Math.floor(cents / 100) + "." + String(cents % 100).padStart(2, "0");
  }
  function update() {
    var sum = 0;
    var ticked = 0;
    checks.forEach(function (box) {
      if (box.checked) {
        sum += fen(box.dataset.outstanding);
        ticked += 1;
      }
    });
    if (total) {
      total.textContent = ticked ? yuan(sum) : "—";
      total.dataset.fen = String(sum);
    }
    if (!amount) return;
    // Fill the amount unless the cashier typed one of their own since the last fill.
    if (amount.value === "" || amount.value === filled) {
      filled = ticked ? plain(sum) : "";
      amount.value = filled;
    }
  }
  checks.forEach(function (box) {
    box.addEventListener("change", update);
  });
  update();
})();
