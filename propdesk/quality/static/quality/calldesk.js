// The call desk: "This house" on the caller card fills the house of the request and message forms.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick-house]");
    if (!pick) { return; }
    document.querySelectorAll("[data-house-form]").forEach(function (form) {
      var prefix = form.dataset.houseForm;
      var house = form.querySelector("[name='" + prefix + "-house']");
      if (house) { house.value = pick.dataset.pickHouse; }
      var building = form.querySelector("[name='" + prefix + "-building']");
      if (building) { building.value = ""; }
      var owner = form.querySelector("[name='" + prefix + "-caller_owner']");
      if (owner) { owner.value = pick.dataset.owner || ""; }
      var name = form.querySelector("[name='" + prefix + "-caller_name']");
      if (name && !name.value) { name.value = pick.dataset.person || ""; }
    });
    var label = document.getElementById("selected-house");
    if (label) { label.textContent = pick.dataset.label; }
  });
})();
