package sourcing

import (
	"fmt"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// Kinds of cost line, so that a report, a test or a spreadsheet can pick out
// every line of one kind (all the staff lines, every licence purchase).
const (
	LineService         = "service"
	LineOnboarding      = "onboarding"
	LineHardware        = "hardware"
	LineInstallation    = "installation"
	LineLicence         = "licence"
	LineLicenceSupport  = "licence-support"
	LineSubscription    = "licence-subscription"
	LineMaintenance     = "maintenance"
	LineElectricity     = "electricity"
	LineFacilities      = "facilities"
	LineBackupDR        = "backup-dr"
	LineResidual        = "residual-value"
	LineStaff           = "staff"
	LineTraining        = "training"
	LineNetwork         = "network"
	LineMigration       = "migration"
	LineParallelRunning = "parallel-running"
	LineRetainedOnPrem  = "retained-on-premise"
	LineExit            = "exit"
	LineOther           = "other"
)

// SharedCosts are the costs any option can carry, cloud or on-premise, so
// that neither side of a comparison is costed on a narrower footing: a move
// to the cloud still needs people, training, network changes and a
// migration, may run in parallel with the old system for a while and may
// leave some on-premise costs behind. Amounts are pounds excluding VAT at
// year-0 prices; recurring ones are uplifted by the option's indexation.
// Embedded in both option types, so its fields appear flat in JSON.
type SharedCosts struct {
	StaffFTE               Dec         `json:"staffFte"`
	StaffCostPerFTE        Dec         `json:"staffCostPerFte"` // loaded: salary, on-costs, overheads
	Training               Dec         `json:"training"`        // one-off, year 0
	TrainingPerYear        Dec         `json:"trainingPerYear"`
	NetworkChanges         Dec         `json:"networkChanges"` // one-off connectivity changes, year 0
	NetworkPerYear         Dec         `json:"networkPerYear"`
	Migration              Dec         `json:"migration"` // one-off, year 0
	ParallelRunningPerYear Dec         `json:"parallelRunningPerYear"`
	ParallelRunningYears   int         `json:"parallelRunningYears"`     // from year 0
	RetainedOnPremPerYear  Dec         `json:"retainedOnPremisePerYear"` // every year of the horizon
	Exit                   Dec         `json:"exit"`                     // one-off, last year
	OtherCosts             []OtherCost `json:"otherCosts,omitempty"`
}

// OtherCost is a named cost line with where its figure comes from.
type OtherCost struct {
	Name      string `json:"name"`
	Source    string `json:"source"` // a quote, a budget line, a supplier's letter
	Amount    Dec    `json:"amount"` // once, or per year when recurring
	Recurring bool   `json:"recurring"`
	Year      int    `json:"year"`  // t of the one-off, or of the first recurring year (default 0)
	Years     int    `json:"years"` // recurring: how many years; 0 to the end of the horizon
}

// maxHorizon is the longest horizon a comparison may have.
const maxHorizon = 30

func (s SharedCosts) validate(p *domain.Problems, f string, horizon int) {
	for _, x := range []nv{{"staffFte", s.StaffFTE}, {"staffCostPerFte", s.StaffCostPerFTE}, {"training", s.Training},
		{"trainingPerYear", s.TrainingPerYear}, {"networkChanges", s.NetworkChanges}, {"networkPerYear", s.NetworkPerYear},
		{"migration", s.Migration}, {"parallelRunningPerYear", s.ParallelRunningPerYear},
		{"retainedOnPremisePerYear", s.RetainedOnPremPerYear}, {"exit", s.Exit}} {
		inBounds(p, f+x.n, x.v)
	}
	if s.StaffFTE > DecInt(1000) {
		p.Add(f+"staffFte", "must be at most 1000 full-time equivalents")
	}
	if s.StaffFTE > 0 && s.StaffCostPerFTE == 0 {
		p.Add(f+"staffCostPerFte", "is required with staffFte: the loaded annual cost of one full-time post (salary, on-costs, overheads)")
	}
	if s.ParallelRunningYears < 0 || s.ParallelRunningYears > horizon {
		p.Add(f+"parallelRunningYears", "must be 0 to the horizon (%d years)", horizon)
	}
	if s.ParallelRunningPerYear > 0 && s.ParallelRunningYears == 0 {
		p.Add(f+"parallelRunningYears", "is required with parallelRunningPerYear: how many years, from year 0, both systems run")
	}
	for i, o := range s.OtherCosts {
		g := fmt.Sprintf("%sotherCosts[%d].", f, i)
		if strings.TrimSpace(o.Name) == "" || len(o.Name) > 100 {
			p.Add(g+"name", "is required, at most 100 characters")
		}
		if strings.TrimSpace(o.Source) == "" {
			p.Add(g+"source", "is required: say where the figure comes from (a quote, a budget line, an estimate and who made it)")
		}
		inBounds(p, g+"amount", o.Amount)
		// A line after the horizon is allowed (the horizon may be shortened
		// later) and flagged by the comparison, not dropped unseen.
		if o.Year < 0 || o.Year >= maxHorizon {
			p.Add(g+"year", "must be 0 to %d (t of the year, 0 for the start year)", maxHorizon-1)
		}
		if o.Years < 0 || (!o.Recurring && o.Years != 0) {
			p.Add(g+"years", "is for recurring costs only: 0 (to the end) or a number of years")
		}
	}
}

// lineSet collects one option's cost lines for one year.
type lineSet struct{ lines []CostLine }

// put adds a line of the exact amount, rounded to the penny; a zero line is
// left out so the tables only show what the option costs.
func (l *lineSet) put(kind, item string, pounds exact) {
	l.putSourced(kind, item, "", pounds)
}

func (l *lineSet) putSourced(kind, item, source string, pounds exact) {
	if m := cell(pounds); m != 0 {
		l.lines = append(l.lines, CostLine{Kind: kind, Item: item, Source: source, Amount: m})
	}
}

// sharedLines adds the shared costs that fall in year t; idx is the option's
// indexation factor (1+i)^t.
func (k *comp) sharedLines(y *lineSet, s SharedCosts, t int, idx exact) {
	ix := func(d Dec) exact { return mul(rat(d), idx) }
	if t == 0 {
		y.put(LineTraining, "Training (one-off)", rat(s.Training))
		y.put(LineNetwork, "Network changes (one-off)", rat(s.NetworkChanges))
		y.put(LineMigration, "Migration", rat(s.Migration))
	}
	y.put(LineStaff, "Staff", mul(rat(s.StaffFTE), rat(s.StaffCostPerFTE), idx))
	y.put(LineTraining, "Training", ix(s.TrainingPerYear))
	y.put(LineNetwork, "Network and connectivity", ix(s.NetworkPerYear))
	if t < s.ParallelRunningYears {
		y.put(LineParallelRunning, "Parallel running", ix(s.ParallelRunningPerYear))
	}
	y.put(LineRetainedOnPrem, "Retained on-premise costs", ix(s.RetainedOnPremPerYear))
	for _, o := range s.OtherCosts {
		in := t == o.Year
		if o.Recurring {
			in = t >= o.Year && (o.Years == 0 || t < o.Year+o.Years)
		}
		if in {
			y.putSourced(LineOther, o.Name, o.Source, ix(o.Amount))
		}
	}
	if t == k.horizon-1 {
		y.put(LineExit, "Exit", ix(s.Exit))
	}
}
