// A request's workbench: a standard phrase clicked goes into the note being written.
(function () {
  "use strict";
  var lastField = null;
  document.addEventListener("focusin", function (e) { if (e.target.tagName === "TEXTAREA") { lastField = e.target; } });
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-phrase]");
    if (!button) { return; }
    var field = lastField || document.getElementById("note-text") || document.querySelector("textarea");
    if (!field) { return; }
    var start = field.selectionStart || field.value.length;
    field.value = field.value.slice(0, start) + button.dataset.phrase + field.value.slice(field.selectionEnd || start);
    field.focus();
  });
})();
