// Taking a call: a house picked on the caller card fills the form; linking the call to an open
// request carries the note being written.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var category = form.querySelector("[name=category]");
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick-house]");
    if (!pick) { return; }
    form.querySelector("[name=house]").value = pick.dataset.pickHouse;
    form.querySelector("[name=building]").value = "";
    form.querySelector("[name=caller_owner]").value = pick.dataset.owner || "";
    if (!form.querySelector("[name=caller_name]").value) { form.querySelector("[name=caller_name]").value = pick.dataset.person || ""; }
    document.getElementById("selected-house").textContent = pick.dataset.label;
    if (window.htmx) { htmx.trigger(category, "change"); }
  });
  document.addEventListener("submit", function (event) {
    var link = event.target.closest("[data-link-call]");
    if (link) { link.querySelector("[name=note]").value = form.querySelector("[name=description]").value || link.dataset.fallback; }
  });
})();
