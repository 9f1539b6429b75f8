// The triage suggestion panel (assistant/partials/form_hook.html): applies a suggestion to the
// request form. Console: when the agent presses "Use this suggestion". Portal: the category and
// kind are pre-selected until the owner picks one, and an emergency ticks the emergency box.
(function () {
  "use strict";

  function setValue(form, name, value) {
    var field = form.querySelector("[name=" + name + "]");
    if (!field || !value) { return false; }
    if (field.type === "checkbox") {
      if (field.checked === value) { return false; }
      field.checked = value;
    } else {
      var known = Array.prototype.some.call(field.options || [], function (o) { return o.value === value; });
      if (!known || field.value === value) { return false; }
      field.value = value;
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function panelForm(panel) {
    var field = document.querySelector(panel.getAttribute("data-assistant-form"));
    return field && field.form;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-assistant-accept]");
    if (!button) { return; }
    var box = button.closest("[data-assistant-suggestion]");
    var panel = button.closest("[data-assistant-form]");
    var form = panel && panelForm(panel);
    if (!box || !form) { return; }
    setValue(form, "category", box.dataset.category);
    setValue(form, "kind", box.dataset.kind);
    setValue(form, "urgency", box.dataset.urgency);
    button.textContent = button.dataset.done || "✓";
    button.disabled = true;
  });

  // Remember which fields the owner chose by hand: a suggestion never overrides them.
  document.addEventListener("change", function (event) {
    if (event.isTrusted && event.target.form) { event.target.dataset.chosenByHand = "yes"; }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.target.closest && event.target.closest("[data-assistant-mode=portal]");
    if (!panel) { return; }
    var box = panel.querySelector("[data-assistant-suggestion]");
    var form = panelForm(panel);
    if (!box || !form || box.dataset.unsure === "yes") { return; }
    ["category", "kind"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (field && field.dataset.chosenByHand !== "yes") { setValue(form, name, box.dataset[name]); }
    });
    var emergency = form.querySelector("[name=emergency]");
    if (box.dataset.urgency === "emergency" && emergency && emergency.dataset.chosenByHand !== "yes") {
      setValue(form, "emergency", true);
      var hotline = document.getElementById("hotline");
      if (hotline) { hotline.scrollIntoView({ block: "nearest" }); }
    }
  });
})();
