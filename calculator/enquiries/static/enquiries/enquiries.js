/* Saved enquiries: copy the link; carry the calculator's live fields (person and rows) into the import form.
   Everything works without this script (the link field is selectable, the import form sends
   the page's last submitted fields). Loaded possibly more than once (htmx swaps): idempotent. */
(function () {
  "use strict";
  if (window.__enquiriesReady) { return; }
  window.__enquiriesReady = true;

  var CARRIED = ["region", "status", "age", "retired_on", "flexible_employment", "contribution_base",
    "account_balance", "prior_years_balance", "chronic_disease_count"];
  var VISIT_FIELD = /^visits-\d{1,3}-(date|level|setting|total|excluded|class_b|offsite|inpatient_stay|chronic|price_class)$/;

  function showCopyButtons(root) {
    var buttons = (root || document).querySelectorAll("[data-copy-target][hidden]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].hidden = false; }
  }

  document.addEventListener("DOMContentLoaded", function () { showCopyButtons(document); });
  document.addEventListener("htmx:afterSwap", function () { showCopyButtons(document); });
  showCopyButtons(document);

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!input) { return; }
    function done(ok) {
      // The page's language: the button carries both texts (data-copied, data-copy-failed).
      if (status) {
        status.textContent = ok ? (button.getAttribute("data-copied") || "链接已复制。")
          : (button.getAttribute("data-copy-failed") || "无法自动复制，请选中链接后手动复制。");
      }
      // Copied: back on the button (a screen reader hears the status, not the long link the
      // copy had to select). Not copied: the link stays selected, to copy by hand.
      if (ok) { button.focus(); }
    }
    input.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(function () { done(true); }, function () {
        done(document.execCommand && document.execCommand("copy"));
      });
    } else {
      done(document.execCommand && document.execCommand("copy"));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "visit-import-form") { return; }
    // A file over the limit is refused here, next to the field, before it is sent: the
    // server would refuse it too, and the page it answers with cannot keep what was typed.
    var input = form.querySelector("input[type=file][data-max-bytes]");
    var error = document.getElementById("id_import_file_error");
    if (input && error) {
      var file = input.files && input.files[0];
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      if (file && max && file.size > max) {
        event.preventDefault();
        error.textContent = input.getAttribute("data-too-large");
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "id_import_file_error id_import_file_hint");
        input.focus();
        return;
      }
      error.hidden = true;
    }
    var calculator = document.getElementById("calculator-form");
    if (!calculator) { return; }
    var old = form.querySelectorAll("input[data-carry]");
    for (var i = 0; i < old.length; i++) { old[i].parentNode.removeChild(old[i]); }
    // The person's fields, and the visit rows' (kept as typed if nothing is imported).
    var names = CARRIED.slice();
    for (var k = 0; k < calculator.elements.length; k++) {
      var named = calculator.elements[k].name;
      if (VISIT_FIELD.test(named) && names.indexOf(named) < 0) { names.push(named); }
    }
    names.forEach(function (name) {
      var fields = calculator.elements[name];
      if (!fields) { return; }
      var value = "";
      if (fields.length !== undefined && fields.tagName === undefined) {  // radio group
        for (var j = 0; j < fields.length; j++) { if (fields[j].checked) { value = fields[j].value; } }
      } else if (fields.type === "checkbox") {
        value = fields.checked ? "on" : "";
      } else {
        value = fields.value;
      }
      if (!value) { return; }
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = name;
      hidden.value = value;
      hidden.setAttribute("data-carry", name);
      form.appendChild(hidden);
    });
  });
})();
