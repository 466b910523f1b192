// IKM charts (Chart.js, loaded only on /layanan/ikm/). The page's tables hold the same
// figures for screen readers and for browsers without JavaScript.
(function () {
  "use strict";
  var node = document.getElementById("ikm-chart-data");
  if (!node || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var primary = "#0b4f8a";
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.animation = reduced ? false : Chart.defaults.animation;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#212529";

  function bar(id, series, axisTitle, horizontal, max) {
    var canvas = document.getElementById(id);
    if (!canvas || !series.values.length) { return; }
    if (horizontal) {  // one bar per agency or service: the box grows with them
      canvas.parentNode.style.height = Math.max(288, series.values.length * 30 + 70) + "px";
    }
    new Chart(canvas, {
      type: "bar",
      data: { labels: series.labels, datasets: [{ label: axisTitle, data: series.values, backgroundColor: primary }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, title: { display: false } },
        scales: horizontal
          ? { x: { min: 0, max: max, title: { display: true, text: axisTitle } }, y: { ticks: { autoSkip: false } } }
          : { y: { min: 0, max: max, title: { display: true, text: axisTitle } } }
      }
    });
  }

  bar("chart-compare", data.compare, data.axis.ikm, true, 100);
  bar("chart-elements", data.elements, data.axis.nrr, false, 4);

  var trend = document.getElementById("chart-trend");
  if (trend) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: data.trend.labels,
        datasets: [{ label: data.axis.ikm, data: data.trend.values, borderColor: primary, backgroundColor: primary,
                     spanGaps: false, tension: 0.2, pointRadius: 4 }]
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { min: 25, max: 100, title: { display: true, text: data.axis.ikm } } }
      }
    });
  }
})();
