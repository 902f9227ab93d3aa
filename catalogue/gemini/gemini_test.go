package gemini

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/testref"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func marshalAll(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, rec := range map[string]DatasetRecord{"trafford-trees": traffordTrees(), "ned-wards": nedWards()} {
		b, err := Marshal(rec)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b
	}
	b, err := MarshalService(traffordService())
	if err != nil {
		t.Fatalf("service: %v", err)
	}
	out["trafford-service"] = b
	return out
}

func TestGolden(t *testing.T) {
	for name, got := range marshalAll(t) {
		path := filepath.Join("testdata", name+".xml")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run go test -update after checking the change)", name, path)
		}
	}
}

// TestValidators runs the four checks data.gov.uk applies (EDEN XSD, MEDIN
// 1.4, GEMINI 2.1 R1r3) plus GEMINI 2.3, through the shared script.
func TestValidators(t *testing.T) {
	script := testref.Shared(t, "conformance/validate-gemini.sh")
	testref.Shared(t, "reference/gemini/iso19139eden/gmx_and_srv.xsd")
	testref.Tool(t, "xmllint", "libxml2-utils")
	testref.Tool(t, "xsltproc", "xsltproc")
	dir := t.TempDir()
	var files []string
	for name, b := range marshalAll(t) {
		p := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	// A record with its lineage removed must fail, or the script is not checking.
	broken, _ := Marshal(traffordTrees())
	broken = regexp.MustCompile(`(?s)\s*<gmd:lineage>.*</gmd:lineage>`).ReplaceAll(broken, nil)
	brokenPath := filepath.Join(dir, "broken.xml")
	if err := os.WriteFile(brokenPath, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, brokenPath)

	cmd := exec.Command("bash", append([]string{script}, files...)...)
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	out, _ := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		isBroken := strings.Contains(line, "broken.xml")
		switch {
		case isBroken && !strings.HasPrefix(line, "FAIL"):
			t.Errorf("a record without lineage passed: %s", line)
		case !isBroken && !strings.HasPrefix(line, "ok"):
			t.Errorf("%s", line)
		}
	}
	if c := strings.Count(string(out), "\n"); c != len(files) {
		t.Fatalf("validator printed %d lines for %d records:\n%s", c, len(files), out)
	}
}

func TestMissingNamesEveryAbsentItem(t *testing.T) {
	got := Missing(DatasetRecord{})
	want := []string{ItemFileIdentifier, ItemTitle, ItemAbstract, ItemTopicCategory, ItemKeyword, ItemInspireTheme,
		ItemTemporalExtent, ItemDatasetReferenceDate, ItemLineage, ItemBoundingBox, ItemSpatialReferenceSystem,
		ItemResourceLocator, ItemDataFormat, ItemResponsibleOrganisation, ItemMetadataPointOfContact,
		ItemMetadataDate, ItemResourceIdentifier, ItemSpatialRepresentationType}
	if !slices.Equal(got, want) {
		t.Errorf("Missing(empty) =\n %q\nwant\n %q", got, want)
	}
	if m := Missing(traffordTrees()); len(m) != 0 {
		t.Errorf("complete record reported missing %q", m)
	}
	if m := MissingService(traffordService()); len(m) != 0 {
		t.Errorf("complete service reported missing %q", m)
	}
}

func TestMissingRejectsValuesGEMINIRefuses(t *testing.T) {
	cases := map[string]struct {
		edit func(*DatasetRecord)
		item string
	}{
		"short abstract":     {func(r *DatasetRecord) { r.Abstract = "Trees." }, ItemAbstract},
		"abstract = title":   {func(r *DatasetRecord) { r.Abstract = r.Title }, ItemAbstract},
		"braced uuid":        {func(r *DatasetRecord) { r.FileIdentifier = "{" + r.FileIdentifier + "}" }, ItemFileIdentifier},
		"inverted bbox":      {func(r *DatasetRecord) { r.BBox.South, r.BBox.North = r.BBox.North, r.BBox.South }, ItemBoundingBox},
		"no INSPIRE theme":   {func(r *DatasetRecord) { r.Keywords = r.Keywords[1:] }, ItemInspireTheme},
		"two creation dates": {func(r *DatasetRecord) { r.ReferenceDates = append(r.ReferenceDates, r.ReferenceDates[0]) }, ItemDatasetReferenceDate},
		"bad topic":          {func(r *DatasetRecord) { r.TopicCategories = []string{"trees"} }, ItemTopicCategory},
		"contact no email":   {func(r *DatasetRecord) { r.MetadataContact.Email = "" }, ItemMetadataPointOfContact},
		"relative locator":   {func(r *DatasetRecord) { r.ResourceLocators[0].URL = "/trees.geojson" }, ItemResourceLocator},
		"odd temporal":       {func(r *DatasetRecord) { r.TemporalExtent.Begin = "1/6/2017" }, ItemTemporalExtent},
		"stereo model":       {func(r *DatasetRecord) { r.SpatialRepresentationType = "stereoModel" }, ItemSpatialRepresentationType},
		"unknown degree":     {func(r *DatasetRecord) { r.Conformity = []Conformity{{Degree: "maybe"}} }, ItemConformity},
		"non-register LoPA": {func(r *DatasetRecord) {
			r.LimitationsOnPublicAccess = LimitationOnPublicAccess{URI: "https://example.org/x", Text: "x"}
		}, ItemLimitationsOnPublicAccess},
		"lowercase only lang": {func(r *DatasetRecord) { r.Language = "English" }, ItemDatasetLanguage},
	}
	for name, c := range cases {
		rec := traffordTrees()
		c.edit(&rec)
		if got := Missing(rec); !slices.Equal(got, []string{c.item}) {
			t.Errorf("%s: Missing = %q, want [%q]", name, got, c.item)
		}
	}
}

func TestMarshalRefusesIncompleteRecord(t *testing.T) {
	rec := traffordTrees()
	rec.Lineage = ""
	rec.TopicCategories = nil
	_, err := Marshal(rec)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid {
		t.Fatalf("err = %v, want a domain invalid error", err)
	}
	var fields []string
	for _, f := range de.Fields {
		fields = append(fields, f.Field)
	}
	if !slices.Equal(fields, []string{ItemTopicCategory, ItemLineage}) {
		t.Errorf("fields = %q", fields)
	}
}

// TestEncodingChoices pins what data.gov.uk reads: values as CharacterString,
// the LoPA label repeated beside its Anchor, the OGL text in useLimitation, and
// the coupling of service to dataset.
func TestEncodingChoices(t *testing.T) {
	all := marshalAll(t)
	// Compare without indentation so the checks survive layout changes.
	ds := regexp.MustCompile(`>\s+<`).ReplaceAllString(string(all["trafford-trees"]), "><")
	for _, want := range []string{
		`<gmd:otherConstraints><gco:CharacterString>` + NoLimitationsText,
		`<gmx:Anchor xlink:href="` + NoLimitationsURI + `">`,
		`<gmd:useLimitation><gco:CharacterString>` + OGLText,
		`<gco:CharacterString>` + CRSBritishNationalGrid + `</gco:CharacterString>`,
		`<gco:CharacterString>Species distribution</gco:CharacterString>`,
		`<gco:CharacterString>` + InspireThemesThesaurus + `</gco:CharacterString>`,
		`<gml:endPosition indeterminatePosition="now"/>`,
		`<gmd:pass><gco:Boolean>false</gco:Boolean></gmd:pass>`,
		`<gco:Date>2024-03-05</gco:Date>`,
	} {
		if !strings.Contains(ds, want) {
			t.Errorf("dataset record lacks %q", want)
		}
	}
	sv := string(all["trafford-service"])
	for _, want := range []string{
		`<srv:operatesOn uuidref="6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10" xlink:href="https://data.trafford.gov.uk/inspire/records/6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10.xml"`,
		`<gco:LocalName>download</gco:LocalName>`,
		`<gco:CharacterString>service</gco:CharacterString>`,
	} {
		if !strings.Contains(sv, want) {
			t.Errorf("service record lacks %q", want)
		}
	}
	for name, b := range all {
		if err := xml.Unmarshal(b, new(struct{})); err != nil {
			t.Errorf("%s is not well-formed: %v", name, err)
		}
	}
}

func TestFingerprintIgnoresOnlyTheMetadataDate(t *testing.T) {
	a, b := traffordTrees(), traffordTrees()
	b.MetadataDate = day("2030-01-01")
	if Fingerprint(a) != Fingerprint(b) {
		t.Error("moving the metadata date changed the fingerprint")
	}
	b.Title += " (updated)"
	if Fingerprint(a) == Fingerprint(b) {
		t.Error("changing the title kept the fingerprint")
	}
	s1, s2 := traffordService(), traffordService()
	s2.OperatesOn = nil
	if ServiceFingerprint(s1) == ServiceFingerprint(s2) {
		t.Error("dropping a coupled resource kept the service fingerprint")
	}
}

// TestBriefRecordsAreValidISO19139 checks the brief element set CSW serves
// when a harvester pages: schema-valid ISO 19139 (the EDEN XSD data.gov.uk
// uses), with the identifier, title, type and extent the ISO application
// profile puts in a brief record, and without the full record's lineage,
// keywords or distribution.
func TestBriefRecordsAreValidISO19139(t *testing.T) {
	xsd := testref.Shared(t, "reference/gemini/iso19139eden/gmx_and_srv.xsd")
	xmllint := testref.Tool(t, "xmllint", "libxml2-utils")
	dir := t.TempDir()
	briefs := map[string][]byte{"trafford-trees": MarshalBrief(traffordTrees()), "ned-wards": MarshalBrief(nedWards()),
		"trafford-service": MarshalServiceBrief(traffordService())}
	for name, b := range briefs {
		full := marshalAll(t)[name]
		if len(b)*2 > len(full) {
			t.Errorf("%s: brief record is %d bytes, the full one %d", name, len(b), len(full))
		}
		for _, want := range []string{"<gmd:fileIdentifier>", "<gmd:hierarchyLevel>", "<gmd:title>", "<gmd:westBoundLongitude>"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s: brief record has no %s", name, want)
			}
		}
		for _, unwanted := range []string{"<gmd:lineage>", "<gmd:descriptiveKeywords>", "<gmd:distributionInfo>"} {
			if bytes.Contains(b, []byte(unwanted)) {
				t.Errorf("%s: brief record has %s", name, unwanted)
			}
		}
		if strings.HasSuffix(name, "service") != bytes.Contains(b, []byte("<srv:serviceType>")) {
			t.Errorf("%s: service type present only in a service's brief record:\n%s", name, b)
		}
		p := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, p).CombinedOutput(); err != nil {
			t.Errorf("%s: brief record is not valid ISO 19139: %v\n%s", name, err, out)
		}
	}
}
