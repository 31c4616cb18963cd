/* Public report form: map pin, the phone's GPS, photo count; "copy the code" on the done page.
   No inline script (CSP): data comes from json_script and data-* attributes. */
(function () {
  "use strict";

  function villages() {
    var el = document.getElementById("villages-data");
    return el ? JSON.parse(el.textContent) : [];
  }

  // Twenty kelurahan names on a phone-wide map pile up into an unreadable heap: show only those with room
  // at the current zoom, in the order given; zooming in reveals the rest.
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

  function baseMap(el, points) {
    var map = L.map(el, { zoomControl: true, attributionControl: false });
    // The labels go between the kelurahan dots and the pin (Leaflet puts tooltips on top of everything), so
    // they never hide the citizen's pin.
    map.getPane("tooltipPane").style.zIndex = 450;
    map.on("zoomend", function () { declutter(map); });
    var tileUrl = el.dataset.tileUrl;
    if (tileUrl) { L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map); }
    // Without tiles (our CSP allows no other origin) the kelurahan centroids are the reader's landmarks.
    var bounds = [];
    points.forEach(function (v) {
      if (v.lat === null || v.lon === null) { return; }
      L.circleMarker([v.lat, v.lon], { radius: 3, color: "#667382", weight: 1 })
        .bindTooltip(v.name, { permanent: true, direction: "top", className: "text-secondary" }).addTo(map);
      bounds.push([v.lat, v.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([-3.44, 114.83], 12); }
    declutter(map);
    return map;
  }

  function initForm() {
    var el = document.getElementById("report-map");
    if (!el || typeof L === "undefined") { return; }
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var status = document.getElementById("location-status");
    var clear = document.getElementById("clear-pin");
    var map = baseMap(el, villages());
    var pin = null;

    function setPin(latlng, message) {
      if (pin) { pin.setLatLng(latlng); } else { pin = L.marker(latlng).addTo(map); }
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      clear.classList.remove("d-none");
      if (message) { status.textContent = message; }
    }

    if (lat.value && lon.value) { setPin(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
    map.on("click", function (e) { setPin(e.latlng, status.dataset.textSet); });
    clear.addEventListener("click", function () {
      if (pin) { map.removeLayer(pin); pin = null; }
      lat.value = ""; lon.value = "";
      clear.classList.add("d-none");
    });

    var gps = document.getElementById("use-gps");
    if (!("geolocation" in navigator)) { gps.classList.add("d-none"); }
    gps.addEventListener("click", function () {
      status.textContent = status.dataset.textLocating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
        setPin(ll, status.dataset.textSet);
        map.setView(ll, 16);
      }, function () {
        status.textContent = status.dataset.textDenied;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });

    var files = document.getElementById("id_photos");
    if (files) {
      files.addEventListener("change", function () {
        var max = parseInt(files.dataset.maxFiles || "3", 10);
        files.setCustomValidity(files.files.length > max ? files.parentElement.querySelector(".form-hint").textContent : "");
        files.reportValidity();
      });
    }
  }

  function initCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        if (!navigator.clipboard) { return; }
        navigator.clipboard.writeText(btn.dataset.copy).then(function () { btn.textContent = btn.dataset.copiedText; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initForm(); initCopy(); });
})();
