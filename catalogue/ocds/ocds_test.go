package ocds

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/catalogue/ocds/ocdstest"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/internal/testref"
)

var cfg = Config{Prefix: "ocds-abc123-", PublisherName: "North East Derbyshire District Council",
	PublisherURI: "https://www.ne-derbyshire.gov.uk", BaseURI: "https://api.example.gov.uk/ocds"}

func orgs() map[string]domain.Organisation {
	m := map[string]domain.Organisation{}
	for _, o := range domain.SeedOrganisations() {
		m[o.ID] = o
	}
	return m
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// lifecycle walks a procurement through its life, publishing a release per
// change the way the service does, and returns the releases.
func lifecycle(t *testing.T, ref string, stopAt procurement.State, cancel bool) []Release {
	t.Helper()
	rs, _ := procurement.RuleSetAt(procurement.DefaultRuleSets(), procurement.NewDate(2026, 3, 1))
	env := func(now time.Time) procurement.Env {
		return procurement.Env{Rules: rs, Calendar: procurement.EnglandAndWales, Governance: procurement.SeedGovernance(), Now: now}
	}
	p := procurement.JointProcurement{
		Reference: ref, Title: "Service desk platform", Description: "Shared ITSM tool", Category: procurement.Services,
		CPV: []string{"72000000-5", "48000000-8"}, Host: "neddc", Partners: []string{"bdc", "dddc"},
		Route: procurement.RouteCompetitiveFlexible, EstimatedValue: procurement.Pounds(300000),
		EstimatedValueIncVAT: procurement.Pounds(360000), TermMonths: 36, Shares: procurement.ShareBasis{Method: procurement.ShareEqual},
		State:      procurement.StatePipeline,
		Documents:  []procurement.Link{{ID: "pme", Title: "Market engagement notice", URL: "https://www.find-tender.service.gov.uk/x", Type: "marketStudies"}},
		Milestones: []procurement.Milestone{{ID: "jmt", Title: "JMT approval", Type: "approval", Due: procurement.NewDate(2026, 2, 1)}},
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	var out []Release
	prev := procurement.State("")
	publish := func(when time.Time) {
		ch := Change{Seq: len(out) + 1, At: when, PrevState: prev}
		if len(out) > 0 {
			ch.PrevDate = out[len(out)-1].Date
		}
		r, err := NewRelease(p, orgs(), cfg, ch)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
		prev = p.State
	}
	publish(at("2026-01-10T09:00:00Z"))
	steps := []struct {
		to   procurement.State
		when string
	}{
		{procurement.StatePlanning, "2026-02-02T09:00:00Z"}, {procurement.StateTender, "2026-03-02T09:00:00Z"},
		{procurement.StateEvaluation, "2026-04-07T09:00:00Z"}, {procurement.StateAwardDecision, "2026-05-01T09:00:00Z"},
		{procurement.StateContractSigned, "2026-05-20T09:00:00Z"}, {procurement.StateLive, "2026-07-01T09:00:00Z"},
		{procurement.StateClosed, "2028-06-30T17:00:00Z"},
	}
	for _, s := range steps {
		if cancel && p.State == stopAt {
			when := at(s.when)
			if err := p.Transition(procurement.Move{To: procurement.StateCancelled, By: "o", At: when, Reason: "budget withdrawn"}, env(when)); err != nil {
				t.Fatal(err)
			}
			publish(when)
			return out
		}
		if s.to == procurement.StateAwardDecision {
			p.Awards = []procurement.Award{{ID: "a1", Supplier: procurement.Supplier{Name: "Helpdesk Ltd", CompaniesHouse: "01234567", SME: true},
				Value: procurement.Pence(27000001), ValueIncVAT: procurement.Pence(32400001), Start: procurement.NewDate(2026, 7, 1),
				End: procurement.NewDate(2029, 6, 30), Review: procurement.NewDate(2028, 7, 1)}}
			// Every body decided on 14 April, after the evaluation began.
			e := env(at("2026-04-14T17:00:00Z"))
			for _, id := range procurement.Assess(p, e).RequiredApprovals {
				a := procurement.Approval{Body: procurement.ApprovalBody(id), Outcome: procurement.OutcomeApproved, Date: procurement.NewDate(2026, 4, 14), RecordedBy: "k"}
				if err := p.RecordApproval(a, e.Governance, e.Today()); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := p.Transition(procurement.Move{To: s.to, By: "o", At: at(s.when), Reason: "next stage"}, env(at(s.when))); err != nil {
			t.Fatal(err)
		}
		publish(at(s.when))
		if s.to == procurement.StateTender {
			// An edit during the tender: a tenderUpdate release with a new document.
			p.Documents = append(p.Documents, procurement.Link{ID: "itt", Title: "Invitation to tender", URL: "https://example.gov.uk/itt.pdf", Type: "tenderNotice"})
			publish(at("2026-03-03T09:00:00Z"))
		}
		if !cancel && p.State == stopAt {
			break
		}
	}
	return out
}

func allReleases(t *testing.T) []Release {
	full := lifecycle(t, "JICT-2026-001", procurement.StateClosed, false)
	cancelledTender := lifecycle(t, "JICT-2026-002", procurement.StateTender, true)
	cancelledLive := lifecycle(t, "JICT-2026-003", procurement.StateLive, true)
	cancelledAward := lifecycle(t, "JICT-2026-004", procurement.StateAwardDecision, true)
	return append(append(append(full, cancelledTender...), cancelledLive...), cancelledAward...)
}

func TestTagsFollowTheLifecycle(t *testing.T) {
	var tags []string
	for _, r := range lifecycle(t, "JICT-2026-001", procurement.StateClosed, false) {
		tags = append(tags, r.Tag...)
	}
	want := "planning planningUpdate tender tenderUpdate tenderUpdate award contract implementation implementationUpdate"
	if got := strings.Join(tags, " "); got != want {
		t.Errorf("tags %s\nwant %s", got, want)
	}
	last := func(rs []Release) string { return rs[len(rs)-1].Tag[0] }
	if g := last(lifecycle(t, "X-2", procurement.StateTender, true)); g != "tenderCancellation" {
		t.Errorf("cancelled in tender: %s", g)
	}
	if g := last(lifecycle(t, "X-3", procurement.StateAwardDecision, true)); g != "awardCancellation" {
		t.Errorf("cancelled in standstill: %s", g)
	}
	if g := last(lifecycle(t, "X-4", procurement.StateLive, true)); g != "contractTermination" {
		t.Errorf("cancelled when live: %s", g)
	}
}

func TestIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range allReleases(t) {
		key := r.OCID + "#" + r.ID
		if seen[key] || strings.Contains(r.ID, "#") {
			t.Errorf("release id %s repeated or contains #", r.ID)
		}
		seen[key] = true
		if !strings.HasPrefix(r.OCID, cfg.Prefix) {
			t.Errorf("ocid %s lacks the prefix", r.OCID)
		}
	}
	if _, err := NewRecord(append(lifecycle(t, "D-1", procurement.StatePlanning, false), lifecycle(t, "D-1", procurement.StatePlanning, false)...)); err == nil {
		t.Error("a record with repeated release ids was built")
	}
}

func TestCompiledRecordIsTheMergeOfItsReleases(t *testing.T) {
	rels := lifecycle(t, "JICT-2026-001", procurement.StateClosed, false)
	rec, err := NewRecord(rels)
	if err != nil {
		t.Fatal(err)
	}
	var folded map[string]any
	for _, r := range rels {
		g, _ := toGeneric(r)
		delete(g, "id")
		delete(g, "date")
		delete(g, "tag")
		folded = Merge(folded, g)
	}
	folded["tag"] = []any{"compiled"}
	folded["date"] = rels[len(rels)-1].Date
	folded["id"] = rels[len(rels)-1].OCID + "-" + rels[len(rels)-1].Date
	if !reflect.DeepEqual(folded, rec.CompiledRelease) {
		t.Fatal("compiled release differs from the merge of the releases")
	}
	c := rec.CompiledRelease
	tender := c["tender"].(map[string]any)
	if len(tender["documents"].([]any)) != 2 || tender["status"] != "complete" {
		t.Errorf("tender %v", tender)
	}
	contract := c["contracts"].([]any)[0].(map[string]any)
	if contract["status"] != "terminated" || contract["value"].(map[string]any)["amount"].(json.Number) != "270000.01" {
		t.Errorf("contract %v", contract)
	}
	if len(c["parties"].([]any)) != 4 {
		t.Errorf("parties %v", c["parties"])
	}
}

func TestMergeRules(t *testing.T) {
	parse := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := parse(`{"tender":{"title":"A","status":"active","items":[{"id":"1","description":"x","additionalClassifications":[{"id":"c1"},{"id":"c2"}]}]},
		"parties":[{"id":"p1","name":"One","roles":["buyer","procuringEntity"]},{"id":"p2","name":"Two"}],"keep":[1,2,3]}`)
	b := parse(`{"tender":{"status":null,"items":[{"id":"1","additionalClassifications":[{"id":"c3"}]},{"id":"2"}]},
		"parties":[{"id":"p2","roles":["supplier"]},{"id":"p3","name":"Three"}],"keep":[4],"new":{"x":null,"y":1}}`)
	want := parse(`{"tender":{"title":"A","items":[{"id":"1","description":"x","additionalClassifications":[{"id":"c3"}]},{"id":"2"}]},
		"parties":[{"id":"p1","name":"One","roles":["buyer","procuringEntity"]},{"id":"p2","name":"Two","roles":["supplier"]},{"id":"p3","name":"Three"}],
		"keep":[4],"new":{"y":1}}`)
	if got := Merge(a, b); !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		t.Errorf("merge gave %s", g)
	}
	if _, ok := a["tender"].(map[string]any)["status"]; !ok {
		t.Error("merge changed its input")
	}
}

func TestPackagesValidateAgainstOCDSSchemas(t *testing.T) {
	c := ocdstest.Schemas(t)
	rels := allReleases(t)
	published := at("2026-06-01T00:00:00Z")
	ocdstest.Validate(t, c, "release-package-schema.json", NewReleasePackage(cfg, cfg.BaseURI+"/releases", published, rels))
	rp, err := NewRecordPackage(cfg, cfg.BaseURI+"/records", published, rels)
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Records) != 4 {
		t.Fatalf("%d records, want 4", len(rp.Records))
	}
	ocdstest.Validate(t, c, "record-package-schema.json", rp)

	// The validator really checks: a release without initiationType fails.
	bad := rels[0]
	bad.InitiationType = ""
	if ocdstest.Check(t, c, "release-schema.json", bad) == nil {
		t.Error("a release with an empty initiationType validated")
	}
}

func codelist(t *testing.T, name string) map[string]bool {
	f, err := os.Open(filepath.Join(testref.Shared(t, "reference/ocds/codelists"), name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := 0
	for i, h := range rows[0] {
		if h == "Code" {
			col = i
		}
	}
	out := map[string]bool{}
	for _, r := range rows[1:] {
		out[r[col]] = true
	}
	return out
}

func TestCodelistValues(t *testing.T) {
	lists := map[string]map[string]bool{}
	for _, n := range []string{"releaseTag", "initiationType", "tenderStatus", "method", "procurementCategory", "awardStatus",
		"contractStatus", "partyRole", "currency", "milestoneType", "milestoneStatus", "documentType", "itemClassificationScheme"} {
		lists[n] = codelist(t, n)
	}
	check := func(list, v, where string) {
		if !lists[list][v] {
			t.Errorf("%s: %q is not in codelist %s", where, v, list)
		}
	}
	for _, r := range allReleases(t) {
		for _, tag := range r.Tag {
			check("releaseTag", tag, r.ID)
		}
		check("initiationType", r.InitiationType, r.ID)
		for _, p := range r.Parties {
			for _, role := range p.Roles {
				check("partyRole", role, r.ID+" parties")
			}
		}
		tn := r.Tender
		check("tenderStatus", tn.Status, r.ID)
		check("method", tn.ProcurementMethod, r.ID)
		check("procurementCategory", tn.MainProcurementCategory, r.ID)
		check("currency", tn.Value.Currency, r.ID)
		for _, it := range tn.Items {
			check("itemClassificationScheme", it.Classification.Scheme, r.ID)
		}
		for _, d := range tn.Documents {
			check("documentType", d.DocumentType, r.ID)
		}
		ms := append([]Milestone{}, tn.Milestones...)
		for _, a := range r.Awards {
			check("awardStatus", a.Status, r.ID)
		}
		for _, c := range r.Contracts {
			check("contractStatus", c.Status, r.ID)
			ms = append(ms, c.Milestones...)
			if c.Implementation != nil {
				ms = append(ms, c.Implementation.Milestones...)
			}
		}
		for _, m := range ms {
			check("milestoneType", m.Type, r.ID)
			check("milestoneStatus", m.Status, r.ID)
		}
	}
}

func TestPartiesAndRoles(t *testing.T) {
	rels := lifecycle(t, "JICT-2026-001", procurement.StateContractSigned, false)
	r := rels[len(rels)-1]
	roles := map[string]string{}
	for _, p := range r.Parties {
		roles[p.ID] = strings.Join(p.Roles, ",")
	}
	want := map[string]string{"GB-LAE-NED": "buyer,procuringEntity", "GB-LAE-BOS": "buyer", "GB-LAE-DEB": "buyer", "GB-COH-01234567": "supplier"}
	if !reflect.DeepEqual(roles, want) {
		t.Errorf("roles %v", roles)
	}
	if r.Parties[3].Identifier == nil || r.Parties[3].Identifier.Scheme != "GB-COH" {
		t.Errorf("supplier identifier %+v", r.Parties[3].Identifier)
	}
	if r.Awards[0].Value.Amount != Amount(27000001) || r.Contracts[0].Period.StartDate != "2026-07-01T00:00:00Z" {
		t.Errorf("award %+v contract %+v", r.Awards[0], r.Contracts[0])
	}
	if _, err := NewRelease(procurement.JointProcurement{Host: "nobody"}, orgs(), cfg, Change{Seq: 1, At: time.Now()}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("unknown host: %v", err)
	}
}

func TestConfigCheck(t *testing.T) {
	if err := cfg.Check(); err != nil {
		t.Error(err)
	}
	bad := Config{Prefix: "abc-"}
	err := bad.Check()
	var de *domain.Error
	if !errorsAs(err, &de) || len(de.Fields) != 3 {
		t.Errorf("bad config: %v", err)
	}
	if got := fmt.Sprint(cfg.OCID(procurement.JointProcurement{Reference: "R-1"})); got != "ocds-abc123-R-1" {
		t.Errorf("ocid %s", got)
	}
}

func errorsAs(err error, target **domain.Error) bool {
	e, ok := err.(*domain.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestStoredReleaseDecodesToWhatWasPublished(t *testing.T) {
	for _, r := range lifecycle(t, "JICT-2026-001", procurement.StateClosed, false) {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Release
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(back)
		if string(again) != string(b) {
			t.Fatalf("release %s changed through JSON:\n%s\n%s", r.ID, b, again)
		}
	}
}
