package api

import (
	"context"
	"fmt"
	"net/url"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// The forms recording what happened outside a move: a body's decision, the
// award, a notice, a realised saving.

// recordableBodies are the approving bodies of p whose decisions pr may
// record (a council's own bodies, the host's joint bodies, any for admins).
func recordableBodies(ctx context.Context, pp *procurementPages, pr domain.Principal, p appproc.Procurement) ([]procurement.ApprovingBody, error) {
	gov, _, err := pp.svc.Governance(ctx)
	if err != nil {
		return nil, err
	}
	var out []procurement.ApprovingBody
	for _, b := range gov.Bodies {
		if b.Organisation != "" && !p.IsParty(b.Organisation) {
			continue
		}
		if procurement.CanRecordApproval(pr, p.JointProcurement, gov, procurement.Approval{Body: procurement.ApprovalBody(b.ID)}) == nil {
			out = append(out, b)
		}
	}
	return out, nil
}

var approvalAction = procurementAction{path: "approval", title: "Record a decision", done: "approval", button: "Record the decision",
	intro: []string{"Record the decision of a body that approves this procurement: a joint body's by the host's officers, a council's own body's by that council's officers. A later decision of the same body replaces its earlier one."},
	offered: func(pr domain.Principal, p appproc.Procurement) bool {
		return p.State.Open() && procurement.CanRead(pr, p.JointProcurement)
	},
	inputs: func(ctx context.Context, pp *procurementPages, pr domain.Principal, p appproc.Procurement) ([]formInput, url.Values, error) {
		bodies, err := recordableBodies(ctx, pp, pr, p)
		if err != nil {
			return nil, nil, err
		}
		var opts []option
		for _, b := range bodies {
			opts = append(opts, option{Value: b.ID, Text: b.Name})
		}
		return []formInput{versionInput,
			{Name: "body", Label: "Body", Kind: "select", Options: opts},
			{Name: "outcome", Label: "Decision", Kind: "radios", Options: []option{{Value: "approved", Text: "Approved"},
				{Value: "deferred", Text: "Deferred"}, {Value: "refused", Text: "Refused"}}},
			{Name: "date", Label: "Date of the decision", Kind: "date"},
			{Name: "published", Label: "Date the decision notice was published", Hint: "If later than the decision: a call-in period runs from it", Kind: "date"},
			{Name: "reference", Label: "Minute or decision reference", Kind: "text", Width: 20},
		}, versionOf(p), nil
	},
	submit: func(ctx context.Context, pp *procurementPages, c echo.Context, f *pageForm, p appproc.Procurement) error {
		in := appproc.ApprovalInput{Body: procurement.ApprovalBody(f.text("body")), Outcome: procurement.Outcome(f.text("outcome")),
			Date: f.day("date"), Published: f.day("published"), Reference: f.text("reference")}
		if !f.ok() {
			return nil
		}
		_, err := pp.svc.RecordApproval(ctx, actor(c), p.ID, f.version(), given(in))
		return err
	},
}

var awardAction = procurementAction{path: "award", title: "Record the award", done: "award", button: "Save the award",
	intro:   []string{"The evaluated award: the supplier and the whole-life contract value. The move to award decision needs it; the contract dates are needed for the signature."},
	offered: runsLifecycle,
	inputs: func(_ context.Context, _ *procurementPages, _ domain.Principal, p appproc.Procurement) ([]formInput, url.Values, error) {
		v := versionOf(p)
		if len(p.Awards) > 0 {
			a := p.Awards[0]
			v.Set("supplier.name", a.Supplier.Name)
			v.Set("supplier.companiesHouse", a.Supplier.CompaniesHouse)
			v.Set("supplier.charityNumber", a.Supplier.CharityNumber)
			if a.Supplier.SME {
				v.Set("supplier.sme", "yes")
			}
			if a.Supplier.VCSE {
				v.Set("supplier.vcse", "yes")
			}
			for name, amount := range map[string]procurement.Pence{"value": a.Value, "valueIncVat": a.ValueIncVAT, "nonRecoverableVat": a.NonRecoverableVAT} {
				if amount != 0 {
					v.Set(name, amount.String())
				}
			}
			for name, d := range map[string]procurement.Date{"start": a.Start, "end": a.End} {
				if !d.IsZero() {
					v.Set(name, d.String())
				}
			}
		}
		const s, val = "The supplier", "The contract"
		return []formInput{versionInput,
			{Name: "supplier.name", Label: "Supplier's name", Kind: "text", Section: s},
			{Name: "supplier.companiesHouse", Label: "Companies House number", Hint: "8 characters, e.g. 01234567 or SC123456", Kind: "text", Width: 10, Section: s},
			{Name: "supplier.charityNumber", Label: "Charity number", Hint: "For a charity without a Companies House number", Kind: "text", Width: 10, Section: s},
			{Name: "supplier.sme", Label: "The supplier is a small or medium-sized enterprise", Kind: "checkbox", Section: s},
			{Name: "supplier.vcse", Label: "The supplier is a voluntary, community or social enterprise", Kind: "checkbox", Section: s},
			{Name: "value", Label: "Contract value excluding VAT", Hint: "Whole life", Kind: "money", Section: val},
			{Name: "valueIncVat", Label: "Contract value including VAT", Kind: "money", Section: val},
			{Name: "nonRecoverableVat", Label: "VAT the councils cannot recover", Kind: "money", Section: val},
			{Name: "start", Label: "Contract start date", Kind: "date", Section: val},
			{Name: "end", Label: "Contract end date", Hint: "Including extensions", Kind: "date", Section: val},
		}, v, nil
	},
	// One award per procurement on this form: it is the first of the
	// record's awards (the JSON API records several lots).
	strip: func(appproc.Procurement) string { return "awards[0]." },
	submit: func(ctx context.Context, pp *procurementPages, c echo.Context, f *pageForm, p appproc.Procurement) error {
		a := procurement.Award{ID: "a1"}
		if len(p.Awards) > 0 {
			a = p.Awards[0]
		}
		a.Supplier = procurement.Supplier{Name: f.text("supplier.name"), CompaniesHouse: f.text("supplier.companiesHouse"),
			CharityNumber: f.text("supplier.charityNumber"), SME: f.yes("supplier.sme"), VCSE: f.yes("supplier.vcse")}
		a.Value, a.ValueIncVAT, a.NonRecoverableVAT = f.money("value"), f.money("valueIncVat"), f.money("nonRecoverableVat")
		a.Start, a.End = f.day("start"), f.day("end")
		if !f.ok() {
			return nil
		}
		awards := append([]procurement.Award{a}, p.Awards[min(1, len(p.Awards)):]...)
		_, err := pp.svc.Patch(ctx, actor(c), p.ID, f.version(), patchOf(map[string]any{"awards": awards}))
		return err
	},
}

var noticeAction = procurementAction{path: "notice", title: "Record a published notice", done: "notice", button: "Record the notice",
	intro:   []string{"Notices published with a move are recorded by the move. Record here a notice due by a date, such as the contract details notice within 30 days of signature."},
	offered: runsLifecycle,
	inputs: func(_ context.Context, _ *procurementPages, _ domain.Principal, p appproc.Procurement) ([]formInput, url.Values, error) {
		opts := []option{}
		for _, n := range procurement.AllNotices {
			opts = append(opts, option{Value: string(n), Text: noticeName(n), Selected: n == procurement.NoticeContractDetails})
		}
		return []formInput{versionInput,
			{Name: "notice", Label: "Notice", Kind: "select", Options: opts},
			{Name: "published", Label: "Date it was published", Kind: "date"},
			{Name: "url", Label: "Web address of the notice", Hint: "On Find a Tender or Contracts Finder", Kind: "text"},
		}, versionOf(p), nil
	},
	strip: func(p appproc.Procurement) string {
		return fmt.Sprintf("publishedNotices[%d].", len(p.PublishedNotices))
	},
	submit: func(ctx context.Context, pp *procurementPages, c echo.Context, f *pageForm, p appproc.Procurement) error {
		n := procurement.PublishedNotice{Notice: procurement.Notice(f.text("notice")), Published: f.day("published"), URL: f.text("url")}
		if !f.ok() {
			return nil
		}
		notices := append(append([]procurement.PublishedNotice{}, p.PublishedNotices...), n)
		_, err := pp.svc.Patch(ctx, actor(c), p.ID, f.version(), patchOf(map[string]any{"publishedNotices": notices}))
		return err
	},
}

var savingAction = procurementAction{path: "saving", title: "Record a realised saving", done: "saving", button: "Record the saving",
	intro: []string{"A saving measured after go-live, over a period that has ended: the host's officers record any council's, a partner's officers their own council's."},
	offered: func(pr domain.Principal, p appproc.Procurement) bool {
		return (p.State == procurement.StateLive || p.State == procurement.StateClosed) && procurement.CanRead(pr, p.JointProcurement)
	},
	inputs: func(ctx context.Context, pp *procurementPages, pr domain.Principal, p appproc.Procurement) ([]formInput, url.Values, error) {
		names, err := pp.names(ctx)
		if err != nil {
			return nil, nil, err
		}
		var orgs []option
		for _, o := range p.Parties() {
			if procurement.CanRunLifecycle(pr, p.JointProcurement) == nil || o == pr.Organisation {
				orgs = append(orgs, option{Value: o, Text: names[o]})
			}
		}
		return []formInput{versionInput,
			{Name: "organisation", Label: "Council", Kind: "select", Options: orgs},
			{Name: "from", Label: "Period from", Kind: "date"},
			{Name: "to", Label: "Period to", Kind: "date"},
			{Name: "amount", Label: "Saving over the period", Kind: "money"},
			{Name: "note", Label: "How it was measured", Kind: "textarea"},
		}, versionOf(p), nil
	},
	submit: func(ctx context.Context, pp *procurementPages, c echo.Context, f *pageForm, p appproc.Procurement) error {
		in := appproc.RealisedSavingInput{Organisation: f.text("organisation"), From: f.day("from"), To: f.day("to"),
			Amount: f.money("amount"), Note: f.text("note")}
		if !f.ok() {
			return nil
		}
		_, err := pp.svc.RecordRealisedSaving(ctx, actor(c), p.ID, f.version(), given(in))
		return err
	},
}
