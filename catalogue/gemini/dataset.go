package gemini

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Marshal encodes a dataset record as ISO 19139 XML. It refuses a record that
// lacks a mandatory GEMINI element, naming every missing item (see Missing), so
// an incomplete record is never published.
func Marshal(rec DatasetRecord) ([]byte, error) {
	if missing := Missing(rec); len(missing) > 0 {
		return nil, incomplete(missing)
	}
	return document(datasetTree(rec)), nil
}

func incomplete(missing []string) error {
	var p domain.Problems
	for _, m := range missing {
		p.Add(m, "GEMINI 2.3 requires a valid %s: provide it before publishing (see the GEMINI 2.3 guidance for this item)", m)
	}
	err := p.Err()
	if e, ok := err.(*domain.Error); ok {
		e.Message = "the GEMINI record is missing mandatory metadata: " + strings.Join(missing, ", ")
	}
	return err
}

func datasetTree(rec DatasetRecord) *node {
	lang := orDefault(rec.Language, "eng")
	ident := el("gmd:MD_DataIdentification",
		citation(rec.Title, rec.AlternativeTitle, rec.ReferenceDates, rec.ResourceIdentifier),
		cs("gmd:abstract", rec.Abstract),
		party("gmd:pointOfContact", rec.ResponsibleOrganisation),
		maintenance(rec.UpdateFrequency))
	ident.Add(keywords(rec.Keywords)...)
	ident.Add(constraints(rec.LimitationsOnPublicAccess, rec.UseConstraints)...)
	ident.Add(code("gmd:spatialRepresentationType", "MD_SpatialRepresentationTypeCode", rec.SpatialRepresentationType))
	switch r := rec.SpatialResolution; {
	case r.ScaleDenominator > 0:
		ident.Add(el("gmd:spatialResolution", el("gmd:MD_Resolution", el("gmd:equivalentScale",
			el("gmd:MD_RepresentativeFraction", el("gmd:denominator", txt("gco:Integer", itoa(r.ScaleDenominator))))))))
	case r.DistanceMetres > 0:
		ident.Add(el("gmd:spatialResolution", el("gmd:MD_Resolution",
			el("gmd:distance", txt("gco:Distance", formatDecimal(r.DistanceMetres)).Attr("uom", "m")))))
	}
	ident.Add(language("gmd:language", lang))
	for _, t := range rec.TopicCategories {
		ident.Add(el("gmd:topicCategory", txt("gmd:MD_TopicCategoryCode", t)))
	}
	ident.Add(extent("gmd:extent", rec.BBox, rec.TemporalExtent))

	quality := el("gmd:DQ_DataQuality",
		el("gmd:scope", el("gmd:DQ_Scope", code("gmd:level", "MD_ScopeCode", "dataset"))))
	quality.Add(conformityReports(rec.Conformity)...)
	quality.Add(el("gmd:lineage", el("gmd:LI_Lineage", cs("gmd:statement", rec.Lineage))))

	r := root(header(rec.FileIdentifier, rec.MetadataLanguage, "dataset", rec.MetadataContact, rec.MetadataDate)...)
	r.Add(referenceSystems(rec.SpatialReferenceSystems)...)
	r.Add(el("gmd:identificationInfo", ident),
		distribution(rec.DataFormats, rec.ResourceLocators),
		el("gmd:dataQualityInfo", quality))
	return r
}

// Fingerprint is a digest of everything in the record except its metadata
// date. Store it beside the record and move MetadataDate on only when the
// fingerprint changes, so dateStamp changes exactly when the content does.
func Fingerprint(rec DatasetRecord) string {
	rec.MetadataDate = time.Time{}
	return digest(document(datasetTree(rec)))
}

// ServiceFingerprint is Fingerprint for service records.
func ServiceFingerprint(rec ServiceRecord) string {
	rec.MetadataDate = time.Time{}
	return digest(document(serviceTree(rec)))
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
