// IKM charts (Chart.js, loaded only on /layanan/ikm/). The page's tables hold the same
// figures for screen readers and for browsers without JavaScript.
(function () {
  "use strict";
  var node = document.getElementById("ikm-chart-data");
  if (!node || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var primary = "#0b4f8a";
  // Figures, not a show: no animation (calmer, and what is drawn is at once what is true).
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#212529";

  function fullName(series) {
    return function (items) { return items.length ? (series.names || series.labels)[items[0].dataIndex] : ""; };
  }

  // Long names on a phone: break them into lines of about 16 characters.
  function wrap(label, width) {
    var lines = [], line = "";
    String(label).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function bar(id, series, axisTitle, horizontal, max) {
    var canvas = document.getElementById(id);
    if (!canvas || !series.values.length) { return; }
    if (horizontal) {  // one bar per agency or service: the box grows with them
      canvas.parentNode.style.height = Math.max(288, series.values.length * 44 + 70) + "px";
    }
    new Chart(canvas, {
      type: "bar",
      data: { labels: horizontal ? series.labels.map(function (l) { return wrap(l, 16); }) : series.labels, datasets: [{ label: axisTitle, data: series.values, backgroundColor: primary, maxBarThickness: 36 }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, title: { display: false },
                   tooltip: { callbacks: { title: fullName(series) } } },
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
