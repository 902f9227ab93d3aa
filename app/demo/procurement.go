package demo

import (
	"context"
	"fmt"
	"time"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain/procurement"
)

// References of the sample's joint procurements.
var (
	// HostingRef is the procurement the demo leaves mid-lifecycle: NEDDC
	// hosting the partners' servers and moving the three councils off
	// Office 2007 and Windows Server 2003, in evaluation with one
	// partner's Key Decision still to come.
	HostingRef = "JICT-SAMPLE-014"
	// PrintRef is a finished one: contract signed and live, with a saving.
	PrintRef = "JICT-SAMPLE-007"
	// FirewallRef is one in planning.
	FirewallRef = "JICT-SAMPLE-021"
)

// estateCSV are the councils' estate registers as their spreadsheets
// export them. NEDDC and BDC still run Windows Server 2003 and Office 2007,
// long out of support, which is what the sample's comparison and the
// hosting procurement replace; DDDC's estate is newer.
var estateCSV = map[string]string{
	"neddc": "Asset ID,Type,Product,Version,Vendor,Qty,Purchase date,Unit cost,Refresh cycle,Licence,Watts,Site,Notes\r\n" +
		"neddc-fs,Servers,Windows Server 2003,R2,Microsoft,4,01/05/2012,6000.00,5,,350,Mill Lane server room,Sample: file and print servers\r\n" +
		"neddc-app,Servers,Windows Server 2003,R2 SP2,Microsoft,3,14/09/2011,7500.00,5,,420,Mill Lane server room,Sample: line-of-business application servers\r\n" +
		"neddc-office,software,Office 2007,Standard,Microsoft,250,2008-01-01,180.00,,perpetual,,,Sample: desktop office suite\r\n" +
		"neddc-san,storage,Storage array,12 TB,Sample Storage Co,1,2016-03-01,28000.00,7,,900,Mill Lane server room,Sample\r\n" +
		"neddc-switch,network,Core switch,48-port,Sample Networks,2,2018-06-01,9000.00,8,,150,Mill Lane comms room,Sample\r\n",
	"bdc": "Asset ID,Type,Product,Version,Vendor,Qty,Purchase date,Unit cost,Refresh cycle,Licence,Watts,Site,Notes\r\n" +
		"bdc-srv,Servers,Windows Server 2003,R2,Microsoft,3,01/09/2011,5500.00,5,,400,Sherwood Lodge server room,Sample: file and application servers\r\n" +
		"bdc-office,software,Office Professional Plus 2007,,Microsoft,200,2009-04-01,180.00,,perpetual,,,Sample: desktop office suite\r\n" +
		"bdc-laptops,laptop,Laptop,Windows 10,Sample Devices,180,2020-10-01,750.00,5,,45,,Sample: staff laptops\r\n",
	"dddc": "Asset ID,Type,Product,Version,Vendor,Qty,Purchase date,Unit cost,Refresh cycle,Licence,Watts,Site,Notes\r\n" +
		"dddc-hosts,Servers,Windows Server 2019,Datacenter,Microsoft,2,2020-02-01,14000.00,6,,500,Town Hall server room,Sample: virtualisation hosts\r\n" +
		"dddc-wifi,network,Wireless access points,Wi-Fi 6,Sample Networks,24,2022-05-01,420.00,6,,15,Town Hall,Sample\r\n",
}

// estates imports each council's register through the estate import, so
// its problems and repairs are reported as an officer's would be.
func (l *loader) estates(ctx context.Context) error {
	assets := 0
	for _, org := range []string{"neddc", "bdc", "dddc"} {
		body := []byte(estateCSV[org])
		res, err := l.a.Procurement.ImportAssets(ctx, actor, org, func() (string, []byte, error) { return "csv", body, nil })
		if err != nil {
			return fmt.Errorf("%s: %w", org, err)
		}
		if len(res.Problems) > 0 {
			return fmt.Errorf("%s: the sample register has problems: %+v", org, res.Problems)
		}
		assets += res.Created + res.Updated
	}
	l.done = fmt.Sprintf("%d asset lines (Windows Server 2003 and Office 2007 at NEDDC and BDC)", assets)
	return nil
}

// years are amounts for consecutive financial years from the current one
// plus from.
func (l *loader) years(from int, amounts ...string) []map[string]string {
	fy := procurement.FinancialYearOf(procurement.DateOf(l.today))
	out := make([]map[string]string, len(amounts))
	for i, a := range amounts {
		out[i] = map[string]string{"year": (fy + procurement.FinancialYear(from+i)).String(), "amount": a}
	}
	return out
}

func (l *loader) procurements(ctx context.Context) error {
	l.procurementIDs = map[string]string{}
	for _, run := range []func(context.Context) error{l.printProcurement, l.hostingProcurement, l.firewallProcurement} {
		if err := run(ctx); err != nil {
			return err
		}
	}
	l.done = "3 (one live, one in evaluation awaiting BDC's Key Decision, one in planning)"
	return nil
}

// create adds a procurement and runs its moves, each dated days ago.
func (l *loader) create(ctx context.Context, in map[string]any, moves ...move) (appproc.Procurement, error) {
	p, err := l.a.Procurement.Create(ctx, actor, decoder(in))
	if err != nil {
		return p, fmt.Errorf("%s: %w", in["reference"], err)
	}
	l.procurementIDs[p.Reference] = p.ID
	for _, m := range moves {
		if p, err = l.move(ctx, p.ID, m); err != nil {
			return p, fmt.Errorf("%s to %s: %w", in["reference"], m.to, err)
		}
	}
	return p, nil
}

type move struct {
	to, reason string
	daysAgo    int
}

func (l *loader) move(ctx context.Context, id string, m move) (appproc.Procurement, error) {
	return l.a.Procurement.Transition(ctx, actor, id, 0, decoder(map[string]any{"to": m.to, "reason": m.reason,
		"at": l.daysAgo(m.daysAgo).Format(time.RFC3339)}))
}

// approve records a decision of body (a joint body, or a council's
// Key Decision body) days ago.
func (l *loader) approve(ctx context.Context, id, body, reference string, daysAgo int) error {
	_, err := l.a.Procurement.RecordApproval(ctx, actor, id, 0, decoder(map[string]any{"body": body, "outcome": "approved",
		"date": l.dayAgo(daysAgo), "reference": reference}))
	if err != nil {
		return fmt.Errorf("approval of %s: %w", body, err)
	}
	return nil
}

// printProcurement is the finished one: a managed print service called
// off a framework, awarded, signed, live and saving money.
func (l *loader) printProcurement(ctx context.Context) error {
	p, err := l.create(ctx, map[string]any{"reference": PrintRef, "title": "Managed print service for the three councils (sample)",
		"description": SampleNote + " Multi-function devices, print management software and consumables for every office of the partners.",
		"category":    "services", "cpv": []string{"79820000-8", "30120000-6"}, "partners": []string{"bdc", "dddc"},
		"route": "frameworkCallOff", "framework": "Print management services framework (sample)", "estimatedValue": "240000.00",
		"estimatedValueIncVat": "288000.00", "termMonths": 48, "shares": map[string]any{"method": "equal"},
		"baseline": map[string]string{"neddc": "31000.00", "bdc": "27500.00", "dddc": "24000.00"}},
		move{"planning", "Soft market test complete", 420}, move{"tender", "Further competition issued to the framework's suppliers", 410},
		move{"evaluation", "Four bids received", 390})
	if err != nil {
		return err
	}
	for i, body := range []string{"jointManagementTeam", "ictSharedServiceCommittee", "neddc-cabinet", "bdc-executive", "dddc-committee"} {
		if err := l.approve(ctx, p.ID, body, fmt.Sprintf("SAMPLE/%d", 101+i), 380-i); err != nil {
			return err
		}
	}
	award := map[string]any{"awards": []map[string]any{{"id": "print", "value": "228000.00", "valueIncVat": "273600.00",
		"nonRecoverableVat": "0.00", "start": l.dayAgo(330), "end": l.daysAgo(330).AddDate(4, 0, -1).Format(time.DateOnly),
		"supplier": map[string]any{"name": "Peak Document Solutions Ltd (sample)", "companiesHouse": "99000007", "sme": true, "vcse": false}}}}
	if _, err := l.a.Procurement.Patch(ctx, actor, p.ID, 0, decoder(award)); err != nil {
		return fmt.Errorf("%s award: %w", PrintRef, err)
	}
	for _, m := range []move{{"awardDecision", "Most economically advantageous tender", 360}, {"contractSigned", "Signed after standstill", 340},
		{"live", "Service started", 330}} {
		if _, err := l.move(ctx, p.ID, m); err != nil {
			return fmt.Errorf("%s to %s: %w", PrintRef, m.to, err)
		}
	}
	notice := map[string]any{"publishedNotices": []map[string]any{{"notice": "contractDetailsNotice", "published": l.dayAgo(335),
		"url": "https://www.find-tender.service.gov.uk/"}}}
	if _, err := l.a.Procurement.Patch(ctx, actor, p.ID, 0, decoder(notice)); err != nil {
		return fmt.Errorf("%s notice: %w", PrintRef, err)
	}
	for _, org := range []string{"neddc", "bdc", "dddc"} {
		_, err := l.a.Procurement.RecordRealisedSaving(ctx, actor, p.ID, 0, decoder(map[string]any{"organisation": org,
			"from": l.dayAgo(330), "to": l.dayAgo(150), "amount": "4100.00", "note": "Sample: fewer devices, cheaper consumables"}))
		if err != nil {
			return fmt.Errorf("%s saving: %w", PrintRef, err)
		}
	}
	return nil
}

// hostingProcurement is the one mid-lifecycle: NEDDC procures hosting and
// Microsoft 365 for the partners; evaluation is done, four of the five
// bodies have approved, and BDC's Executive has yet to take its Key
// Decision, so the assessment says what is next.
func (l *loader) hostingProcurement(ctx context.Context) error {
	p, err := l.create(ctx, map[string]any{"reference": HostingRef,
		"title":       "Hosting and Microsoft 365 for the partners, replacing Windows Server 2003 and Office 2007 (sample)",
		"description": SampleNote + " NEDDC, as host of the Joint ICT Service, procures cloud hosting of the partners' line-of-business servers and Microsoft 365 for the three councils, retiring Windows Server 2003 and Office 2007.",
		"category":    "services", "cpv": []string{"72415000-7", "48000000-8"}, "partners": []string{"bdc", "dddc"},
		"route": "frameworkCallOff", "framework": "G-Cloud 14 (RM1557.14)", "lot": "Lot 1 and Lot 2 (sample)",
		"estimatedValue": "1150000.00", "estimatedValueIncVat": "1380000.00", "termMonths": 60,
		"shares":         map[string]any{"method": "driver", "driver": "users", "counts": map[string]int{"neddc": 450, "bdc": 350, "dddc": 200}},
		"baseline":       map[string]string{"neddc": "118000.00", "bdc": "96000.00", "dddc": "51000.00"},
		"replacesAssets": []string{"neddc-fs", "neddc-app", "neddc-office", "bdc-srv", "bdc-office"},
		"milestones": []map[string]any{{"id": "bdc-exec", "title": "BDC Executive Key Decision (sample)", "type": "approval", "due": l.dayAgo(-10)},
			{"id": "go-live", "title": "Migration complete (sample)", "type": "delivery", "due": l.dayAgo(-200)}}},
		move{"planning", "Outline business case agreed by the Joint Management Team", 90},
		move{"tender", "Requirements published to G-Cloud suppliers", 70},
		move{"evaluation", "Three compliant responses", 35})
	if err != nil {
		return err
	}
	for _, a := range []struct {
		body, ref string
		days      int
	}{{"jointManagementTeam", "JMT/SAMPLE/12", 30}, {"ictSharedServiceCommittee", "ICTSSC/SAMPLE/4", 24},
		{"neddc-cabinet", "PW/SAMPLE/15/NB", 20}, {"dddc-committee", "DDC/SAMPLE/33", 16}} {
		if err := l.approve(ctx, p.ID, a.body, a.ref, a.days); err != nil {
			return err
		}
	}
	_, err = l.a.Procurement.SetCashLines(ctx, actor, p.ID, 0, decoder([]map[string]any{
		{"id": "migration", "description": "Migration of servers and mailboxes", "kind": "service", "amounts": l.years(0, "60000.00")},
		{"id": "m365", "description": "Microsoft 365 E3 subscriptions", "kind": "subscription",
			"amounts": l.years(1, "150000.00", "150000.00", "150000.00", "150000.00")},
		{"id": "hosting", "description": "Hosted virtual servers", "kind": "subscription",
			"amounts": l.years(1, "48000.00", "48000.00", "48000.00", "48000.00")},
	}))
	if err != nil {
		return fmt.Errorf("%s cash lines: %w", HostingRef, err)
	}
	return nil
}

// firewallProcurement is at its start: planning a quotation.
func (l *loader) firewallProcurement(ctx context.Context) error {
	_, err := l.create(ctx, map[string]any{"reference": FirewallRef, "title": "Replacement firewalls at the three councils (sample)",
		"description": SampleNote + " Next-generation firewalls for each council's internet and partner links.",
		"category":    "goods", "cpv": []string{"32428000-9"}, "partners": []string{"bdc", "dddc"},
		"route": "belowThresholdQuotation", "estimatedValue": "85000.00", "estimatedValueIncVat": "102000.00", "termMonths": 36,
		"shares": map[string]any{"method": "equal"}},
		move{"planning", "Requirements being written", 6})
	return err
}

// capitalProgrammes adds the officers' own lines and freezes each
// programme as reviewed a month ago; a line changed since then shows in the
// differences from the review.
func (l *loader) capitalProgrammes(ctx context.Context) error {
	lines := []struct {
		org, id string
		line    map[string]any
	}{
		{"neddc", "switches", map[string]any{"description": "Core network switches (sample)", "kind": "hardware", "amounts": l.years(2, "20000.00")}},
		{"bdc", "laptops", map[string]any{"description": "Staff laptop refresh (sample)", "kind": "hardware", "amounts": l.years(1, "67500.00", "67500.00")}},
		{"dddc", "wifi", map[string]any{"description": "Town Hall Wi-Fi extension (sample)", "kind": "hardware", "amounts": l.years(1, "8400.00")}},
	}
	for _, ml := range lines {
		if _, err := l.a.Procurement.SetManualLine(ctx, actor, ml.org, ml.id, decoder(ml.line)); err != nil {
			return fmt.Errorf("%s line %s: %w", ml.org, ml.id, err)
		}
	}
	for _, org := range []string{"neddc", "bdc", "dddc"} {
		_, err := l.a.Procurement.Review(ctx, actor, org, decoder(map[string]any{"approvedBy": "Joint Management Team (sample)",
			"body": "Joint ICT Committee", "minute": "JICT/SAMPLE/" + org, "date": l.dayAgo(30)}))
		if err != nil {
			return fmt.Errorf("%s review: %w", org, err)
		}
	}
	// Since the review the switches slipped a year and grew.
	slipped := map[string]any{"description": "Core network switches (sample)", "kind": "hardware", "amounts": l.years(3, "24000.00")}
	if _, err := l.a.Procurement.SetManualLine(ctx, actor, "neddc", "switches", decoder(slipped)); err != nil {
		return fmt.Errorf("neddc line switches: %w", err)
	}
	l.done = "3 programmes, each reviewed a month ago; NEDDC's switches have slipped since"
	return nil
}
