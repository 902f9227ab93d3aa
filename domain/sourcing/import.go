package sourcing

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// ImportProblem is one problem with one row of an import file. Row is the
// 1-based position in the "services" array for JSON, and the spreadsheet row
// for CSV (the header is row 1, the first service row 2).
type ImportProblem struct {
	Row       int    `json:"row"`
	ServiceID string `json:"serviceId,omitempty"`
	Field     string `json:"field"`
	Problem   string `json:"problem"`
}

// ImportResult holds the rows that passed validation and the problems of the
// rows that did not; a bad row never stops the good ones.
type ImportResult struct {
	Services []Service       `json:"services"`
	Problems []ImportProblem `json:"problems"`
	Rows     int             `json:"rows"`
}

// CSVHeaders are the column names ParseCSV understands: the Digital
// Marketplace JSON field names. List columns hold items separated by "|";
// boolean columns accept true/false, yes/no, 1/0 or empty (false). Unknown
// columns are ignored so a full Marketplace export can be loaded as it is.
var CSVHeaders = []string{
	"id", "frameworkSlug", "lot", "supplierId", "supplierName", "companiesHouseNumber", "dunsNumber",
	"contactName", "contactEmail", "contactPhone", "website",
	"serviceName", "serviceDescription", "serviceFeatures", "serviceBenefits", "serviceCategories",
	"priceMin", "priceMax", "priceUnit", "priceInterval",
	"standardsISOIEC27001", "standardsCSASTAR", "standardsPCI", "standardsISO28000",
	"cyberEssentials", "cyberEssentialsPlus", "publicSectorNetworksTypes",
	"governmentSecurityClearances", "staffSecurityClearanceChecks", "securityGovernanceStandards",
	"dataStorageAndProcessingLocations", "energyEfficientDatacentres", "serviceDefinitionDocumentURL",
	"frameworkExpiry",
}

var csvLists = map[string]bool{"serviceFeatures": true, "serviceBenefits": true, "serviceCategories": true,
	"publicSectorNetworksTypes": true, "securityGovernanceStandards": true, "dataStorageAndProcessingLocations": true}

var csvBools = map[string]bool{"standardsISOIEC27001": true, "standardsCSASTAR": true, "standardsPCI": true,
	"standardsISO28000": true, "cyberEssentials": true, "cyberEssentialsPlus": true, "energyEfficientDatacentres": true}

// rowReader gives typed access to one row and records type problems.
type rowReader struct {
	get      func(key string) (raw string, isJSON, present bool)
	problems domain.Problems
}

func (r *rowReader) str(key string) string {
	raw, isJSON, ok := r.get(key)
	if !ok {
		return ""
	}
	if !isJSON {
		return strings.TrimSpace(raw)
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number // the Marketplace gives supplierId as a number
	if err := json.Unmarshal([]byte(raw), &n); err == nil {
		return n.String()
	}
	if raw != "null" {
		r.problems.Add(key, "must be a string")
	}
	return ""
}

func (r *rowReader) list(key string) []string {
	raw, isJSON, ok := r.get(key)
	if !ok || strings.TrimSpace(raw) == "" {
		return nil
	}
	var out []string
	if isJSON {
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			r.problems.Add(key, "must be a list of strings")
			return nil
		}
	} else {
		out = strings.Split(raw, "|")
	}
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

func (r *rowReader) boolean(key string) bool {
	raw, isJSON, ok := r.get(key)
	if !ok {
		return false
	}
	if isJSON {
		var b bool
		if err := json.Unmarshal([]byte(raw), &b); err != nil && raw != "null" {
			r.problems.Add(key, "must be true or false")
		}
		return b
	}
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "true", "yes", "1", "y":
		return true
	case "false", "no", "0", "n", "":
		return false
	}
	r.problems.Add(key, "must be true/false, yes/no or 1/0")
	return false
}

func (r *rowReader) dec(key string) (Dec, bool) {
	s := r.str(key)
	if s == "" {
		return 0, false
	}
	d, err := ParseDec(strings.TrimPrefix(s, "£"))
	if err != nil {
		r.problems.Add(key, "%v", err)
		return 0, false
	}
	return d, true
}

func (r *rowReader) service() Service {
	s := Service{
		ID: r.str("id"), FrameworkSlug: r.str("frameworkSlug"), Lot: r.str("lot"),
		Supplier: Supplier{
			SupplierID: r.str("supplierId"), SupplierName: r.str("supplierName"),
			CompaniesHouseNumber: r.str("companiesHouseNumber"), DUNSNumber: r.str("dunsNumber"),
			ContactName: r.str("contactName"), ContactEmail: r.str("contactEmail"),
			ContactPhone: r.str("contactPhone"), Website: r.str("website"),
		},
		ServiceName: r.str("serviceName"), ServiceDescription: r.str("serviceDescription"),
		ServiceFeatures: r.list("serviceFeatures"), ServiceBenefits: r.list("serviceBenefits"),
		ServiceCategories: r.list("serviceCategories"),
		PriceUnit:         r.str("priceUnit"), PriceInterval: r.str("priceInterval"),
		StandardsISOIEC27001: r.boolean("standardsISOIEC27001"), StandardsCSASTAR: r.boolean("standardsCSASTAR"),
		StandardsPCI: r.boolean("standardsPCI"), StandardsISO28000: r.boolean("standardsISO28000"),
		CyberEssentials: r.boolean("cyberEssentials"), CyberEssentialsPlus: r.boolean("cyberEssentialsPlus"),
		PublicSectorNetworksTypes:         r.list("publicSectorNetworksTypes"),
		GovernmentSecurityClearances:      r.str("governmentSecurityClearances"),
		StaffSecurityClearanceChecks:      r.str("staffSecurityClearanceChecks"),
		SecurityGovernanceStandards:       r.list("securityGovernanceStandards"),
		DataStorageAndProcessingLocations: r.list("dataStorageAndProcessingLocations"),
		EnergyEfficientDatacentres:        r.boolean("energyEfficientDatacentres"),
		ServiceDefinitionDocumentURL:      r.str("serviceDefinitionDocumentURL"),
		FrameworkExpiry:                   r.str("frameworkExpiry"),
	}
	if s.Lot == "" {
		s.Lot = r.str("lotSlug")
	}
	if min, ok := r.dec("priceMin"); ok {
		s.PriceMin = min
	} else if raw, _, present := r.get("priceMin"); !present || strings.TrimSpace(raw) == "" || raw == `""` {
		r.problems.Add("priceMin", "is required")
	}
	if max, ok := r.dec("priceMax"); ok {
		s.PriceMax = &max
	}
	return s
}

type rowCollector struct {
	res  ImportResult
	seen map[string]int
}

func (c *rowCollector) add(row int, r *rowReader) {
	c.res.Rows++
	s := r.service()
	probs := r.problems
	if err := s.Validate(); err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			probs = append(probs, de.Fields...)
		}
	}
	if first, dup := c.seen[s.ID]; dup && s.ID != "" {
		probs.Add("id", "service %s already appears in row %d of this file", s.ID, first)
	}
	if len(probs) > 0 {
		for _, p := range probs {
			c.res.Problems = append(c.res.Problems, ImportProblem{Row: row, ServiceID: s.ID, Field: p.Field, Problem: p.Problem})
		}
		return
	}
	c.seen[s.ID] = row
	c.res.Services = append(c.res.Services, s)
}

// ParseJSON reads a Digital Marketplace-style document {"services": [...]}.
// Fields the Marketplace carries beyond the model are ignored. The error is
// for a document that cannot be read at all; row problems are in the result.
func ParseJSON(r io.Reader) (ImportResult, error) {
	var doc struct {
		Services []map[string]json.RawMessage `json:"services"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "the file is not a JSON document of the form {\"services\": [...]}: %v", err)
	}
	if doc.Services == nil {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "the JSON document has no \"services\" array")
	}
	c := rowCollector{seen: map[string]int{}, res: ImportResult{Services: []Service{}, Problems: []ImportProblem{}}}
	for i, m := range doc.Services {
		rr := &rowReader{get: func(k string) (string, bool, bool) {
			v, ok := m[k]
			return string(v), true, ok
		}}
		c.add(i+1, rr)
	}
	return c.res, nil
}

// ParseCSV reads a CSV file whose first row names the columns (CSVHeaders).
// A row with the wrong number of cells is reported and skipped.
func ParseCSV(r io.Reader) (ImportResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "the CSV file has no header row: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	var missing []string
	for _, need := range []string{"id", "serviceName", "priceMin", "priceUnit"} {
		if _, ok := col[need]; !ok {
			missing = append(missing, need)
		}
	}
	if len(missing) > 0 {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "the CSV header lacks the columns %s (see the documented header names)", strings.Join(missing, ", "))
	}
	c := rowCollector{seen: map[string]int{}, res: ImportResult{Services: []Service{}, Problems: []ImportProblem{}}}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A quoting error leaves the reader's position unreliable, so the
			// rows read so far are kept and the rest is reported unread.
			c.res.Problems = append(c.res.Problems, ImportProblem{Row: row, Problem: "unreadable CSV from this row on: " + err.Error()})
			return c.res, nil
		}
		if len(rec) != len(header) {
			c.res.Rows++
			c.res.Problems = append(c.res.Problems, ImportProblem{Row: row, Field: "", Problem: fmt.Sprintf("has %d cells; the header has %d", len(rec), len(header))})
			continue
		}
		rr := &rowReader{get: func(k string) (string, bool, bool) {
			i, ok := col[k]
			if !ok {
				return "", false, false
			}
			return rec[i], false, true
		}}
		c.add(row, rr)
	}
	return c.res, nil
}

// CSVRow renders a service as a row under CSVHeaders, the inverse of
// ParseCSV, for exporting a catalogue that can be re-imported.
func CSVRow(s Service) []string {
	b := strconv.FormatBool
	max := ""
	if s.PriceMax != nil {
		max = s.PriceMax.String()
	}
	j := func(v []string) string { return strings.Join(v, "|") }
	return []string{s.ID, s.FrameworkSlug, s.Lot, s.SupplierID, s.SupplierName, s.CompaniesHouseNumber, s.DUNSNumber,
		s.ContactName, s.ContactEmail, s.ContactPhone, s.Website,
		s.ServiceName, s.ServiceDescription, j(s.ServiceFeatures), j(s.ServiceBenefits), j(s.ServiceCategories),
		s.PriceMin.String(), max, s.PriceUnit, s.PriceInterval,
		b(s.StandardsISOIEC27001), b(s.StandardsCSASTAR), b(s.StandardsPCI), b(s.StandardsISO28000),
		b(s.CyberEssentials), b(s.CyberEssentialsPlus), j(s.PublicSectorNetworksTypes),
		s.GovernmentSecurityClearances, s.StaffSecurityClearanceChecks, j(s.SecurityGovernanceStandards),
		j(s.DataStorageAndProcessingLocations), b(s.EnergyEfficientDatacentres), s.ServiceDefinitionDocumentURL,
		s.FrameworkExpiry}
}
