// Lapor public map: asks the server for the reports of the visible area at every move.
// Zoomed out the answer is clusters (counts per grid cell, computed in SQL); from zoom 15
// on it is single reports (at most 500). Built on the project's map component
// (static/js/map.js, templates/components/map.html): boundaries, legend and the tiles
// notice come from there; without tiles the clusters and points still show, and the
// list under the map holds the same reports.
(function () {
  "use strict";

  function format(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (match, key) {
      return values[key] !== undefined ? values[key] : match;
    });
  }

  // Popups are built from DOM nodes, never from HTML strings: titles come from residents.
  function popup(props, messages) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = props.title;
    box.appendChild(title);
    var meta = document.createElement("div");
    meta.className = "small";
    meta.textContent = [props.category, props.status_label, props.district].filter(Boolean).join(" · ");
    box.appendChild(meta);
    if (props.approximate) {
      var approx = document.createElement("div");
      approx.className = "small fst-italic";
      approx.textContent = messages.approximate;
      box.appendChild(approx);
    }
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = messages.open + " (" + props.tracking_number + ")";
    box.appendChild(link);
    return box;
  }

  function clusterIcon(props) {
    var size = props.count < 10 ? 30 : props.count < 100 ? 36 : props.count < 1000 ? 44 : 52;
    var span = document.createElement("span");
    span.textContent = props.count >= 10000 ? Math.round(props.count / 1000) + "k" : String(props.count);
    var share = props.count ? props.open / props.count : 0;
    return L.divIcon({
      className: "kp-cluster" + (share >= 0.5 ? " kp-cluster-open" : ""),
      html: span,
      iconSize: [size, size]
    });
  }

  function start(el) {
    var state = window.KotaPintarMap && window.KotaPintarMap.get(el.id);
    var source = document.getElementById(el.id + "-reports");
    if (!state || !source) { return; }
    var cfg = JSON.parse(source.textContent);
    var messages = cfg.messages;
    var map = state.map;
    var layer = L.layerGroup().addTo(map);
    var summary = document.getElementById(el.id + "-summary");
    var sequence = 0;
    var loads = 0;
    var timer = null;

    function say(text) { if (summary) { summary.textContent = text; } }

    function draw(data) {
      layer.clearLayers();
      (data.features || []).forEach(function (feature) {
        var props = feature.properties;
        var lat = feature.geometry.coordinates[1];
        var lng = feature.geometry.coordinates[0];
        if (props.cluster) {
          var label = format(messages.cluster, { count: props.count, open: props.open });
          var marker = L.marker([lat, lng], { icon: clusterIcon(props), title: label, alt: label, keyboard: true });
          marker.on("click", function () { map.fitBounds(props.bounds, { maxZoom: cfg.pointsZoom }); });
          marker.addTo(layer);
          var icon = marker.getElement();
          if (icon) { icon.setAttribute("aria-label", label); icon.setAttribute("data-count", props.count); }
        } else {
          var point = L.circleMarker([lat, lng], {
            radius: 8, weight: 2, fillOpacity: 0.85,
            color: props.open ? cfg.colors.open : cfg.colors.done,
            className: "kp-report-point"
          });
          point.bindPopup(popup(props, messages));
          point.bindTooltip(props.title);
          point.addTo(layer);
        }
      });
      loads += 1;
      el.setAttribute("data-mode", data.mode);
      el.setAttribute("data-total", data.total);
      el.setAttribute("data-loads", loads);
      if (!data.total) { say(messages.none); }
      else if (data.mode === "clusters") { say(format(messages.clusters, { total: data.total })); }
      else if (data.truncated) { say(format(messages.truncated, { total: data.total })); }
      else { say(format(messages.points, { total: data.total })); }
    }

    function load() {
      var b = map.getBounds();
      var bbox = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (v) {
        return Math.max(-180, Math.min(180, v)).toFixed(5);
      });
      bbox[0] = Math.max(-90, bbox[0]); bbox[2] = Math.min(90, bbox[2]);
      var url = cfg.url + (cfg.url.indexOf("?") === -1 ? "?" : "&") +
        "bbox=" + bbox.join(",") + "&zoom=" + Math.floor(map.getZoom());
      var mine = ++sequence;
      el.setAttribute("aria-busy", "true");
      fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) { if (mine === sequence) { draw(data); } })
        .catch(function () { if (mine === sequence) { say(messages.failed); } })
        .then(function () { if (mine === sequence) { el.removeAttribute("aria-busy"); } });
    }

    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    say(messages.loading);
    load();
  }

  function startAll() {
    document.querySelectorAll("[data-kp-map]").forEach(function (el) {
      if (document.getElementById(el.id + "-reports")) { start(el); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
