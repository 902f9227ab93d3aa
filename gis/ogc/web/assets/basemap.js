// The configured basemap (--basemap-url), shared by the OGC API's map and
// the open data dataset page's map: the element carries the tile URL
// template and the attribution in data-tiles and data-attribution. Without
// them the map shows the features alone, and the page loads nothing from
// outside the server. The attribution is shown as text, never as markup.
window.councilBasemap = function (map, el) {
  "use strict";
  var tiles = el.getAttribute("data-tiles");
  if (!tiles) { return; }
  var text = document.createElement("span");
  text.textContent = el.getAttribute("data-attribution") || "";
  L.control.attribution().addTo(map);
  L.tileLayer(tiles, { attribution: text.innerHTML, maxZoom: 19 }).addTo(map);
};
