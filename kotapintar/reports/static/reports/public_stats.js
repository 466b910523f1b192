// Lapor statistics charts (Chart.js, loaded only on /lapor/statistik/). The tables below the
// charts hold the same figures, for screen readers and for browsers without JavaScript.
(function () {
  "use strict";
  var node = document.getElementById("report-stats-data");
  if (!node || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var colors = { resolved: "#1f7a3a", in_progress: "#b8590b", set_aside: "#6c757d", received: "#0b4f8a" };
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#212529";

  // Long names on a phone: break them into lines of about 18 characters.
  function wrap(label, width) {
    var lines = [], line = "";
    String(label).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function stacked(id, series, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas || !series.names.length) { return; }
    if (horizontal) {  // one bar per agency: the box grows with them
      canvas.parentNode.style.height = Math.max(224, series.names.length * 38 + 80) + "px";
    }
    var keys = ["resolved", "in_progress", "set_aside"];
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: horizontal ? series.names.map(function (n) { return wrap(n, 18); }) : series.names,
        datasets: keys.map(function (key) {
          return { label: data.labels[key], data: series[key], backgroundColor: colors[key], maxBarThickness: 30 };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { title: function (items) { return items.length ? series.names[items[0].dataIndex] : ""; } } }
        },
        scales: horizontal
          ? { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: { autoSkip: false } } }
          : { x: { stacked: true, ticks: { autoSkip: false, maxRotation: 60, minRotation: 30 } },
              y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  stacked("chart-agencies", data.agencies, true);
  stacked("chart-districts", data.districts, false);

  var months = document.getElementById("chart-months");
  if (months && data.months.names.length) {
    new Chart(months, {
      type: "bar",
      data: {
        labels: data.months.names,
        datasets: [
          { label: data.labels.received, data: data.months.received, backgroundColor: colors.received, maxBarThickness: 28 },
          { label: data.labels.resolved, data: data.months.resolved, backgroundColor: colors.resolved, maxBarThickness: 28 }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  document.documentElement.setAttribute("data-report-charts", "ready");
})();
