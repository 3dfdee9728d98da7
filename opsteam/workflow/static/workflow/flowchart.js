/* Process-map flowchart: <div data-flowchart="id-of-json-script" [data-layout-form="form-id"]>.
 * Renders the ECharts graph option from the json_script element. With a layout form (drafts),
 * steps are draggable and the form's submit posts {"positions": {"<step id>": [x, y]}} as JSON
 * to the form's action with the form's CSRF token; without one, clicking a step opens its SOP.
 * No inline script: the page's Content-Security-Policy forbids it. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function positions(chart, option) {
    var series = chart.getModel().getSeriesByIndex(0);
    var data = series.getData();
    var nodes = option.series[0].data;
    var result = {};
    for (var i = 0; i < data.count(); i++) {
      var layout = data.getItemLayout(i);
      if (layout && nodes[i]) result[nodes[i].id] = [Math.round(layout[0] * 10) / 10, Math.round(layout[1] * 10) / 10];
    }
    return result;
  }

  function init(el) {
    if (!window.echarts || el.dataset.rendered) return;
    var source = document.getElementById(el.getAttribute("data-flowchart"));
    if (!source) return;
    var option = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });

    var form = document.getElementById(el.getAttribute("data-layout-form") || "");
    if (!form) {
      chart.on("click", function (params) {
        if (params.dataType === "node" && params.data && params.data.url) window.location.href = params.data.url;
      });
      return;
    }
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector("[data-layout-status]");
    var say = function (text) { if (status) status.textContent = text; };
    chart.on("mouseup", function (params) {
      if (params.dataType !== "node") return;
      if (button) button.disabled = false;
      say(form.getAttribute("data-moved") || "");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
        body: JSON.stringify({ positions: positions(chart, option) })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (answer.ok) {
          say(form.getAttribute("data-saved") || "");
        } else {
          say((form.getAttribute("data-failed") || "") + " " + (answer.body.error || ""));
          if (button) button.disabled = false;
        }
      }).catch(function () {
        say(form.getAttribute("data-failed") || "");
        if (button) button.disabled = false;
      });
    });
  }

  function initAll(root) {
    (root || document).querySelectorAll("[data-flowchart]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { initAll(event.target); });
})();
