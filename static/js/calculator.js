/* Progressive enhancement for the calculator form. Without this file everything still works:
 * the retirement date is always shown (with a hint saying who fills it in).
 * With it, the retirement date is shown only when 退休 is chosen (and not sent otherwise). */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function syncRetirement() {
    var form = document.getElementById("calculator-form");
    if (!form) {
      return;
    }
    var employed = form.querySelector('input[name="status"][value="employed"]');
    var show = !(employed && employed.checked);
    form.querySelectorAll("[data-retired-only]").forEach(function (block) {
      block.hidden = !show;
      block.querySelectorAll("input, select").forEach(function (input) {
        input.disabled = !show;
      });
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "status") {
      syncRetirement();
    }
  });
  // Error summary links: move focus to the field itself (and keep its label in view),
  // opening a closed 更多选项 or 选填 section around it first.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    var details = target.closest("details");
    if (details) {
      details.open = true;
    }
    var field = target.closest(".field") || target;
    field.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });

  document.addEventListener("DOMContentLoaded", syncRetirement);
  // htmx swapped in new content (a calculation, or rows added or removed).
  document.addEventListener("htmx:load", syncRetirement);
})();
