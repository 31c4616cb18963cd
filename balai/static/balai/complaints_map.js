/* Public reports map: points from /aduan/peta.json on a plain background with the kelurahan labelled.
   A tile layer only when the deployment configured one (its origin must then be allowed by the CSP). */
(function () {
  "use strict";

  var COLORS = { verified: "#4299e1", in_progress: "#f59f00", waiting: "#ae3ec9", resolved: "#2fb344", closed: "#667382" };

  // As on the report form: only the kelurahan names that have room at this zoom, so a phone map stays readable.
  function declutter(map) {
    var kept = [];
    map.eachLayer(function (layer) {
      var tip = layer.getTooltip && layer.getTooltip();
      var el = tip && tip.options.permanent && tip.getElement();
      if (!el) { return; }
      el.classList.remove("invisible");
      var r = el.getBoundingClientRect();
      var clash = kept.some(function (k) {
        return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top;
      });
      if (clash) { el.classList.add("invisible"); } else { kept.push(r); }
    });
  }

  function init() {
    var el = document.getElementById("complaints-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { attributionControl: false });
    // Labels under the report points: a name must never cover a report one wants to tap.
    map.getPane("tooltipPane").style.zIndex = 350;
    map.on("zoomend", function () { declutter(map); });
    if (el.dataset.tileUrl) { L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map); }
    var villagesEl = document.getElementById("villages-data");
    var villages = villagesEl ? JSON.parse(villagesEl.textContent) : [];
    var bounds = [];
    villages.forEach(function (v) {
      L.circleMarker([v.lat, v.lon], { radius: 2, color: "#9aa0ac", weight: 1 })
        .bindTooltip(v.name, { permanent: true, direction: "top", className: "text-secondary" }).addTo(map);
      bounds.push([v.lat, v.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([-3.44, 114.83], 12); }
    declutter(map);

    // At most the newest MAP_LIMIT points come back; when there were more, panning or zooming asks again for
    // just the visible area, so older reports show up as one zooms in.
    var layer = L.layerGroup().addTo(map);
    var note = document.getElementById("complaints-map-note");
    var truncated = false;
    var pending = 0;

    function draw(data) {
      layer.clearLayers();
      data.points.forEach(function (p) {
        var popup = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = p.category + " · " + p.status_label;
        var meta = document.createElement("div");
        meta.className = "text-secondary small";
        meta.textContent = [p.territory, p.date].filter(Boolean).join(" · ");
        var text = document.createElement("div");
        text.textContent = p.text;  // textContent: citizen text never becomes HTML
        popup.append(title, meta, text);
        L.circleMarker([p.lat, p.lon], { radius: 7, color: COLORS[p.status] || "#206bc4", fillOpacity: 0.7 })
          .bindPopup(popup).addTo(layer);
      });
      truncated = Boolean(data.truncated);
      if (note) { note.classList.toggle("d-none", !truncated); }
    }

    function load(withBounds) {
      var url = new URL(el.dataset.pointsUrl, window.location.href);
      if (withBounds) {
        var b = map.getBounds();
        url.searchParams.set("bbox", [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]
          .map(function (x) { return x.toFixed(5); }).join(","));
      }
      var ticket = ++pending;
      fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (ticket === pending) { draw(data); } });  // a late answer never overwrites a newer one
    }

    var timer = null;
    map.on("moveend", function () {
      if (!truncated) { return; }  // everything is already on the map
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { load(true); }, 300);
    });
    load(false);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
