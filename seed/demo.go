// Package seed loads data that lets people try NAP Tracker and measure it:
// a believable demonstration plan whose dates follow today's date, and large
// synthetic plans for benchmarks. Both are deterministic.
package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// DemoPlanCode is the code of the demo plan, so that commands and tests can find it.
const DemoPlanCode = "NPA-TIP-DEMO"

// demoSeed fixes the random numbers of the demo plan, so that two loads with
// the same date give the same data.
const demoSeed = 0x4e4150_2015

// Summary counts what a load created, so that commands can report it.
// Organisations counts those the plan uses, reused or created.
type Summary struct {
	PlanID        int64
	Organisations int
	Pillars       int
	Objectives    int
	Activities    int
	Indicators    int
	Periods       int
	Values        int
	Updates       int
}

// counts is what goes into the plan's audit entry.
func (s *Summary) counts() map[string]any {
	return map[string]any{
		"organisations": s.Organisations, "pillars": s.Pillars, "objectives": s.Objectives,
		"activities": s.Activities, "indicators": s.Indicators, "periods": s.Periods,
		"values": s.Values, "updates": s.Updates,
	}
}

// Demo loads the demonstration plan with dates placed relative to today (a
// UTC date): the plan runs from three years before today's year to the year
// after, the past periods are reported and validated, and the last two show
// every workflow state. It returns models.ErrConflict if a plan with
// DemoPlanCode already exists. Organisations are reused if an organisation
// with the same acronym already exists.
func Demo(ctx context.Context, db *gorm.DB, today time.Time) (*Summary, error) {
	var sum *Summary
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		sum, err = loadDemo(tx, dateOf(today))
		return err
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// demoActivity is a created activity with what its reports need.
type demoActivity struct {
	spec       *activitySpec
	model      domain.Activity
	supporters []int64
}

// demoIndicator is a created indicator with its generated values.
type demoIndicator struct {
	spec   *indicatorSpec
	model  domain.Indicator
	points []point
	act    *demoActivity // nil for outcome indicators
}

// demoLoad holds what the steps of loading the demo plan share.
type demoLoad struct {
	tx         *gorm.DB
	today      time.Time
	setup      time.Time // when the plan was entered, before it started
	plan       domain.Plan
	orgs       map[string]int64
	sets       map[string]domain.DisaggregationSet
	periods    []domain.ReportingPeriod
	objectives map[string]int64
	activities []*demoActivity
	indicators []*demoIndicator
	sum        Summary
}

// loadDemo writes the whole demo plan inside tx.
func loadDemo(tx *gorm.DB, today time.Time) (*Summary, error) {
	if err := requireNewPlan(tx, DemoPlanCode); err != nil {
		return nil, err
	}
	start, end := today.Year()-3, today.Year()+1
	l := &demoLoad{tx: tx, today: today, setup: domain.Date(start-1, time.November, 14).Add(10 * time.Hour)}
	var err error
	if l.orgs, err = ensureOrgs(tx, demoOrgs, l.setup); err != nil {
		return nil, err
	}
	if l.sets, err = ensureSets(tx, l.setup); err != nil {
		return nil, err
	}
	l.plan = domain.Plan{
		Code: DemoPlanCode,
		Title: fmt.Sprintf("National Plan of Action on Prevention and Suppression of Trafficking in Persons %d–%d (demonstration data)",
			start, end),
		Description: "DEMONSTRATION DATA. Everything in this plan is fictitious: the activities, indicators, figures, " +
			"reports and development partners were invented to show how NAP Tracker works. It does not describe " +
			"the policy or the results of any government.",
		Country: "Lao PDR (demonstration)", StartYear: start, EndYear: end, Frequency: domain.Quarterly,
		Tier1Label: "Pillar", Tier2Label: "Objective", Tier3Label: "Activity",
		Tier1LabelI18n: domain.Texts{"fr": "Pilier", "lo": "ເສົາຫຼັກ"}, Tier2LabelI18n: domain.Texts{"fr": "Objectif", "lo": "ຈຸດປະສົງ"},
		Tier3LabelI18n: domain.Texts{"fr": "Activité", "lo": "ກິດຈະກຳ"},
		GreenThreshold: domain.DefaultThresholds.Green, RedThreshold: domain.DefaultThresholds.Red,
		Language: "en", Currency: "USD", Demo: true, Version: 1, CreatedAt: l.setup, UpdatedAt: l.setup,
	}
	if err := createPlan(tx, &l.plan); err != nil {
		return nil, err
	}
	l.periods = domain.GeneratePeriods(l.plan, 30, 15)
	for i := range l.periods {
		l.periods[i].CreatedAt, l.periods[i].UpdatedAt = l.setup, l.setup
	}
	if err := insert(tx, l.periods, 100); err != nil {
		return nil, err
	}
	if err := l.createTree(); err != nil {
		return nil, err
	}
	if err := l.createIndicators(); err != nil {
		return nil, err
	}
	if err := l.createReports(); err != nil {
		return nil, err
	}
	l.sum.PlanID, l.sum.Organisations, l.sum.Periods = l.plan.ID, len(demoOrgs), len(l.periods)
	if err := reporting.RebuildRollups(tx, l.plan.ID); err != nil { // dashboard roll-ups of the loaded reports
		return nil, err
	}
	if err := domain.Audit(tx, domain.SystemActor, "seed.demo", "plan", &l.plan.ID, &l.plan.ID, nil, l.sum.counts(), ""); err != nil {
		return nil, fmt.Errorf("seed: audit: %w", err)
	}
	return &l.sum, nil
}

// parentCode drops the last segment of a dotted code: "2.1.3" → "2.1".
func parentCode(code string) string {
	if i := strings.LastIndex(code, "."); i >= 0 {
		return code[:i]
	}
	return ""
}

// createTree inserts pillars, objectives, activities, supporters and funding lines.
func (l *demoLoad) createTree() error {
	tx, at := l.tx, l.setup
	pillars := make([]domain.Pillar, len(demoPillars))
	for i, p := range demoPillars {
		pillars[i] = domain.Pillar{PlanID: l.plan.ID, Code: p.code, Title: p.title, TitleI18n: demoPillarTitles[p.code], Description: p.desc,
			Position: i + 1, Version: 1, CreatedAt: at, UpdatedAt: at}
	}
	if err := insert(tx, pillars, 100); err != nil {
		return err
	}
	pillarID := map[string]int64{}
	for _, p := range pillars {
		pillarID[p.Code] = p.ID
	}
	objectives := make([]domain.Objective, len(demoObjectives))
	pos := map[string]int{}
	for i, o := range demoObjectives {
		parent := parentCode(o.code)
		pos[parent]++
		objectives[i] = domain.Objective{PlanID: l.plan.ID, PillarID: pillarID[parent], Code: o.code, Title: o.title,
			Description: o.desc, Position: pos[parent], Version: 1, CreatedAt: at, UpdatedAt: at}
	}
	if err := insert(tx, objectives, 100); err != nil {
		return err
	}
	l.objectives = map[string]int64{}
	for _, o := range objectives {
		l.objectives[o.Code] = o.ID
	}
	acts := make([]domain.Activity, len(demoActivities))
	for i := range demoActivities {
		s := &demoActivities[i]
		parent := parentCode(s.code)
		pos[parent]++
		acts[i] = domain.Activity{PlanID: l.plan.ID, ObjectiveID: l.objectives[parent], Code: s.code, Title: s.title,
			Description: s.desc, StartDate: quarterStart(l.plan.StartYear, s.from), EndDate: quarterEnd(l.plan.StartYear, s.to),
			LeadOrgID: l.orgs[s.lead], Budget: s.budget, Currency: "USD", Position: pos[parent],
			Version: 1, CreatedAt: at, UpdatedAt: at}
	}
	if err := insert(tx, acts, 100); err != nil {
		return err
	}
	var sups []domain.ActivitySupporter
	var funds []domain.FundingLine
	for i := range demoActivities {
		s := &demoActivities[i]
		a := &demoActivity{spec: s, model: acts[i]}
		for _, acr := range s.sup {
			a.supporters = append(a.supporters, l.orgs[acr])
			sups = append(sups, domain.ActivitySupporter{ActivityID: acts[i].ID, OrganisationID: l.orgs[acr]})
		}
		for _, f := range s.fund {
			funds = append(funds, domain.FundingLine{ActivityID: acts[i].ID, FunderID: l.orgs[f.funder], Amount: f.amount,
				Currency: "USD", Status: f.status, Version: 1, CreatedAt: at, UpdatedAt: at})
		}
		l.activities = append(l.activities, a)
	}
	if err := insert(tx, sups, 500); err != nil {
		return err
	}
	l.sum.Pillars, l.sum.Objectives, l.sum.Activities = len(pillars), len(objectives), len(acts)
	return insert(tx, funds, 500)
}

// accumulationNote explains in the definition how period values combine.
func accumulationNote(acc string) string {
	switch acc {
	case domain.AccumulateSum:
		return "Each period reports what happened in it; yearly figures are the sum of the periods."
	case domain.AccumulateCumulative:
		return "Each period reports new additions; progress is the running total since the start of the plan."
	}
	return "Each period reports the level at its end; the latest value counts."
}

// yearlyTargets spreads targets linearly over the plan years, rounded as the
// unit is reported; milestones and yes/no are 0 until their due year.
func yearlyTargets(unit, dir string, base float64, first, last float64, dueY, years int) []float64 {
	out := make([]float64, years)
	for y := range out {
		switch {
		case unit == domain.UnitMilestone || unit == domain.UnitYesNo:
			if y >= dueY || (dir == domain.Maintain && base == 1) {
				out[y] = 1
			}
		case years == 1:
			out[y] = last
		default:
			out[y] = first + (last-first)*float64(y)/float64(years-1)
		}
		if unit == domain.UnitPercentage {
			out[y] = math.Round(out[y]*10) / 10
		} else {
			out[y] = math.Round(out[y])
		}
	}
	return out
}

// endTarget is the end-of-plan target implied by the yearly targets.
func endTarget(acc string, targets []float64) float64 {
	if acc != domain.AccumulateSum {
		return targets[len(targets)-1]
	}
	total := 0.0
	for _, t := range targets {
		total += t
	}
	return total
}

// createIndicators inserts the indicators and their targets and generates their values.
func (l *demoLoad) createIndicators() error {
	years := l.plan.EndYear - l.plan.StartYear + 1
	actByCode := map[string]*demoActivity{}
	for _, a := range l.activities {
		actByCode[a.spec.code] = a
	}
	pos := map[string]int{}
	rows := make([]domain.Indicator, len(demoIndicators))
	for i := range demoIndicators {
		s := &demoIndicators[i]
		parent := parentCode(s.code)
		pos[parent]++
		ind := &demoIndicator{spec: s, act: actByCode[parent]}
		m := domain.Indicator{PlanID: l.plan.ID, Code: s.code, Name: s.name, NameI18n: demoIndicatorNames[s.code],
			Definition: strings.TrimSpace(s.def + " " + accumulationNote(s.acc)), UnitType: s.unit, UnitLabel: s.label, UnitLabelI18n: demoUnitLabels[s.label],
			Direction: s.dir, Accumulation: s.acc, MeansOfVerification: s.mov, Sensitive: s.sens,
			Position: pos[parent], Version: 1, CreatedAt: l.setup, UpdatedAt: l.setup}
		if ind.act != nil {
			id := ind.act.model.ID
			m.ActivityID, m.ReportingOrgID = &id, ind.act.model.LeadOrgID
		} else {
			id, ok := l.objectives[parent]
			if !ok {
				return fmt.Errorf("seed: indicator %s has no parent", s.code)
			}
			m.ObjectiveID = &id
		}
		if s.rep != "" {
			m.ReportingOrgID = l.orgs[s.rep]
		}
		ser := series{unit: s.unit, dir: s.dir, acc: s.acc, pace: s.pace, steps: s.steps, dueY: s.dueY, done: s.done,
			targets: yearlyTargets(s.unit, s.dir, s.base, s.first, s.last, s.dueY, years)}
		if ser.pace == 0 {
			ser.pace = 1
		}
		if !s.noBase {
			b, y := s.base, l.plan.StartYear-1
			m.BaselineValue, m.BaselineYear, ser.base = &b, &y, &b
		}
		if !s.noTarget && !s.noEnd {
			t := endTarget(s.acc, ser.targets)
			m.EndTarget = &t
		}
		if s.set != "" {
			set := l.sets[s.set]
			m.DisaggregationSetID, ser.cells = &set.ID, set.Cells()
		}
		rng := rand.New(rand.NewPCG(demoSeed, uint64(i)+1))
		ind.points = ser.generate(rng, len(l.periods))
		if ind.act != nil && s.acc != domain.AccumulateLatest {
			// Counts start when the activity does.
			for k := 0; k < ind.act.spec.from && k < len(ind.points); k++ {
				ind.points[k] = point{cells: make([]float64, len(ser.cells))}
			}
		}
		rows[i] = m
		l.indicators = append(l.indicators, ind)
	}
	if err := insert(l.tx, rows, 200); err != nil {
		return err
	}
	var targets []domain.IndicatorTarget
	for i, ind := range l.indicators {
		ind.model = rows[i]
		if ind.spec.noTarget {
			continue
		}
		ts := yearlyTargets(ind.spec.unit, ind.spec.dir, ind.spec.base, ind.spec.first, ind.spec.last, ind.spec.dueY, years)
		for y, v := range ts {
			targets = append(targets, domain.IndicatorTarget{IndicatorID: rows[i].ID, Year: l.plan.StartYear + y, Value: v})
		}
	}
	l.sum.Indicators = len(rows)
	return insert(l.tx, targets, 500)
}
