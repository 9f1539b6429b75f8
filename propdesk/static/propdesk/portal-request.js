// Reporting a problem in the owner portal: emergency categories bring the hotline to the top
// and highlight it.
(function () {
  "use strict";
  var form = document.querySelector('[data-testid="request-form"]');
  var hotline = document.getElementById("hotline");
  if (!form || !hotline) { return; }
  var list = (form.dataset.emergencyCategories || "").split(",");
  function update() {
    var urgent = list.indexOf(form.category.value) >= 0 || (form.emergency && form.emergency.checked);
    hotline.setAttribute("data-emergency", urgent ? "yes" : "no");
  }
  form.category.addEventListener("change", update);
  if (form.emergency) { form.emergency.addEventListener("change", update); }
  update();
})();
