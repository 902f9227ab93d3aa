// The features of the page, from the JSON in #features, on a map that pans
// and zooms; under them the configured basemap, if any.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var data = JSON.parse(document.getElementById("features").textContent);
  var map = L.map(el, { attributionControl: false });
  window.councilBasemap(map, el);
  var layer = L.geoJSON(data, {
    pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 5, weight: 1, color: "#1d4f91", fillOpacity: 0.7 }); },
    onEachFeature: function (f, l) { l.bindTooltip(String(f.id)); }
  }).addTo(map);
  var b = layer.getBounds();
  if (b.isValid()) { map.fitBounds(b, { maxZoom: 17, padding: [10, 10] }); } else { map.setView([54, -2], 5); }
}());
