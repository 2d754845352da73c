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
    var field = target.closest(".field, .visit-fields > div") || target;
    field.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });

  // --- The region's hint: which visit dates its rules cover, once a region is chosen. ---
  function syncRegionHint(select) {
    // Every option carries its hint (the empty one the general hint).
    var hint = document.getElementById(select.id + "_helptext");
    var option = select.options[select.selectedIndex];
    var text = option && option.getAttribute("data-hint");
    if (hint && text) {
      hint.textContent = text;
    }
  }

  // --- A result on screen that no longer matches the form is marked out of date. ---
  // Any edit to the form after a result is shown marks it, until 计算 brings a new one (the
  // whole #calculator block is swapped then, marks included). The texts are in the page, in
  // its language: #form-status (a live region beside 计算) and #stale-note-template (a note
  // put at the top of the results).
  function markStale() {
    var results = document.getElementById("results");
    if (!results || results.classList.contains("results-stale")) {
      return;
    }
    results.classList.add("results-stale");
    var note = document.getElementById("stale-note-template");
    if (note && note.content) {
      results.insertBefore(note.content.cloneNode(true), results.firstChild);
    }
    var status = document.getElementById("form-status");
    if (status) {
      status.textContent = status.getAttribute("data-stale-text");
    }
  }

  function onEdit(event) {
    var field = event.target;
    if (!field || !field.form || field.form.id !== "calculator-form") {
      return;
    }
    if (event.type === "change" && field.id === "id_region") {
      syncRegionHint(field);
    }
    markStale();
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  // Adding or removing a row returns the rows and, out of band, a note in place of the old
  // results. Before any result is shown there is nothing to replace: drop that part of the
  // response, or htmx reports htmx:oobErrorNoTarget in the console.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "visits" || document.getElementById("results")) {
      return;
    }
    var response = event.detail.serverResponse;
    if (typeof response !== "string" || response.indexOf("hx-swap-oob") === -1) {
      return;
    }
    var holder = document.createElement("template");
    holder.innerHTML = response;
    var stale = holder.content.querySelectorAll("[hx-swap-oob]");
    for (var i = 0; i < stale.length; i++) {
      if (stale[i].id === "results") {
        stale[i].parentNode.removeChild(stale[i]);
      }
    }
    event.detail.serverResponse = holder.innerHTML;
  });

  document.addEventListener("DOMContentLoaded", syncRetirement);
  // htmx swapped in new content (a calculation, or rows added or removed).
  document.addEventListener("htmx:load", syncRetirement);
})();
