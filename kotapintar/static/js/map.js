// Kota Pintar — reusable Leaflet map (no framework). Rendered by templates/components/map.html.
//
// Every element with `data-kp-map="<id of a json_script>"` becomes a map. The JSON options
// (built in Python by kotapintar.regions.maps.map_config) say:
//   tiles:   {url, attribution} or null (no base map: boundaries and markers still show)
//   center:  [lat, lng], zoom: n, bounds: [[south, west], [north, east]] or null
//   layers:  [{id, label, url, style: {...Leaflet path options}, visible, showAtZoom, fit}]
//            GeoJSON fetched from our own server; features' properties.name/code in popups
//   markers: [{lat, lng, label, url, color}]
//   messages: {tilesFailed, layerFailed, noData}
// Other modules can hook in: the element receives a "kp:map-ready" event whose detail is
// {map, layers, options}; `KotaPintarMap.get(id)` returns the same object later.
(function () {
  "use strict";
  if (window.KotaPintarMap) { return; }
  var instances = {};

  function status(el, text) {
    var box = document.getElementById(el.id + "-status");
    if (box && text && box.textContent.indexOf(text) === -1) {
      box.textContent = (box.textContent ? box.textContent + " " : "") + text;
      box.hidden = false;
    }
  }

  // Popups are built from DOM nodes, never from HTML strings: names come from data files.
  function popupFor(props) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = props.name || props.code || "";
    box.appendChild(title);
    if (props.code) {
      var code = document.createElement("div");
      code.className = "small text-body-secondary";
      code.textContent = props.code + (props.district_name ? " · " + props.district_name : "");
      box.appendChild(code);
    }
    if (props.url) {
      var link = document.createElement("a");
      link.href = props.url;
      link.textContent = props.link_label || props.url;
      box.appendChild(document.createElement("br"));
      box.appendChild(link);
    }
    return box;
  }

  function init(el) {
    if (el._kpMap || typeof L === "undefined") { return el._kpMap || null; }
    var source = document.getElementById(el.getAttribute("data-kp-map"));
    if (!source) { return null; }
    var options = JSON.parse(source.textContent);
    var messages = options.messages || {};
    el.innerHTML = "";
    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.5 });
    var state = { map: map, layers: {}, options: options };
    el._kpMap = state;
    instances[el.id] = state;

    if (options.bounds) {
      map.fitBounds(options.bounds);
    } else {
      map.setView(options.center || [-2.5, 118], options.zoom || 5);
    }

    if (options.tiles && options.tiles.url) {
      var tiles = L.tileLayer(options.tiles.url, { attribution: options.tiles.attribution || "", maxZoom: 19 });
      var failed = false;
      tiles.on("tileerror", function () {
        if (!failed) { failed = true; status(el, messages.tilesFailed); }
      });
      tiles.addTo(map);
    }

    var control = null;
    var pending = (options.layers || []).length;
    var fitted = !!options.bounds;
    function done() {
      pending -= 1;
      if (pending <= 0) {
        el.dispatchEvent(new CustomEvent("kp:map-ready", { detail: state, bubbles: true }));
      }
    }

    (options.layers || []).forEach(function (spec) {
      fetch(spec.url, { headers: { Accept: "application/geo+json, application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) {
          var layer = L.geoJSON(data, {
            style: function () { return spec.style || {}; },
            onEachFeature: function (feature, lyr) {
              lyr.bindPopup(popupFor(feature.properties || {}));
              if (feature.properties && feature.properties.name) {
                lyr.bindTooltip(feature.properties.name, { sticky: true });
              }
            }
          });
          state.layers[spec.id] = layer;
          if (spec.visible !== false && !spec.showAtZoom) { layer.addTo(map); }
          if (!control && (options.layers || []).length > 1) {
            control = L.control.layers(null, null, { collapsed: false }).addTo(map);
          }
          if (control) { control.addOverlay(layer, spec.label || spec.id); }
          if (spec.showAtZoom) {
            // Shown automatically from that zoom on, until the visitor toggles it by hand.
            var manual = false;
            var auto = false;
            map.on("overlayadd overlayremove", function (e) { if (e.layer === layer && !auto) { manual = true; } });
            var sync = function () {
              if (manual) { return; }
              auto = true;
              if (map.getZoom() >= spec.showAtZoom) { layer.addTo(map); } else { map.removeLayer(layer); }
              auto = false;
            };
            map.on("zoomend", sync);
            sync();
          }
          if (spec.fit && !fitted && data.features && data.features.length) {
            fitted = true;
            map.fitBounds(layer.getBounds(), { padding: [8, 8] });
          }
          if (!data.features || !data.features.length) { status(el, messages.noData); }
        })
        .catch(function () { status(el, messages.layerFailed); })
        .then(done);
    });

    (options.markers || []).forEach(function (m) {
      var marker = L.circleMarker([m.lat, m.lng], {
        radius: 7, color: m.color || "#0b4f8a", weight: 2, fillOpacity: 0.8
      }).addTo(map);
      marker.bindPopup(popupFor({ name: m.label, url: m.url, link_label: m.link_label }));
    });

    if (!pending) { el.dispatchEvent(new CustomEvent("kp:map-ready", { detail: state, bubbles: true })); }
    return state;
  }

  function initAll(root) {
    (root || document).querySelectorAll("[data-kp-map]").forEach(init);
  }

  window.KotaPintarMap = {
    init: init,
    initAll: initAll,
    get: function (id) { return instances[id] || null; }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
  // Maps inside content swapped in by htmx.
  document.addEventListener("htmx:afterSettle", function (event) { initAll(event.target); });
})();
