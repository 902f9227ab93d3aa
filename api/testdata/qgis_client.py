"""QGIS and MetaSearch's CSW client against a councilapi server, as a GIS
officer would use them: one process, since QGIS is slow to start.

Usage: qgis_client.py BASE_URL FILTERS_JSON CSW_KEYWORD
Prints one JSON document: the collections QGIS's browser lists, every
feature of each collection loaded through the OAPIF provider (count, extent
and ids), the filtered layers, and what OWSLib's CSW client finds.
"""
import json
import sys

from qgis.core import QgsApplication, QgsRectangle, QgsSettings, QgsVectorLayer

base, filters, keyword = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
out = {"collections": [], "layers": {}, "filtered": {}, "csw": {}}

# The browser panel: a saved "WFS / OGC API - Features" connection, whose
# children are the collections.
settings = QgsSettings()
settings.setValue("qgis/connections-wfs/councilapi/url", base + "/ogc")
settings.setValue("qgis/connections-wfs/councilapi/version", "OGC_API_FEATURES")
root = QgsApplication.dataItemProviderRegistry().provider("WFS").createDataItem("", None)
for conn in root.createChildren():
    if conn.name() == "councilapi":
        for item in conn.createChildren():
            out["collections"].append({"title": item.name(), "uri": item.uri()})


def load(uri, id_field):
    layer = QgsVectorLayer(uri, "layer", "OAPIF")
    if not layer.isValid():
        return {"valid": False}
    extent, ids, count = QgsRectangle(), [], 0
    extent.setMinimal()
    for f in layer.getFeatures():
        count += 1
        extent.combineExtentWith(f.geometry().boundingBox())
        if id_field:
            ids.append(f[id_field])
    return {"valid": True, "count": count, "featureCount": layer.featureCount(), "crs": layer.crs().authid(),
            "extent": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()], "ids": ids}


for c in out["collections"]:
    out["layers"][c["title"]] = load(c["uri"], None)

# A filtered request: QGIS sends the CQL2 filter in the data source URL on
# every page it fetches.
for name, f in filters.items():
    uri = "url='%s' typename='%s'" % (f["url"], f["collection"])
    out["filtered"][name] = load(uri, f["idField"])

# MetaSearch's queries, through the library it is built on.
from owslib.csw import CatalogueServiceWeb  # noqa: E402
from owslib.fes import BBox, PropertyIsLike  # noqa: E402

csw = CatalogueServiceWeb(base + "/csw", timeout=60)
out["csw"]["title"] = csw.identification.title
word = PropertyIsLike("csw:AnyText", "%" + keyword + "%")
# MetaSearch sends its map extent as latitude/longitude in EPSG:4326.
trafford = BBox([53.40, -2.40, 53.45, -2.30], crs="urn:ogc:def:crs:EPSG::4326")
atlantic = BBox([10, -40, 11, -39], crs="urn:ogc:def:crs:EPSG::4326")
for name, constraints in {"keyword": [word], "keyword and extent": [[word, trafford]],
                          "elsewhere": [atlantic], "all": []}.items():
    csw.getrecords2(constraints=constraints, esn="full", maxrecords=50)
    out["csw"][name] = {
        "matched": csw.results["matches"],
        "records": {r.title: [ref["url"] for ref in r.references if ref.get("scheme") == "OGC API - Features"]
                    for r in csw.records.values()},
    }

print(json.dumps(out))
app.exitQgis()
