package ogc

import (
	"net/url"

	"github.com/jointict/councilapi/gis/crs"
)

// OpenAPI generates the OpenAPI 3.0 document of the API as it is now: the
// generic paths plus, for each live collection, its own items, feature and
// queryables paths with its queryable properties as parameters, so clients
// see exactly what they may ask.
func OpenAPI(s Service, cs []*Collection, base, version string) map[string]any {
	paths := map[string]any{
		"/": get("getLandingPage", "Landing page", "Links to the API definition, conformance and collections.",
			[]any{ref("f")}, resp("The landing page", MediaJSON, schemaRef("landingPage"))),
		"/conformance": get("getConformance", "Conformance classes", "The OGC conformance classes this server implements.",
			[]any{ref("f")}, resp("The conformance declaration", MediaJSON, schemaRef("confClasses"))),
		"/api": get("getAPI", "This document", "The OpenAPI definition of this API.",
			[]any{ref("f")}, resp("The API definition", MediaOpenAPI, map[string]any{"type": "object"})),
		"/collections": get("getCollections", "Feature collections", "Every published spatial dataset.",
			[]any{ref("f")}, resp("The collections", MediaJSON, schemaRef("collections"))),
	}
	for _, c := range cs {
		p := "/collections/" + url.PathEscape(c.ID)
		id := c.ID
		paths[p] = get("describe-"+id, "Collection "+titleOr(c), c.Description,
			[]any{ref("f")}, resp("The collection", MediaJSON, schemaRef("collection")))
		params := []any{ref("limit"), ref("offset"), ref("bbox"), ref("bbox-crs"), ref("crs"), ref("f"),
			ref("filter"), ref("filter-lang"), ref("filter-crs"), ref("sortby")}
		if c.TemporalProperty != "" {
			params = append(params, ref("datetime"))
		}
		for _, q := range c.queryables() {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": false,
				"description": "Only features whose property " + q.Name + " equals this value.",
				"schema":      map[string]any{"type": q.Type}, "style": "form", "explode": false})
		}
		items := resp("The features", MediaGeoJSON, schemaRef("featureCollectionGeoJSON"))
		items["headers"] = map[string]any{"Content-Crs": map[string]any{"$ref": "#/components/headers/Content-Crs"}}
		paths[p+"/items"] = get("getFeatures-"+id, "Features of "+titleOr(c),
			"Pages of features, filtered by bbox, datetime, properties and CQL2, sorted by queryables, in any supported CRS.", params, items)
		feature := resp("The feature", MediaGeoJSON, schemaRef("featureGeoJSON"))
		feature["headers"] = map[string]any{"Content-Crs": map[string]any{"$ref": "#/components/headers/Content-Crs"}}
		paths[p+"/items/{featureId}"] = get("getFeature-"+id, "One feature of "+titleOr(c), "",
			[]any{ref("featureId"), ref("crs"), ref("f")}, feature)
		paths[p+"/queryables"] = get("getQueryables-"+id, "Queryables of "+titleOr(c),
			"The properties that items may be filtered on, as JSON Schema.",
			[]any{ref("f")}, resp("The queryables", MediaSchema, map[string]any{"type": "object"}))
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": s.Title, "description": s.Description, "version": version},
		"servers": []any{map[string]any{"url": base}},
		"paths":   paths,
		"components": map[string]any{
			"parameters": parameters(),
			"schemas":    schemas(),
			"headers": map[string]any{"Content-Crs": map[string]any{
				"description": "The CRS of the coordinates in the response, a URI in angle brackets.",
				"schema":      map[string]any{"type": "string"}}},
			"responses": map[string]any{"Problem": map[string]any{
				"description": "An RFC 9457 problem naming the invalid parameter or the missing resource.",
				"content":     map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"type": "object"}}}}},
		},
	}
}

func titleOr(c *Collection) string {
	if c.Title != "" {
		return c.Title
	}
	return c.ID
}

func get(opID, summary, desc string, params []any, ok map[string]any) map[string]any {
	op := map[string]any{"operationId": opID, "summary": summary, "parameters": params,
		"responses": map[string]any{
			"200": ok,
			"304": map[string]any{"description": "Not modified: the ETag in If-None-Match is current"},
			"400": map[string]any{"$ref": "#/components/responses/Problem"},
			"404": map[string]any{"$ref": "#/components/responses/Problem"},
		}}
	if desc != "" {
		op["description"] = desc
	}
	return map[string]any{"get": op}
}

func resp(desc, media string, schema map[string]any) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{
		media:     map[string]any{"schema": schema},
		MediaHTML: map[string]any{"schema": map[string]any{"type": "string"}},
	}}
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/parameters/" + name}
}

func schemaRef(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func param(name, in, desc string, schema map[string]any) map[string]any {
	p := map[string]any{"name": name, "in": in, "description": desc, "schema": schema, "required": in == "path"}
	if in == "query" {
		p["style"], p["explode"] = "form", false
	}
	return p
}

func parameters() map[string]any {
	crsEnum := make([]any, 0, 4)
	for _, u := range crs.Allowed() {
		crsEnum = append(crsEnum, u)
	}
	return map[string]any{
		"f": param("f", "query", "The representation: json (GeoJSON for features) or html.",
			map[string]any{"type": "string", "enum": []any{"json", "html"}}),
		"limit": param("limit", "query", "Features per page: 1 to 10000 (larger values are treated as 10000); default 10.",
			map[string]any{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}),
		"offset": param("offset", "query", "Features to skip; next and prev links carry it.",
			map[string]any{"type": "integer", "minimum": 0, "default": 0}),
		"bbox": param("bbox", "query", "Only features intersecting the box: 4 or 6 numbers in bbox-crs axis order (CRS84: min lon, min lat, max lon, max lat).",
			map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}}),
		"bbox-crs": param("bbox-crs", "query", "The CRS of bbox (default CRS84).",
			map[string]any{"type": "string", "format": "uri", "enum": crsEnum}),
		"crs": param("crs", "query", "The CRS of the response coordinates, in that CRS's axis order (default CRS84).",
			map[string]any{"type": "string", "format": "uri", "enum": crsEnum}),
		"datetime": param("datetime", "query", "An instant or interval (start/end, either end may be ..) the temporal property must overlap.",
			map[string]any{"type": "string"}),
		"featureId": param("featureId", "path", "The id of a feature.", map[string]any{"type": "string"}),
		"filter": param("filter", "query", "A CQL2 filter on the queryables (see /queryables), e.g. floors > 5 AND S_INTERSECTS(geometry, BBOX(-2.4,53.4,-2.3,53.5)). "+
			"Supported: comparisons, LIKE, BETWEEN, IN, IS NULL, AND/OR/NOT, arithmetic, CASEI, ACCENTI, the T_ and A_ functions and S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS, S_EQUALS.",
			map[string]any{"type": "string"}),
		"filter-lang": param("filter-lang", "query", "The encoding of filter: cql2-text (default) or cql2-json.",
			map[string]any{"type": "string", "enum": []any{LangCQL2Text, LangCQL2JSON}, "default": LangCQL2Text}),
		"filter-crs": param("filter-crs", "query", "The CRS of the geometries in filter, in its axis order (default CRS84).",
			map[string]any{"type": "string", "format": "uri", "enum": crsEnum}),
		"sortby": param("sortby", "query", "Queryables to order the features by, comma-separated, each prefixed - for descending (+ or nothing for ascending).",
			map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": `^[+-]?[^,]+$`}}),
	}
}

func schemas() map[string]any {
	obj := func(required []any, props map[string]any) map[string]any {
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	str := map[string]any{"type": "string"}
	links := map[string]any{"type": "array", "items": schemaRef("link")}
	return map[string]any{
		"link": obj([]any{"href", "rel"}, map[string]any{"href": str, "rel": str, "type": str, "title": str,
			"hreflang": str, "length": map[string]any{"type": "integer"}}),
		"landingPage": obj([]any{"links"}, map[string]any{"title": str, "description": str, "links": links}),
		"confClasses": obj([]any{"conformsTo"}, map[string]any{"conformsTo": map[string]any{"type": "array", "items": str}}),
		"collection": obj([]any{"id", "links"}, map[string]any{"id": str, "title": str, "description": str, "links": links,
			"extent": map[string]any{"type": "object"}, "itemType": str, "crs": map[string]any{"type": "array", "items": str},
			"storageCrs": map[string]any{"type": "string", "format": "uri"}}),
		"collections": obj([]any{"links", "collections"}, map[string]any{"links": links,
			"collections": map[string]any{"type": "array", "items": schemaRef("collection")}}),
		"featureGeoJSON": obj([]any{"type", "geometry", "properties"}, map[string]any{
			"type": map[string]any{"type": "string", "enum": []any{"Feature"}}, "geometry": map[string]any{"type": "object", "nullable": true},
			"properties": map[string]any{"type": "object", "nullable": true}, "id": str, "links": links}),
		"featureCollectionGeoJSON": obj([]any{"type", "features"}, map[string]any{
			"type":     map[string]any{"type": "string", "enum": []any{"FeatureCollection"}},
			"features": map[string]any{"type": "array", "items": schemaRef("featureGeoJSON")}, "links": links,
			"timeStamp": map[string]any{"type": "string", "format": "date-time"}, "numberMatched": map[string]any{"type": "integer", "minimum": 0},
			"numberReturned": map[string]any{"type": "integer", "minimum": 0}}),
	}
}
