// Behaviours the pages declare in their markup. The Content-Security-Policy allows no inline
// scripts or event handlers, so every page's small interactions are wired here by attribute:
//   data-confirm="question"   on a form or its submit button: ask before submitting
//   data-autosubmit           on a select: submit its form when the choice changes
//   data-keep-query           on a link: carry the page's current query string (after htmx
//                             pushed new filters into the address bar)
//   data-select-on-focus      on an input: select its text when focused
//   data-copy-from="id"       on a button: copy that input's value to the clipboard, then show
//                             the button's data-done text
//   data-remove-form          on a button: remove the form it is in (an inline form's Cancel)
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) { return; }
    var link = target.closest("a[data-keep-query]");
    if (link) { link.search = window.location.search; return; }
    var copy = target.closest("[data-copy-from]");
    if (copy) {
      var source = document.getElementById(copy.dataset.copyFrom);
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value).then(function () {
          copy.textContent = copy.dataset.done || copy.textContent;
        });
      }
      return;
    }
    var remove = target.closest("[data-remove-form]");
    if (remove && remove.closest("form")) { remove.closest("form").remove(); }
  });
})();
