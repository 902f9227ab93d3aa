// Progressive enhancement of the dataset page's map: when Leaflet (served by
// the OGC API) has loaded, the static SVG gives way to a map that pans and
// zooms over the features from the OGC API. Without script, or if anything
// fails, the SVG stays. The tile layer is the configured basemap
// (basemap.js, from the OGC API's assets); without one, pages load nothing
// from outside the server.
(function () {
  "use strict";
  var fig = document.querySelector("figure[data-items]");
  if (!fig || !window.L || !window.fetch) { return; }
  fetch(fig.getAttribute("data-items"), { headers: { Accept: "application/geo+json" } })
    .then(function (r) {
      if (!r.ok) { throw new Error("items: " + r.status); }
      return r.json();
    })
    .then(function (data) {
      var svg = fig.querySelector("svg");
      var box = document.createElement("div");
      box.className = "leaflet-box";
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Interactive map of the features; use the arrow keys to pan and + and - to zoom");
      fig.insertBefore(box, svg);
      svg.style.display = "none";
      var map = L.map(box, { attributionControl: false, keyboard: true });
      if (window.councilBasemap) { window.councilBasemap(map, fig); }
      var e = fig.getAttribute("data-extent").split(",").map(Number);
      var extent = L.rectangle([[e[1], e[0]], [e[3], e[2]]],
        { color: "#505a5f", weight: 1.5, dashArray: "6 4", fill: false, interactive: false }).addTo(map);
      L.geoJSON(data, {
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, { radius: 6, weight: 1, color: "#fff", fillColor: "#d4351c", fillOpacity: 0.85 });
        },
        style: function (f) {
          if (f.geometry && /Point$/.test(f.geometry.type)) {
            return { color: "#fff", weight: 1, fillColor: "#d4351c", fillOpacity: 0.85 };
          }
          return { color: "#003078", weight: 2, fillColor: "#1d70b8", fillOpacity: 0.25 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties || {};
          var name = p.name || p.title || p.NAME || f.id;
          if (name !== undefined && name !== null) { layer.bindTooltip(String(name)); }
        }
      }).addTo(map);
      map.fitBounds(extent.getBounds(), { padding: [16, 16], maxZoom: 17 });
    })
    .catch(function () { /* the static map stays */ });
}());
