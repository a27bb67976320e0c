/* The dashboard's charts: each <canvas data-chart='{...}'> is drawn with the vendored Chart.js
   (vendor/chartjs); the table beside it holds the same figures. No inline script, no CDN. */
(function () {
  "use strict";
  var COLORS = {
    XS: "#1b7f3b", T: "#5cb85c", HT: "#f0ad4e", KHT: "#c9302c", NR: "#9e9e9e",
    entered: "#2e7d32", missing: "#e0e0e0", violations: "#b23a48"
  };
  function short(label, max) {
    return label.length > max ? label.slice(0, max - 1) + "…" : label;
  }
  function config(spec, width) {
    var max = width < 500 ? 16 : 28;
    var datasets = spec.datasets.map(function (d) {
      var color = spec.keys ? spec.keys.map(function (k) { return COLORS[k]; }) : COLORS[d.key];
      return { label: d.label, data: d.data, backgroundColor: color, borderWidth: spec.type === "doughnut" ? 1 : 0 };
    });
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom", display: spec.type === "doughnut" || datasets.length > 1 } }
    };
    if (spec.type === "bar") {
      var index = spec.horizontal ? "y" : "x";
      var value = spec.horizontal ? "x" : "y";
      options.indexAxis = index;
      options.scales = {};
      options.scales[index] = { stacked: !!spec.stacked, ticks: { autoSkip: false, callback: function (v) { return short(this.getLabelForValue(v), max); } } };
      options.scales[value] = { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } };
    }
    return { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options };
  }
  function draw() {
    if (typeof Chart === "undefined") { return; }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var box = canvas.parentElement;
      box.style.height = (box.getAttribute("data-height") || 260) + "px";
      new Chart(canvas, config(JSON.parse(canvas.getAttribute("data-chart")), box.clientWidth));
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
