/* OpsTeam page behaviour: no inline scripts (CSP), everything wired by data attributes. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // Ask before destructive or irreversible actions: <form data-confirm="..."> for every submit,
  // or <button type="submit" data-confirm="..."> for that button only (not "Save draft").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  // <input type="checkbox" data-check-all="name"> ticks or clears every box named "name".
  document.addEventListener("click", function (event) {
    var all = event.target.closest && event.target.closest("[data-check-all]");
    if (!all) return;
    var name = all.getAttribute("data-check-all");
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // <select data-autosubmit> submits its form on change (language switcher, filters without htmx).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });

  // Formset rows: <button data-formset-add="prefix"> clones <template id="prefix-empty">.
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-formset-add]");
    if (add) {
      event.preventDefault();
      var prefix = add.getAttribute("data-formset-add");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = document.getElementById(prefix + "-empty");
      var html = template.innerHTML.replace(/__prefix__/g, total.value);
      document.getElementById(prefix + "-rows").insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
      var inputs = document.getElementById(prefix + "-rows").querySelectorAll("input, textarea, select");
      if (inputs.length) inputs[inputs.length - 1].closest("[data-formset-row]").querySelector("input, textarea, select").focus();
    }
    var remove = event.target.closest("[data-formset-remove]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest("[data-formset-row]");
      var checkbox = row.querySelector("input[name$='-DELETE']");
      if (checkbox) { checkbox.checked = true; row.classList.add("d-none"); } else { row.remove(); }
    }
  });

  // Charts: <div data-chart="id-of-json-script"> with an ECharts option object.
  function renderCharts(root) {
    if (!window.echarts) return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var option = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      chart.on("click", function (params) {
        if (params.data && params.data.url) window.location.href = params.data.url;
      });
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
      var collapse = el.getAttribute("data-chart-expand");
      if (collapse) {
        document.querySelectorAll("[data-chart-action]").forEach(function (button) {
          button.addEventListener("click", function () {
            var depth = button.getAttribute("data-chart-action") === "expand" ? -1 : 1;
            chart.setOption({ series: [{ initialTreeDepth: depth }] }, false);
            option.series[0].initialTreeDepth = depth;
            chart.clear(); chart.setOption(option);
          });
        });
      }
    });
  }

  // Person pickers: <select data-staff-picker="/org/staff/pick/?scope=..."> (core.widgets) holds
  // only the chosen people; a search box above it asks the server for matching people.
  function initPickers(root) {
    (root || document).querySelectorAll("select[data-staff-picker]").forEach(function (select) {
      if (select.dataset.pickerReady) return;
      select.dataset.pickerReady = "1";
      var search = document.createElement("input");
      search.type = "search";
      search.className = "form-control mb-1";
      search.autocomplete = "off";
      search.placeholder = select.getAttribute("data-picker-placeholder") || "";
      search.setAttribute("aria-label", search.placeholder);
      search.setAttribute("data-picker-search", select.name);
      select.parentNode.insertBefore(search, select);
      var timer = null;
      var sequence = 0;
      function showResults(results) {
        Array.prototype.slice.call(select.options).forEach(function (option) {
          if (!option.selected && option.value !== "") option.remove();
        });
        var present = {};
        Array.prototype.forEach.call(select.options, function (option) { present[option.value] = true; });
        results.forEach(function (row) {
          var value = String(row.value);
          if (!present[value]) select.add(new Option(row.label, value));
        });
        if (!select.multiple) select.size = Math.min(Math.max(select.options.length, 2), 8);
      }
      function query() {
        var term = search.value.trim();
        var mine = ++sequence;
        if (!term) { if (!select.multiple) select.size = 0; return; }
        var url = select.getAttribute("data-staff-picker") + "&q=" + encodeURIComponent(term);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (mine === sequence) showResults(data.results || []); });
      }
      search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(query, 200); });
      search.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();  // Enter picks the first match instead of submitting the form
        var first = Array.prototype.find.call(select.options, function (option) { return option.value !== "" && !option.selected; });
        if (first) { first.selected = true; select.dispatchEvent(new Event("change", { bubbles: true })); }
      });
      select.addEventListener("change", function () { if (!select.multiple) select.size = 0; });
    });
  }

  onReady(function () { renderCharts(document); });
  onReady(function () { initPickers(document); });
  document.addEventListener("htmx:afterSwap", function (event) { renderCharts(event.target); initPickers(event.target); });
})();
