// Lapor — the report form, made quicker with JavaScript (the form works without it).
//
// - a character counter on the description, and the draft kept in this tab;
// - category suggestions while typing (debounced; /lapor/bantu/kategori/) and the chosen
//   category's extra questions (/lapor/bantu/pertanyaan/);
// - the map of the reusable component (static/js/map.js): tap (or Enter on the focused map)
//   marks the point; "use my location"; the kelurahan/kecamatan fill themselves in
//   (/lapor/bantu/lokasi/); similar public reports nearby (/lapor/bantu/serupa/);
// - photos: previews, checks (≤ 5, images, ≤ 10 MB), large ones made smaller before sending;
// - sending with fetch: on an error only the messages change; typed text, the map and the
//   chosen photos stay. Every listener is delegated, because that swap replaces the form.
(function () {
  "use strict";
  if (!document.getElementById("report-form")) { return; }

  var MAX_TEXT = 4000;
  var MAX_PHOTOS = 5;
  var MAX_BYTES = 10 * 1024 * 1024;
  var SHRINK_ABOVE = 1.5 * 1024 * 1024;
  var MAX_SIDE = 2048;
  var ACCEPTED = ["image/jpeg", "image/png", "image/webp"];
  var DRAFT_KEY = "kp-report-draft";

  function $(id) { return document.getElementById(id); }
  function form() { return $("report-form"); }
  function data(name) { return form().getAttribute("data-" + name) || ""; }
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] !== undefined ? values[key] : all;
    });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { window.clearTimeout(timer); timer = window.setTimeout(fn, ms); };
  }
  function query(params) {
    return Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k] == null ? "" : params[k]);
    }).join("&");
  }
  var pending = {};
  // GET a helper's HTML into a target (the newest request per target wins).
  function load(url, params, targetId, then) {
    if (pending[targetId]) { pending[targetId].abort(); }
    var controller = window.AbortController ? new AbortController() : null;
    pending[targetId] = controller || { abort: function () {} };
    return fetch(url + "?" + query(params), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      var target = $(targetId);
      if (!target) { return; }
      target.innerHTML = html.trim();
      if (window.htmx) { window.htmx.process(target); }
      if (then) { then(target); }
    }).catch(function () { /* a newer request replaced this one, or the network failed: keep the form usable */ });
  }

  // --- device id (anonymous filing is rate-limited per device too) -------------------------
  function deviceId() {
    var id = "";
    try {
      id = window.localStorage.getItem("kp-device") || "";
      if (!id) {
        id = (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID()
          : String(Date.now()) + Math.random().toString(16).slice(2);
        window.localStorage.setItem("kp-device", id);
      }
    } catch (e) { id = ""; }
    var field = $("id_device_id");
    if (field && id) { field.value = id; }
  }

  // --- description: counter and draft --------------------------------------------------------
  function countText() {
    var text = $("id_text");
    var counter = $("text-counter");
    if (!text || !counter) { return; }
    var n = Array.from(text.value.replace(/\r\n/g, "\n").trim()).length;
    var over = n > MAX_TEXT;
    counter.hidden = false;
    counter.textContent = fill(counter.getAttribute(over ? "data-over" : "data-template"), {
      n: n.toLocaleString("id-ID"), excess: (n - MAX_TEXT).toLocaleString("id-ID")
    });
    counter.classList.toggle("is-over", over);
    var live = $("text-counter-live");
    var state = over ? "over" : (MAX_TEXT - n <= 200 ? "near" : "ok");
    if (live && live.getAttribute("data-state") !== state) {
      live.setAttribute("data-state", state);
      live.textContent = state === "ok" ? "" : counter.textContent;
    }
  }
  function saveDraft() {
    try { window.sessionStorage.setItem(DRAFT_KEY, $("id_text").value); } catch (e) { /* private mode */ }
  }
  function restoreDraft() {
    var text = $("id_text");
    if (!text || text.value) { return; }
    try {
      var draft = window.sessionStorage.getItem(DRAFT_KEY);
      if (draft) { text.value = draft; }
    } catch (e) { /* private mode */ }
  }

  // --- category: suggestions and questions -------------------------------------------------
  var suggest = debounce(function () {
    var text = $("id_text");
    if (!text || text.value.trim().length < 8) { return; }
    load(data("suggest-url"), { text: text.value.slice(0, 600), category: $("id_category").value }, "category-suggestions");
  }, 700);

  function markSuggestions() {
    var chosen = $("id_category").value;
    document.querySelectorAll(".kp-suggestion").forEach(function (button) {
      var on = button.getAttribute("data-category") === chosen;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("btn-primary", on);
      button.classList.toggle("btn-outline-primary", !on);
    });
  }
  // The kind follows the category's usual kind (an aspiration category → "aspiration"),
  // until the person chooses a kind themselves.
  var kindChosen = false;
  function followKind() {
    var select = $("id_category");
    var option = select.options[select.selectedIndex];
    var kind = option ? option.getAttribute("data-kind") : "";
    if (!kind || kindChosen) { return; }
    var radio = document.querySelector('input[name="kind"][value="' + kind + '"]');
    if (radio) { radio.checked = true; }
  }
  // "Show my name" only means something for a public report.
  function syncShowName() {
    var checked = document.querySelector('input[name="privacy"]:checked');
    var box = document.querySelector(".kp-show-name");
    if (!box) { return; }
    var isPublic = !!checked && checked.value === "public";
    box.hidden = !isPublic;
    if (!isPublic) { $("id_show_name").checked = false; }
  }
  function categoryChanged() {
    followKind();
    markSuggestions();
    load(data("questions-url"), { category: $("id_category").value }, "category-questions");
    similar();
  }

  // --- location -------------------------------------------------------------------------------
  var villageGroups = null;   // the kelurahan list, per kecamatan, as rendered by the server
  function rememberVillages() {
    var select = $("id_village");
    if (!select) { return; }
    villageGroups = {};
    select.querySelectorAll("optgroup").forEach(function (group) {
      villageGroups[group.label] = Array.prototype.map.call(group.querySelectorAll("option"), function (o) {
        return [o.value, o.textContent];
      });
    });
  }
  // Show only the kelurahan of the chosen kecamatan (rebuilt: hidden options do not hide on iOS).
  function filterVillages() {
    var district = $("id_district");
    var select = $("id_village");
    if (!district || !select || !villageGroups) { return; }
    var name = district.value ? district.options[district.selectedIndex].textContent : "";
    var keep = select.value;
    var first = select.options[0];
    var placeholder = first && !first.value ? first.cloneNode(true) : null;
    select.textContent = "";
    if (placeholder) { select.appendChild(placeholder); }
    Object.keys(villageGroups).forEach(function (label) {
      if (name && label !== name) { return; }
      var group = document.createElement("optgroup");
      group.label = label;
      villageGroups[label].forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        group.appendChild(option);
      });
      select.appendChild(group);
    });
    select.value = keep;
    if (select.value !== keep) { select.value = ""; }
  }

  var mapState = null;
  var marker = null;
  function setPoint(lat, lng, options) {
    options = options || {};
    lat = Math.round(lat * 1e6) / 1e6;
    lng = Math.round(lng * 1e6) / 1e6;
    $("id_lat").value = lat.toFixed(6);
    $("id_lng").value = lng.toFixed(6);
    if (mapState && window.L) {
      if (!marker) {
        marker = window.L.circleMarker([lat, lng], {
          radius: 10, color: "#b02a37", weight: 3, fillColor: "#b02a37", fillOpacity: 0.35, interactive: false
        }).addTo(mapState.map);
      } else {
        marker.setLatLng([lat, lng]);
      }
      if (options.zoom) { mapState.map.setView([lat, lng], options.zoom); }
    }
    load(data("locate-url"), { lat: lat, lng: lng }, "location-result", function (box) {
      var found = box.querySelector(".kp-located");
      if (!found || found.getAttribute("data-inside") !== "1") { return; }
      var district = $("id_district");
      district.value = found.getAttribute("data-district") || "";
      filterVillages();
      $("id_village").value = found.getAttribute("data-village") || "";
    });
    similar();
  }
  function clearPoint() {
    $("id_lat").value = "";
    $("id_lng").value = "";
    if (marker && mapState) { mapState.map.removeLayer(marker); marker = null; }
  }
  function centreOn(code) {
    if (!code || !mapState) { return; }
    fetch(data("locate-url") + "?" + query({ area: code }), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && answer.bounds && mapState) { mapState.map.fitBounds(answer.bounds, { padding: [6, 6] }); }
      })
      .catch(function () {});
  }

  var boundariesLoaded = false;
  function loadBoundaries() {
    if (boundariesLoaded || !mapState || !window.L) { return; }
    boundariesLoaded = true;
    var url = mapState.options.boundariesUrl;
    if (!url) { return; }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geojson) {
        if (!geojson || !mapState) { return; }
        window.L.geoJSON(geojson, {
          interactive: false,
          style: function () { return { color: "#0b4f8a", weight: 2, fillOpacity: 0.04 }; }
        }).addTo(mapState.map);
      })
      .catch(function () {});
  }

  function initMap() {
    var el = $("report-map");
    if (!el || !window.L || !window.KotaPintarMap || mapState) { return; }
    mapState = window.KotaPintarMap.get(el.id) || window.KotaPintarMap.init(el);
    if (!mapState) { return; }
    var map = mapState.map;
    map.invalidateSize();
    map.on("click", function (event) { setPoint(event.latlng.lat, event.latlng.lng); });
    // Without a base map (none configured, or tiles failing offline) the kecamatan
    // boundaries give the map its shape.
    var tiles = 0;
    map.eachLayer(function (layer) {
      if (layer instanceof window.L.TileLayer) {
        tiles += 1;
        layer.once("tileerror", loadBoundaries);
      }
    });
    if (!tiles) { loadBoundaries(); }
    var lat = parseFloat(String($("id_lat").value).replace(",", "."));
    var lng = parseFloat(String($("id_lng").value).replace(",", "."));
    if (isFinite(lat) && isFinite(lng)) {
      marker = window.L.circleMarker([lat, lng], {
        radius: 10, color: "#b02a37", weight: 3, fillColor: "#b02a37", fillOpacity: 0.35, interactive: false
      }).addTo(map);
      map.setView([lat, lng], 16);
    }
  }

  function useMyLocation(button) {
    var status = $("location-result");
    if (!navigator.geolocation) {
      status.textContent = button.getAttribute("data-failed");
      return;
    }
    status.textContent = button.getAttribute("data-locating");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      button.disabled = false;
      setPoint(position.coords.latitude, position.coords.longitude, { zoom: 17 });
    }, function () {
      button.disabled = false;
      status.textContent = button.getAttribute("data-failed");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // --- similar reports ---------------------------------------------------------------------------
  var similar = debounce(function () {
    var category = $("id_category").value;
    var lat = $("id_lat").value;
    var lng = $("id_lng").value;
    if (!category || !lat || !lng) { return; }
    load(data("similar-url"), {
      category: category, lat: lat, lng: lng, text: ($("id_text").value || "").slice(0, 600)
    }, "similar-reports");
  }, 800);

  // --- photos ------------------------------------------------------------------------------------
  var photoUrls = [];
  function photoCheck() {
    var input = $("id_photos");
    var box = $("photos-check");
    var list = $("photo-previews");
    if (!input || !box || !list) { return true; }
    photoUrls.forEach(function (u) { URL.revokeObjectURL(u); });
    photoUrls = [];
    list.textContent = "";
    var problems = [];
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > MAX_PHOTOS) { problems.push(box.getAttribute("data-too-many")); }
    var canShrink = !!(window.createImageBitmap && document.createElement("canvas").toBlob);
    files.forEach(function (file, index) {
      if (ACCEPTED.indexOf(file.type) === -1) {
        problems.push(fill(box.getAttribute("data-not-image"), { name: file.name }));
        return;
      }
      if (file.size > MAX_BYTES && !canShrink) {
        problems.push(fill(box.getAttribute("data-too-big"), { name: file.name }));
      }
      var item = document.createElement("li");
      var img = document.createElement("img");
      var url = URL.createObjectURL(file);
      photoUrls.push(url);
      img.src = url;
      img.alt = file.name;
      item.appendChild(img);
      if (window.DataTransfer) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-light border kp-remove-photo";
        remove.setAttribute("data-index", String(index));
        remove.setAttribute("aria-label", fill(list.getAttribute("data-remove"), { name: file.name }));
        remove.textContent = "×";
        item.appendChild(remove);
      }
      list.appendChild(item);
    });
    box.hidden = !problems.length;
    box.textContent = problems.join(" ");
    input.setAttribute("aria-invalid", problems.length ? "true" : "false");
    input.classList.toggle("is-invalid", !!problems.length);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== "photos-check";
    });
    if (problems.length) { described.push("photos-check"); }
    input.setAttribute("aria-describedby", described.join(" "));
    return !problems.length;
  }
  function removePhoto(index) {
    var input = $("id_photos");
    var transfer = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file, i) { if (i !== index) { transfer.items.add(file); } });
    input.files = transfer.files;
    photoCheck();
  }
  // A photo larger than needed is redrawn at most 2048 px wide/high as JPEG (the server
  // would do the same): a few hundred KB instead of several MB on a slow network.
  function shrink(file) {
    if (file.size <= SHRINK_ABOVE || !window.createImageBitmap) { return Promise.resolve(file); }
    return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  // --- sending -------------------------------------------------------------------------------------
  var sending = false;
  function showFailure(message) {
    var box = $("form-errors");
    box.textContent = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    box.appendChild(alert);
    box.focus();
  }
  function swapForm(html) {
    var current = form();
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("report-form");
    if (!fresh) { return false; }
    // Keep what the server cannot send back: the live map and the chosen photos.
    fresh.querySelectorAll("[data-keep]").forEach(function (node) {
      var live = current.querySelector('[data-keep="' + node.getAttribute("data-keep") + '"]');
      if (live) { node.replaceWith(live); }
    });
    var liveMapOptions = current.querySelector("#report-map-options");
    var freshMapOptions = fresh.querySelector("#report-map-options");
    if (liveMapOptions && freshMapOptions) { freshMapOptions.replaceWith(liveMapOptions); }
    current.replaceWith(document.adoptNode(fresh));
    if (window.htmx) { window.htmx.process(fresh); }
    setup();
    var summary = $("form-errors");
    if (summary) { summary.focus(); summary.scrollIntoView({ block: "start" }); }
    return true;
  }
  function submit(event) {
    if (event.target.id !== "report-form" || !window.fetch || !window.FormData || !window.DOMParser) { return; }
    event.preventDefault();
    if (sending) { return; }
    var current = form();
    var button = $("submit-report");
    var label = button.textContent;
    sending = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = data("sending");
    var body = new FormData(current);
    var input = $("id_photos");
    var files = input ? Array.prototype.slice.call(input.files || []) : [];
    Promise.all(files.map(shrink)).then(function (ready) {
      body.delete("photos");
      ready.forEach(function (file) { body.append("photos", file, file.name); });
      return fetch(current.action, {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
      });
    }).then(function (response) {
      if (response.redirected) {
        try { window.sessionStorage.removeItem(DRAFT_KEY); } catch (e) { /* private mode */ }
        window.location.assign(response.url);
        return null;
      }
      return response.text().then(function (html) {
        if (!swapForm(html)) { showFailure(data("failed")); }
      });
    }).catch(function () {
      showFailure(data("failed"));
    }).then(function () {
      sending = false;
      var again = $("submit-report");
      if (again && again === button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        button.textContent = label;
      }
    });
  }

  // --- wiring (delegated: survives the form being swapped) -----------------------------------
  function setup() {
    syncShowName();
    deviceId();
    rememberVillages();
    filterVillages();
    countText();
  }

  document.addEventListener("input", function (event) {
    if (event.target.id === "id_text") { countText(); saveDraft(); suggest(); similar(); }
  });
  document.addEventListener("change", function (event) {
    var id = event.target.id;
    if (id === "id_category") { categoryChanged(); }
    else if (id === "id_district") {
      filterVillages();
      clearPoint();
      centreOn(event.target.value);
    } else if (id === "id_village") {
      clearPoint();
      $("location-result").textContent = data("centre-used");
      centreOn(event.target.value || $("id_district").value);
    } else if (id === "id_photos") { photoCheck(); }
    else if (event.target.name === "kind") { kindChosen = true; }
    else if (event.target.name === "privacy") { syncShowName(); }
    else if (id === "id_lat" || id === "id_lng") {
      var lat = parseFloat(String($("id_lat").value).replace(",", "."));
      var lng = parseFloat(String($("id_lng").value).replace(",", "."));
      if (isFinite(lat) && isFinite(lng)) { setPoint(lat, lng, { zoom: 16 }); }
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button") : null;
    if (!target) { return; }
    if (target.classList.contains("kp-suggestion")) {
      $("id_category").value = target.getAttribute("data-category");
      categoryChanged();
    } else if (target.id === "use-my-location") {
      useMyLocation(target);
    } else if (target.classList.contains("kp-remove-photo")) {
      removePhoto(parseInt(target.getAttribute("data-index"), 10));
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.id === "report-map" && (event.key === "Enter" || event.key === " ") && mapState) {
      event.preventDefault();
      var centre = mapState.map.getCenter();
      setPoint(centre.lat, centre.lng);
    }
  });
  document.addEventListener("submit", submit);

  restoreDraft();
  setup();
  initMap();
})();
