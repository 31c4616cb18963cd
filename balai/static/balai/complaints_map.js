/* Public reports map: points from /aduan/peta.json on a plain background with the kelurahan labelled.
   A tile layer only when the deployment configured one (its origin must then be allowed by the CSP). */
(function () {
  "use strict";

  var COLORS = { verified: "#4299e1", in_progress: "#f59f00", waiting: "#ae3ec9", resolved: "#2fb344", closed: "#667382" };

  function init() {
    var el = document.getElementById("complaints-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { attributionControl: false });
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

    fetch(el.dataset.pointsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
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
            .bindPopup(popup).addTo(map);
        });
      });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
