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
  // The form as the server drew it is the form the result was calculated from: each field's
  // default (value attribute, checked, selected) is what was sent. The mark is on while any
  // field differs from its default, and comes off when the edits are undone. It is checked on
  // every edit, when htmx brings a page back from its history (its copy of the page was taken
  // with the mark on, and with the fields as drawn), and when the browser shows the page again.
  // The texts are in the page, in its language: #form-status (a live region beside 计算) and
  // #stale-note-template (a note put at the top of the results).
  function fieldChanged(field) {
    if (field.disabled || !field.name) {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      var options = field.options;
      var drawn = -1;
      for (var i = 0; i < options.length; i++) {
        if (options[i].defaultSelected) {
          drawn = i;
        }
      }
      // No option marked selected: the browser shows the first one.
      return field.selectedIndex !== (drawn === -1 ? 0 : drawn);
    }
    if (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && field.type !== "hidden" && field.type !== "file")) {
      return field.value !== field.defaultValue;
    }
    return false;
  }

  function formChanged(form) {
    for (var i = 0; i < form.elements.length; i++) {
      if (fieldChanged(form.elements[i])) {
        return true;
      }
    }
    return false;
  }

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
    // Saving or downloading now would keep the figures shown, not the form as changed: said
    // where those buttons are, not only at the top of a long result.
    var actions = document.getElementById("result-actions");
    var actionsNote = document.getElementById("stale-actions-template");
    if (actions && actionsNote && actionsNote.content && results.contains(actions)) {
      actions.parentNode.insertBefore(actionsNote.content.cloneNode(true), actions);
    }
    var status = document.getElementById("form-status");
    if (status) {
      status.textContent = status.getAttribute("data-stale-text");
    }
  }

  function clearStale() {
    var results = document.getElementById("results");
    // A section drawn by the server in place of the results (rows added or removed) has no
    // figures to be current: it stays as it is.
    if (!results || results.hasAttribute("data-rows-changed")) {
      return;
    }
    results.classList.remove("results-stale");
    results.querySelectorAll(".stale-note").forEach(function (note) {
      note.parentNode.removeChild(note);
    });
    var status = document.getElementById("form-status");
    if (status) {
      status.textContent = "";
    }
  }

  function syncStale() {
    var form = document.getElementById("calculator-form");
    if (!form || !document.getElementById("results")) {
      return;
    }
    if (formChanged(form)) {
      markStale();
    } else {
      clearStale();
    }
  }

  function onEdit(event) {
    var field = event.target;
    if (!field || !field.form || field.form.id !== "calculator-form") {
      return;
    }
    if (event.type === "change" && field.id === "id_region") {
      syncRegionHint(field);
      redrawRows(field);
    }
    syncStale();
  }

  // A visit row offers the options of the region it was drawn for (门诊慢性病 only in 玉溪,
  // 收费类别 and 住院期间 only in 山西): when the region changes, the rows are drawn again for
  // it, with everything typed kept (#visits sends the whole form, as 添加一次就诊 does). A
  // result on screen is for the old region: the answer puts a note in its place.
  function redrawRows(select) {
    var visits = document.getElementById("visits");
    var form = document.getElementById("calculator-form");
    if (!visits || !form || !window.htmx) {
      return;
    }
    // Only when the rows lack an option the region uses (the blank page's rows have them all;
    // an option the region does not use is harmless, and said in the answer): a redraw while
    // someone types in a row would put back what the row held when it was asked for.
    var option = select.options[select.selectedIndex];
    var needed = ((option && option.getAttribute("data-row-options")) || "").split(" ").filter(Boolean);
    var missing = needed.some(function (name) {
      return !form.querySelector('[name^="visits-"][name$="-' + name + '"]');
    });
    if (!missing) {
      return;
    }
    window.htmx.ajax("GET", formPath(form), {
      source: visits,
      target: "#visits",
      swap: "outerHTML",
      values: { redraw_visits: "1" },
    });
  }

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
  document.addEventListener("htmx:historyRestore", syncStale);
  window.addEventListener("pageshow", syncStale);

  // Adding or removing a row returns the rows and, out of band, a note in place of the old
  // results. Before any result is shown there is nothing to replace: drop that part of the
  // response, or htmx reports htmx:oobErrorNoTarget in the console.
  // Rows drawn again (a row added or removed, the region changed) come back as the form was when
  // they were asked for: what is typed while the answer is on its way would be lost. The values
  // sent are noted, and a field that differs from them when the answer arrives keeps its value.
  var sentForRows = null;
  document.addEventListener("htmx:configRequest", function (event) {
    var target = event.detail.target;
    sentForRows = target && target.id === "visits" ? Object.assign({}, event.detail.parameters) : null;
  });
  var typedMeanwhile = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var form = document.getElementById("calculator-form");
    typedMeanwhile = null;
    if (!sentForRows || !target || target.id !== "visits" || !form) {
      return;
    }
    typedMeanwhile = {};
    for (var i = 0; i < form.elements.length; i++) {
      var field = form.elements[i];
      if (!rowNumber(field.name || "") || field.type === "checkbox" || field.type === "radio" || field.type === "hidden") {
        continue;
      }
      var sent = sentForRows[field.name];
      if (typeof sent === "string" && field.value !== sent) {
        typedMeanwhile[field.name] = field.value;
      }
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var form = document.getElementById("calculator-form");
    if (!typedMeanwhile || !form || !target || target.id !== "visits") {
      return;
    }
    Object.keys(typedMeanwhile).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field.value !== undefined) {
        field.value = typedMeanwhile[name];
      }
    });
    typedMeanwhile = null;
    sentForRows = null;
    syncStale();
  });

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

  // --- A request that fails is said, not silently dropped. ---
  // htmx swaps nothing for an error answer (a 429 when the page's rate limit is reached, a 500)
  // or when the network fails: the button would look ignored. #form-status (a live region
  // beside 计算) says what happened, in the page's language, until the next request.
  function sayFailure(kind) {
    var status = document.getElementById("form-status");
    if (status) {
      status.textContent = status.getAttribute("data-" + kind + "-text");
      status.setAttribute("data-failed", "");
    }
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    sayFailure(xhr && xhr.status === 429 ? "busy" : "error");
  });
  document.addEventListener("htmx:sendError", function () {
    sayFailure("offline");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var status = document.getElementById("form-status");
    if (status && status.hasAttribute("data-failed")) {
      status.removeAttribute("data-failed");
      status.textContent = "";
    }
  });
  // The form's address without its fragment (#results: where a page without JavaScript
  // opens), for the requests made here.
  function formPath(form) {
    return form.getAttribute("action").split("#")[0];
  }

  // A new result takes the focus (its heading has autofocus), and the browser scrolls a focused
  // element only as far as needed, which on a phone leaves the heading halfway down under the
  // end of the form: the answer is put at the top of the screen instead (block "start"), as a
  // page loaded at #results (the form's address without JavaScript) shows it. Done as the
  // result is swapped in, before htmx focuses it (in its settle step), so the page does not
  // move again once the result is on screen: focusing a heading already in view scrolls nothing.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var title = document.getElementById("results-title");
    if (target && target.id === "calculator" && title && title.hasAttribute("autofocus")) {
      title.scrollIntoView({ block: "start" });
    }
  });

  // Rows added or removed under a result: the server draws a note in place of the figures;
  // the live region beside 计算 says it too (a region inserted with its text is often not read).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var results = document.getElementById("results");
    var status = document.getElementById("form-status");
    if (target && target.id === "visits" && results && results.hasAttribute("data-rows-changed") && status) {
      status.textContent = status.getAttribute("data-stale-text");
    }
  });

  // --- Switching language keeps what was typed and not yet calculated. ---
  // The switch posts to Django's set_language, which comes back to the last calculated
  // address: edits made since (or a form filled in but not calculated) would be lost. Just
  // before the switch they are kept in this tab's sessionStorage, and put back on the page in
  // the new language: into the same fields where the page has the same rows for the same
  // region, or else by drawing the rows again from them (as 添加一次就诊 does).
  var DRAFT_KEY = "calculator-draft";

  function rowNumber(name) {
    var match = /^visits-(\d+)-/.exec(name);
    return match ? match[1] : null;
  }

  function draftOf(form) {
    var fields = [];
    for (var i = 0; i < form.elements.length; i++) {
      var field = form.elements[i];
      var kind = field.type;
      if (!field.name || field.disabled || kind === "submit" || kind === "button" || kind === "file" || kind === "hidden") {
        continue;
      }
      if ((kind === "checkbox" || kind === "radio") && !field.checked) {
        continue;
      }
      fields.push([field.name, field.value]);
    }
    return fields;
  }

  function rowsOf(names) {
    var rows = {};
    names.forEach(function (name) {
      var row = rowNumber(name);
      if (row !== null) {
        rows[row] = true;
      }
    });
    return Object.keys(rows).sort().join(",");
  }

  // The switch comes back to the same place on the page (/policies/#region-wuhan), not its top:
  // the fragment is never sent to the server, so it is added to the address to come back to.
  document.addEventListener("submit", function (event) {
    var switcher = event.target;
    var next = switcher.classList && switcher.classList.contains("language-switcher") ? switcher.querySelector("input[name=next]") : null;
    if (next && window.location.hash && next.value.indexOf("#") === -1) {
      next.value += window.location.hash;
    }
  });

  document.addEventListener("submit", function (event) {
    var switcher = event.target;
    var form = document.getElementById("calculator-form");
    // Always kept (not only when a field differs from what the page drew): adding, removing or
    // redrawing rows makes what was typed in them the rows' new defaults. Put back unchanged,
    // values the page already holds change nothing.
    if (!switcher.classList || !switcher.classList.contains("language-switcher") || !form) {
      return;
    }
    try {
      window.sessionStorage.setItem(
        DRAFT_KEY, JSON.stringify({ path: window.location.pathname, at: Date.now(), fields: draftOf(form) })
      );
    } catch (err) {
      // No storage (private mode, disabled): the switch works as before.
    }
  });

  function restoreDraft() {
    var form = document.getElementById("calculator-form");
    var raw = null;
    try {
      raw = window.sessionStorage.getItem(DRAFT_KEY);
      window.sessionStorage.removeItem(DRAFT_KEY);
    } catch (err) {
      return;
    }
    if (!raw || !form) {
      return;
    }
    var draft;
    try {
      draft = JSON.parse(raw);
    } catch (err) {
      return;
    }
    // Only the page the switch comes back to, a moment later (not a later visit after a failed switch).
    if (!draft || draft.path !== window.location.pathname || !Array.isArray(draft.fields) || !(Date.now() - draft.at < 60000)) {
      return;
    }
    var values = {};
    draft.fields.forEach(function (pair) {
      values[pair[0]] = pair[1];
    });
    var region = form.elements.namedItem("region");
    var drawnRegion = region ? region.value : "";
    var regionChanged = drawnRegion !== (values.region || "");
    var pageNames = [];
    for (var i = 0; i < form.elements.length; i++) {
      if (form.elements[i].name) {
        pageNames.push(form.elements[i].name);
      }
    }
    // The same rows for the same region: the page's fields take the values; otherwise the rows
    // are drawn again (a row added, or another region's options).
    var sameRows = rowsOf(pageNames) === rowsOf(Object.keys(values)) && !regionChanged;
    for (var j = 0; j < form.elements.length; j++) {
      var field = form.elements[j];
      var name = field.name;
      var kind = field.type;
      if (!name || kind === "submit" || kind === "button" || kind === "file" || kind === "hidden") {
        continue;
      }
      if (!sameRows && rowNumber(name) !== null) {
        continue; // drawn again below
      }
      if (kind === "checkbox") {
        field.checked = values[name] === field.value;
      } else if (kind === "radio") {
        field.checked = values[name] === field.value;
      } else if (Object.prototype.hasOwnProperty.call(values, name)) {
        field.value = values[name];
      } else if (field.tagName !== "SELECT") {
        field.value = "";
      }
    }
    syncRetirement();
    if (region) {
      syncRegionHint(region);
    }
    if (!sameRows && window.htmx && document.getElementById("visits")) {
      var query = draft.fields.map(function (pair) {
        return encodeURIComponent(pair[0]) + "=" + encodeURIComponent(pair[1]);
      });
      query.push(regionChanged ? "redraw_visits=1" : "restore_visits=1");
      window.htmx.ajax("GET", formPath(form) + "?" + query.join("&"), { target: "#visits", swap: "outerHTML" });
    }
    syncStale();
  }

  document.addEventListener("DOMContentLoaded", restoreDraft);
  document.addEventListener("DOMContentLoaded", syncRetirement);
  // htmx swapped in new content (a calculation, or rows added or removed).
  document.addEventListener("htmx:load", syncRetirement);
})();
