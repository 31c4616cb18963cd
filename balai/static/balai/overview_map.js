/* Satu Dasbor map: units from the map-data JSON (json_script) as polygons or circle markers, coloured by class.
   Clicking a unit opens its dashboard page. Tiles only when the deployment configured a tile server
   (BALAI_MAP_TILE_URL, whose origin the CSP then allows); without them the units are drawn on a plain ground. */
(function () {
  "use strict";

  // Same colours as overview.css (.swatch-*): q0 worst … q4 best, n* for indicators without a better direction.
  var COLORS = {
    q0: "#d63939", q1: "#f76707", q2: "#f59f00", q3: "#74b816", q4: "#2fb344",
    n0: "#dbe9f7", n1: "#a9cbef", n2: "#6ea8e0", n3: "#3a86d0", n4: "#066fd1",
    none: "#adb5bd"
  };

  function cssClass(code) {
    return "map-unit map-unit-" + String(code).replace(/[^A-Za-z0-9_-]/g, "-");
  }

  function init() {
    var el = document.getElementById("overview-map");
    if (!el || typeof L === "undefined") { return; }
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { attributionControl: false, scrollWheelZoom: false });
    if (data.tile_url) { L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map); }
    var layers = [];
    data.units.forEach(function (u) {
      var color = COLORS[u.tone] || COLORS.none;
      var style = { color: "#495057", weight: 1, fillColor: color, fillOpacity: 0.75, className: cssClass(u.code) };
      var layer;
      if (u.geometry) {
        layer = L.geoJSON({ type: "Feature", geometry: u.geometry, properties: {} }, { style: function () { return style; } });
      } else {
        style.radius = 12;
        layer = L.circleMarker([u.lat, u.lon], style);
      }
      // textContent: unit names never become HTML.
      var tip = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = u.name;
      var value = document.createElement("div");
      value.textContent = u.label;
      tip.append(name, value);
      layer.bindTooltip(tip, { direction: "top", sticky: !u.geometry ? false : true });
      layer.on("click", function () { window.location.assign(u.url); });
      layer.addTo(map);
      layers.push(layer);
    });
    var group = L.featureGroup(layers);
    if (layers.length) {
      map.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: 14 });
    } else {
      map.setView([-3.44, 114.83], 12);
    }
    el.setAttribute("data-map-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
