// Package cataloguefixture makes the datasets of a realistic council open
// data catalogue for tests and benchmarks: the topics district councils
// publish (spend, car parks, trees, toilets, planning, …) for the three
// councils of the Joint ICT Service over several years, tabular and spatial,
// with the files a publisher would upload. Dataset n is always the same, so
// a catalogue of any size is reproducible.
package cataloguefixture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Dataset is one fixture: who publishes it, the metadata sent to POST
// /api/v1/datasets, the files uploaded as its versions, and what happens
// after (left a draft, or published and then withdrawn).
type Dataset struct {
	Org      string
	Meta     map[string]any
	Versions []File
	Draft    bool // uploaded but never published
	Withdraw bool // published, then withdrawn
	Spatial  bool
}

// File is one upload.
type File struct {
	Name string
	Body []byte
}

type council struct {
	id, name, place, gss, email string
	// A box well inside the district, British National Grid metres.
	e0, n0, e1, n1 float64
}

var councils = []council{
	{"bdc", "Bolsover", "Bolsover", "E07000033", "opendata@bolsover.gov.uk", 444000, 362000, 452000, 374000},
	{"dddc", "Derbyshire Dales", "Derbyshire Dales", "E07000035", "opendata@derbyshiredales.gov.uk", 420000, 350000, 432000, 368000},
	{"neddc", "North East Derbyshire", "North East Derbyshire", "E07000038", "opendata@ne-derbyshire.gov.uk", 432000, 362000, 442000, 378000},
}

type topic struct {
	title, about       string
	themes, keywords   []string
	spatial            bool
	geojson            bool // uploaded as GeoJSON (else CSV with eastings and northings)
	inspireThemes      []string
	topicCategory      string
	columns            []string // tabular columns after the first (reference) one
	frequency, licence string
}

var topics = []topic{
	{title: "Spending over £500", about: "Every payment of £500 or more to suppliers, as the Local Government Transparency Code 2015 requires. Amounts exclude recoverable VAT; payments to individuals are redacted.",
		themes: []string{"government-spending"}, keywords: []string{"spend", "transparency code", "payments"},
		columns: []string{"service_area", "supplier", "amount"}, frequency: "monthly"},
	{title: "Car park occupancy", about: "Hourly occupancy counts of the council's pay and display car parks, from the barrier and sensor system.",
		themes: []string{"transport"}, keywords: []string{"parking", "car parks", "occupancy"},
		columns: []string{"car_park", "hour", "occupied_spaces"}, frequency: "daily", licence: "CC-BY-4.0"},
	{title: "Car parks", about: "Locations, capacity and tariffs of the council's car parks, including disabled and electric vehicle bays.",
		themes: []string{"transport"}, keywords: []string{"parking", "car parks"}, spatial: true,
		inspireThemes: []string{"tn"}, topicCategory: "transportation", columns: []string{"name", "spaces"}, frequency: "annual"},
	{title: "Public toilets", about: "Public toilets the council runs or funds, with opening hours, accessibility and baby changing facilities.",
		themes: []string{"towns-and-cities"}, keywords: []string{"toilets", "accessibility"}, spatial: true, geojson: true,
		inspireThemes: []string{"us"}, topicCategory: "structure", columns: []string{"name", "opening_hours"}, frequency: "quarterly"},
	{title: "Planning applications", about: "Planning applications received, with the decision and its date once made. Personal data of householders is removed.",
		themes: []string{"towns-and-cities"}, keywords: []string{"planning", "development control"},
		columns: []string{"reference", "proposal", "decision"}, frequency: "weekly"},
	{title: "Street lighting columns", about: "Every street lighting column the council maintains, with its lantern type and wattage, for the energy and carbon reports.",
		themes: []string{"transport"}, keywords: []string{"street lighting", "street scene", "energy"}, spatial: true,
		inspireThemes: []string{"us"}, topicCategory: "utilitiesCommunication", columns: []string{"column_id", "lantern", "watts"}, frequency: "annual"},
	{title: "Highway trees", about: "Trees on the adopted highway and council land, with species, height and the date of the last inspection by the arboriculture team.",
		themes: []string{"environment"}, keywords: []string{"trees", "street scene", "green infrastructure"}, spatial: true, geojson: true,
		inspireThemes: []string{"lc"}, topicCategory: "environment", columns: []string{"species", "height_m"}, frequency: "annual", licence: "ODC-BY"},
	{title: "Grit bins", about: "Grit bins the council fills before winter, and the roads on the gritting routes they serve.",
		themes: []string{"transport"}, keywords: []string{"winter", "gritting", "street scene"}, spatial: true,
		inspireThemes: []string{"tn"}, topicCategory: "transportation", columns: []string{"bin_id", "road"}, frequency: "annual"},
	{title: "Allotment sites", about: "Allotment sites, the number of plots on each and the waiting list, kept by the parks team.",
		themes: []string{"environment", "society"}, keywords: []string{"allotments", "green spaces"}, spatial: true,
		inspireThemes: []string{"lu"}, topicCategory: "planningCadastre", columns: []string{"site", "plots"}, frequency: "annual", licence: "CC0-1.0"},
	{title: "Defibrillator locations", about: "Public access defibrillators registered with the council, with the cabinet code arrangements and who checks them.",
		themes: []string{"health"}, keywords: []string{"defibrillators", "first aid"}, spatial: true, geojson: true,
		inspireThemes: []string{"hh"}, topicCategory: "health", columns: []string{"location", "access"}, frequency: "monthly"},
	{title: "Air quality monitoring", about: "Monthly nitrogen dioxide readings from the council's diffusion tubes, before bias adjustment.",
		themes: []string{"environment", "health"}, keywords: []string{"air quality", "nitrogen dioxide", "pollution"},
		columns: []string{"tube", "month", "no2_ugm3"}, frequency: "monthly"},
	{title: "Council tax bands", about: "Number of dwellings in each council tax band by parish, from the valuation list.",
		themes: []string{"government"}, keywords: []string{"council tax", "valuation"},
		columns: []string{"parish", "band", "dwellings"}, frequency: "annual"},
	{title: "Business rates accounts", about: "Non-domestic rates accounts held by companies, with the rateable value and reliefs granted.",
		themes: []string{"business-and-economy"}, keywords: []string{"business rates", "non-domestic rates"},
		columns: []string{"account", "rateable_value", "relief"}, frequency: "quarterly"},
	{title: "Licensed premises", about: "Premises licensed to sell alcohol or provide late night refreshment, with licence conditions.",
		themes: []string{"business-and-economy", "crime-and-justice"}, keywords: []string{"licensing", "alcohol"},
		columns: []string{"premises", "licence_type"}, frequency: "monthly", licence: "other-open"},
	{title: "Public rights of way", about: "Waymarked points on footpaths and bridleways, surveyed by volunteers with the countryside service.",
		themes: []string{"mapping", "transport"}, keywords: []string{"footpaths", "rights of way", "walking"}, spatial: true,
		inspireThemes: []string{"tn"}, topicCategory: "transportation", columns: []string{"path", "marker"}, frequency: "irregular"},
	{title: "Recycling centres", about: "Household waste recycling centres and bring sites, with the materials each accepts.",
		themes: []string{"environment"}, keywords: []string{"recycling", "waste"}, spatial: true, geojson: true,
		inspireThemes: []string{"us"}, topicCategory: "utilitiesCommunication", columns: []string{"site", "materials"}, frequency: "annual"},
	{title: "Contracts register", about: "Contracts and framework call-offs worth more than £5,000, with supplier, value and dates.",
		themes: []string{"government-spending"}, keywords: []string{"contracts", "procurement", "transparency code"},
		columns: []string{"contract", "supplier", "value"}, frequency: "quarterly"},
	{title: "Senior salaries", about: "Salaries of senior employees above £50,000, by post, as the Transparency Code requires.",
		themes: []string{"government"}, keywords: []string{"salaries", "transparency code"},
		columns: []string{"post", "salary_band"}, frequency: "annual"},
	{title: "Food hygiene inspections", about: "Food hygiene ratings given after the environmental health team's inspections of food businesses.",
		themes: []string{"health", "business-and-economy"}, keywords: []string{"food hygiene", "inspections"},
		columns: []string{"business", "rating", "inspected"}, frequency: "weekly"},
	{title: "Fly-tipping reports", about: "Reports of fly-tipping on public land, the waste type and how soon it was cleared.",
		themes: []string{"environment", "crime-and-justice"}, keywords: []string{"fly-tipping", "street scene", "waste"},
		columns: []string{"report", "waste_type", "days_to_clear"}, frequency: "monthly", licence: "CC-BY-4.0"},
	{title: "Electric vehicle charge points", about: "Public electric vehicle charge points in council car parks, with connector types and power.",
		themes: []string{"transport"}, keywords: []string{"electric vehicles", "charging", "parking"}, spatial: true, geojson: true,
		inspireThemes: []string{"us"}, topicCategory: "transportation", columns: []string{"charger", "kw"}, frequency: "monthly"},
	{title: "Conservation areas", about: "Reference points of conservation areas and the date each was designated.",
		themes: []string{"mapping", "towns-and-cities"}, keywords: []string{"conservation", "heritage", "planning"}, spatial: true,
		inspireThemes: []string{"ps"}, topicCategory: "planningCadastre", columns: []string{"area", "designated"}, frequency: "never"},
	{title: "Bin collection days", about: "The collection day and week for refuse, recycling and garden waste in each street.",
		themes: []string{"society"}, keywords: []string{"bins", "waste", "recycling"},
		columns: []string{"street", "day", "week"}, frequency: "annual"},
	{title: "Library visits", about: "Visits to each library by month, counted at the door, and the number of active borrowers.",
		themes: []string{"education", "society"}, keywords: []string{"libraries", "visits"},
		columns: []string{"library", "month", "visits"}, frequency: "monthly", licence: "OGL-UK-3.0"},
}

// Len is the number of distinct datasets the fixture can make before titles
// repeat (topics × councils × years back to 1926).
const Len = 24 * 3 * 100

// Make returns dataset n (0-based).
func Make(n int) Dataset {
	t := topics[n%len(topics)]
	c := councils[(n/len(topics))%len(councils)]
	year := 2026 - n/(len(topics)*len(councils))
	rng := rand.New(rand.NewPCG(uint64(n), 2026))
	title := fmt.Sprintf("%s — %s %d", t.title, c.name, year)
	meta := map[string]any{
		"title":           title,
		"description":     fmt.Sprintf("%s %s District Council, %d/%02d.\n\nPublished by the Joint ICT Service for %s.", t.about, c.name, year-1, year%100, c.name),
		"keywords":        append(append([]string{}, t.keywords...), c.place),
		"themes":          t.themes,
		"updateFrequency": t.frequency,
		"contactPoint":    map[string]string{"name": "Open data team", "email": c.email},
	}
	if t.licence != "" {
		meta["licence"] = t.licence
	}
	switch n % 5 {
	case 0, 1, 2: // a financial year
		meta["temporal"] = map[string]any{"start": fmt.Sprintf("%d-04-01T00:00:00Z", year-1), "end": fmt.Sprintf("%d-03-31T00:00:00Z", year)}
	case 3: // still being added to
		meta["temporal"] = map[string]any{"start": fmt.Sprintf("%d-04-01T00:00:00Z", year-1)}
	}
	if !t.spatial || n%3 == 0 {
		meta["spatial"] = map[string]any{"place": c.place, "gssCode": c.gss}
	}
	d := Dataset{Org: c.id, Meta: meta, Spatial: t.spatial}
	if t.spatial {
		in := map[string]any{
			"topicCategories": []string{t.topicCategory},
			"inspireThemes":   t.inspireThemes,
			"lineage": fmt.Sprintf("Surveyed by %s District Council officers with hand-held GNSS receivers and checked against OS MasterMap before publication.",
				c.name),
			"referenceSystem":   "EPSG:27700",
			"spatialResolution": map[string]any{"equivalentScale": 1250},
			"conformity": []map[string]any{{"specification": "Commission Regulation (EU) No 1089/2010",
				"date": "2010-12-08", "result": "notEvaluated"}},
		}
		if n%17 == 4 {
			delete(in, "lineage") // GEMINI reports it missing; no record is served
		}
		meta["inspire"] = in
	}
	versions := 1
	switch {
	case n%11 == 5:
		versions = 3
	case n%7 == 3:
		versions = 2
	}
	slug := strings.ToLower(strings.NewReplacer(" ", "-", "£", "", "—", "").Replace(t.title))
	for v := range versions {
		rows := 3 + rng.IntN(12) + v
		switch {
		case t.spatial && t.geojson:
			d.Versions = append(d.Versions, File{slug + ".geojson", geojsonFile(rng, c, t, rows)})
		case t.spatial:
			d.Versions = append(d.Versions, File{slug + ".csv", pointsCSV(rng, c, t, rows)})
		default:
			d.Versions = append(d.Versions, File{slug + ".csv", tableCSV(rng, t, rows)})
		}
	}
	d.Draft = n%41 == 13
	d.Withdraw = n%29 == 7
	return d
}

func cell(rng *rand.Rand, col string, row int) string {
	switch {
	case strings.Contains(col, "amount"), strings.Contains(col, "value"), strings.Contains(col, "salary"):
		return fmt.Sprintf("%d.%02d", 500+rng.IntN(90000), rng.IntN(100))
	case strings.Contains(col, "month"), strings.Contains(col, "inspected"), strings.Contains(col, "designated"):
		return fmt.Sprintf("20%02d-%02d-01", 15+rng.IntN(11), 1+rng.IntN(12))
	case strings.HasSuffix(col, "_m"), col == "kw", col == "watts", col == "no2_ugm3":
		return fmt.Sprintf("%d.%d", 1+rng.IntN(60), rng.IntN(10))
	case col == "spaces", col == "plots", col == "visits", col == "dwellings", col == "occupied_spaces", col == "days_to_clear", col == "hour":
		return fmt.Sprint(rng.IntN(400))
	}
	words := []string{"North", "South", "Market", "Station", "Church", "Mill", "Park", "High Street", "Bridge", "Green"}
	return fmt.Sprintf("%s %d", words[rng.IntN(len(words))], row+1)
}

func tableCSV(rng *rand.Rand, t topic, rows int) []byte {
	var b bytes.Buffer
	b.WriteString("ref," + strings.Join(t.columns, ",") + "\n")
	for r := range rows {
		fmt.Fprintf(&b, "R%04d", r+1)
		for _, c := range t.columns {
			b.WriteString("," + cell(rng, c, r))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func pointsCSV(rng *rand.Rand, c council, t topic, rows int) []byte {
	var b bytes.Buffer
	b.WriteString("ref," + strings.Join(t.columns, ",") + ",easting,northing\n")
	for r := range rows {
		fmt.Fprintf(&b, "P%04d", r+1)
		for _, col := range t.columns {
			b.WriteString("," + cell(rng, col, r))
		}
		fmt.Fprintf(&b, ",%.0f,%.0f\n", c.e0+rng.Float64()*(c.e1-c.e0), c.n0+rng.Float64()*(c.n1-c.n0))
	}
	return b.Bytes()
}

// geojsonFile places points in the district in WGS84 (a rough conversion
// of the box is enough: the points need only fall in the district).
func geojsonFile(rng *rand.Rand, c council, t topic, rows int) []byte {
	lon := func(e float64) float64 { return -2.0 + (e-400000)/66000 }
	lat := func(n float64) float64 { return 53.0 + (n-330000)/111000 }
	type feature struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   map[string]any    `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for r := range rows {
		props := map[string]string{"ref": fmt.Sprintf("P%04d", r+1)}
		for _, col := range t.columns {
			props[col] = cell(rng, col, r)
		}
		e, n := c.e0+rng.Float64()*(c.e1-c.e0), c.n0+rng.Float64()*(c.n1-c.n0)
		fc.Features = append(fc.Features, feature{Type: "Feature", Properties: props,
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{round6(lon(e)), round6(lat(n))}}})
	}
	b, _ := json.Marshal(fc)
	return b
}

func round6(f float64) float64 { return float64(int64(f*1e6)) / 1e6 }
