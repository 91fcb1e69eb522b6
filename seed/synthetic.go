package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// SyntheticOptions size a synthetic plan: how many activities, indicators
// per activity and years of quarterly reports; Code defaults to
// "SYN-<activities>x<k>x<years>".
type SyntheticOptions struct {
	Activities, IndicatorsPerActivity, Years int
	Code                                     string
}

// synSeed fixes the random numbers of synthetic plans.
const synSeed = 0x5e4e_7e71c

// synChunk is how many activities are generated and written at a time, to keep memory modest.
const synChunk = 100

// validate refuses sizes that make no sense or would not fit the schema.
func (o SyntheticOptions) validate() error {
	var v domain.ValidationError
	if o.Activities < 1 || o.Activities > 200000 {
		v.Add("activities", "must be between 1 and 200000")
	}
	if o.IndicatorsPerActivity < 0 || o.IndicatorsPerActivity > 100 {
		v.Add("indicators_per_activity", "must be between 0 and 100")
	}
	if o.Years < 1 || o.Years > 50 {
		v.Add("years", "must be between 1 and 50")
	}
	if len(o.Code) > 32 {
		v.Add("code", "must be at most 32 characters")
	}
	return v.Err()
}

// Synthetic loads a large deterministic plan for benchmarks: 5 pillars of 4
// objectives, the activities spread over them, K indicators per activity and
// one approved value per indicator and activity update per activity for
// every quarter of the plan, which ends with the year before today's. It
// returns models.ErrConflict when a plan with the code exists.
func Synthetic(ctx context.Context, db *gorm.DB, opts SyntheticOptions, today time.Time) (*Summary, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Code == "" {
		opts.Code = fmt.Sprintf("SYN-%dx%dx%d", opts.Activities, opts.IndicatorsPerActivity, opts.Years)
	}
	var sum *Summary
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		sum, err = loadSynthetic(tx, opts, dateOf(today))
		return err
	})
	if err != nil {
		return nil, err
	}
	// A bulk load leaves the planner's statistics describing empty
	// tables until autovacuum comes round; refresh them for the big ones.
	for _, table := range analyzed {
		if err := db.WithContext(ctx).Exec("ANALYZE " + table).Error; err != nil {
			return nil, fmt.Errorf("seed: analyze %s: %w", table, err)
		}
	}
	return sum, nil
}

// analyzed are the tables a synthetic plan fills with many rows.
var analyzed = []string{"indicators", "indicator_targets", "indicator_values", "value_breakdowns", "activities", "activity_updates"}

// synActivity is a created synthetic activity and how it unfolds.
type synActivity struct {
	model domain.Activity
	plan  activityPlan
}

// loadSynthetic writes the whole synthetic plan inside tx.
func loadSynthetic(tx *gorm.DB, o SyntheticOptions, today time.Time) (*Summary, error) {
	if err := requireNewPlan(tx, o.Code); err != nil {
		return nil, err
	}
	end := today.Year() - 1
	start := end - o.Years + 1
	at := domain.Date(start-1, time.November, 14).Add(10 * time.Hour)
	orgs, err := ensureOrgs(tx, demoOrgs, at)
	if err != nil {
		return nil, err
	}
	sets, err := ensureSets(tx, at)
	if err != nil {
		return nil, err
	}
	plan := domain.Plan{Code: o.Code, Title: fmt.Sprintf("Synthetic benchmark plan (%d activities)", o.Activities),
		Description: "Generated data for performance tests; not a real plan.", Country: "Synthetic",
		StartYear: start, EndYear: end, Frequency: domain.Quarterly,
		Tier1Label: "Pillar", Tier2Label: "Objective", Tier3Label: "Activity",
		GreenThreshold: domain.DefaultThresholds.Green, RedThreshold: domain.DefaultThresholds.Red,
		Language: "en", Currency: "USD", Demo: true, Version: 1, CreatedAt: at, UpdatedAt: at}
	if err := createPlan(tx, &plan); err != nil {
		return nil, err
	}
	periods := domain.GeneratePeriods(plan, 30, 15)
	for i := range periods {
		periods[i].CreatedAt, periods[i].UpdatedAt = at, at
	}
	if err := insert(tx, periods, 500); err != nil {
		return nil, err
	}
	sum := &Summary{PlanID: plan.ID, Organisations: len(demoOrgs), Periods: len(periods)}
	acts, err := createSynTree(tx, &plan, orgs, len(periods), o.Activities, at, sum)
	if err != nil {
		return nil, err
	}
	clk := clock{today: today}
	for c := 0; c < len(acts); c += synChunk {
		chunk := acts[c:min(c+synChunk, len(acts))]
		if err := createSynReports(tx, clk, &plan, periods, sets[setSexAge], chunk, c, o.IndicatorsPerActivity, at, sum); err != nil {
			return nil, err
		}
	}
	if err := reporting.RebuildRollups(tx, plan.ID); err != nil { // dashboard roll-ups of the loaded reports
		return nil, err
	}
	if err := domain.Audit(tx, domain.SystemActor, "seed.synthetic", "plan", &plan.ID, &plan.ID, nil, sum.counts(), ""); err != nil {
		return nil, fmt.Errorf("seed: audit: %w", err)
	}
	return sum, nil
}

// createSynTree inserts 5 pillars × 4 objectives and the activities, with
// supporters and funding lines.
func createSynTree(tx *gorm.DB, plan *domain.Plan, orgs map[string]int64, nPeriods, nActs int, at time.Time, sum *Summary) ([]*synActivity, error) {
	var gov, funders []int64
	for _, s := range demoOrgs {
		switch s.kind {
		case domain.OrgMinistry, domain.OrgAgency:
			gov = append(gov, orgs[s.acronym])
		case domain.OrgPartner, domain.OrgInternational:
			funders = append(funders, orgs[s.acronym])
		}
	}
	pillars := make([]domain.Pillar, len(demoPillars))
	for i, p := range demoPillars {
		pillars[i] = domain.Pillar{PlanID: plan.ID, Code: p.code, Title: p.title, Position: i + 1, Version: 1, CreatedAt: at, UpdatedAt: at}
	}
	if err := insert(tx, pillars, 100); err != nil {
		return nil, err
	}
	var objectives []domain.Objective
	for i, p := range pillars {
		for j := 1; j <= 4; j++ {
			code := fmt.Sprintf("%d.%d", i+1, j)
			objectives = append(objectives, domain.Objective{PlanID: plan.ID, PillarID: p.ID, Code: code,
				Title: "Objective " + code, Position: j, Version: 1, CreatedAt: at, UpdatedAt: at})
		}
	}
	if err := insert(tx, objectives, 100); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(synSeed, 0))
	acts := make([]*synActivity, nActs)
	rows := make([]domain.Activity, nActs)
	pos := make([]int, len(objectives))
	for i := range rows {
		oi := i * len(objectives) / nActs
		pos[oi]++
		code := fmt.Sprintf("%s.%d", objectives[oi].Code, pos[oi])
		from := rng.IntN(max(1, nPeriods/2))
		to := from + rng.IntN(nPeriods-from)
		ap := activityPlan{from: from, to: to, pace: 0.5 + 0.7*rng.Float64(), budget: float64(rng.IntN(300)) * 1000,
			did: []string{"Planned work carried out", "Progress reviewed with the supporting organisations"}}
		rows[i] = domain.Activity{PlanID: plan.ID, ObjectiveID: objectives[oi].ID, Code: code,
			Title:     demoActivities[i%len(demoActivities)].title + " (" + code + ")",
			StartDate: quarterStart(plan.StartYear, from), EndDate: quarterEnd(plan.StartYear, to),
			LeadOrgID: gov[rng.IntN(len(gov))], Budget: ap.budget, Currency: "USD", Position: pos[oi],
			Version: 1, CreatedAt: at, UpdatedAt: at}
		acts[i] = &synActivity{plan: ap}
	}
	if err := insert(tx, rows, 500); err != nil {
		return nil, err
	}
	var sups []domain.ActivitySupporter
	var funds []domain.FundingLine
	statuses := []string{domain.FundingPledged, domain.FundingCommitted, domain.FundingDisbursed}
	for i := range rows {
		acts[i].model = rows[i]
		for _, s := range rng.Perm(len(gov))[:rng.IntN(3)] {
			if gov[s] != rows[i].LeadOrgID {
				sups = append(sups, domain.ActivitySupporter{ActivityID: rows[i].ID, OrganisationID: gov[s]})
			}
		}
		if i%3 == 0 && rows[i].Budget > 0 {
			funds = append(funds, domain.FundingLine{ActivityID: rows[i].ID, FunderID: funders[rng.IntN(len(funders))],
				Amount: math.Round(rows[i].Budget*(0.2+0.6*rng.Float64())/100) * 100, Currency: "USD",
				Status: statuses[rng.IntN(len(statuses))], Version: 1, CreatedAt: at, UpdatedAt: at})
		}
	}
	if err := insert(tx, sups, 1000); err != nil {
		return nil, err
	}
	if err := insert(tx, funds, 1000); err != nil {
		return nil, err
	}
	sum.Pillars, sum.Objectives, sum.Activities = len(pillars), len(objectives), len(rows)
	return acts, nil
}

// synMilestoneSteps are the states of every synthetic milestone.
var synMilestoneSteps = []string{"Preparation started", "Draft prepared", "Draft consulted", "Adopted"}

// synIndicator makes the indicator number g (counted over the whole plan) and
// the series of its values: ten kinds in turn, covering every unit,
// direction and accumulation mode, some disaggregated and sensitive.
func synIndicator(rng *rand.Rand, g int, years int, sexAge domain.DisaggregationSet) (domain.Indicator, series) {
	m := domain.Indicator{UnitType: domain.UnitNumber, Direction: domain.Increase, Accumulation: domain.AccumulateSum}
	s := series{pace: 0.4 + 0.85*rng.Float64(), dueY: rng.IntN(years)}
	base := float64(50 + rng.IntN(500))
	first, last := base*1.05, base*(1.3+rng.Float64())
	switch g % 10 {
	case 1, 7:
		m.Name = "Number of people assisted"
		m.DisaggregationSetID, s.cells = &sexAge.ID, sexAge.Cells()
		if g%10 == 7 {
			m.Name, m.Sensitive = "Number of victims assisted", true
			base = float64(4 + rng.IntN(30))
			first, last = base+2, base*2
		}
	case 2, 5:
		m.Name, m.UnitType, m.Accumulation = "Percentage of cases handled within the standard time", domain.UnitPercentage, domain.AccumulateLatest
		base = float64(20 + rng.IntN(30))
		first, last = base+5, float64(60+rng.IntN(30))
		if g%10 == 5 {
			m.Name, m.Direction = "Percentage of cases pending for more than a year", domain.Decrease
			first, last = base-2, float64(5+rng.IntN(10))
		}
	case 3:
		m.Name, m.Accumulation = "Number of staff trained (running total)", domain.AccumulateCumulative
		base, first = 0, float64(10+rng.IntN(40))
		last = first * float64(years)
	case 4:
		m.Name = "Number of events held"
	case 6:
		m.Name, m.UnitType, m.Accumulation = "Procedure in force", domain.UnitYesNo, domain.AccumulateLatest
		base, s.done = 0, rng.IntN(years*periodsPerYear+4)
	case 8:
		m.Name, m.UnitType, m.Accumulation = "Regulation adopted", domain.UnitMilestone, domain.AccumulateLatest
		base, s.done, s.steps = 0, rng.IntN(years*periodsPerYear+4), synMilestoneSteps
	case 9:
		m.Name, m.Direction, m.Accumulation = "Number of functioning coordination bodies", domain.Maintain, domain.AccumulateLatest
		base = float64(10 + rng.IntN(40))
		first, last = base, base
	default:
		m.Name = "Number of people reached"
	}
	if m.UnitType == domain.UnitPercentage {
		m.UnitLabel = "%"
	}
	s.unit, s.dir, s.acc = m.UnitType, m.Direction, m.Accumulation
	s.targets = yearlyTargets(m.UnitType, m.Direction, base, first, last, s.dueY, years)
	if g%10 != 4 {
		b := base
		s.base, m.BaselineValue = &b, &b
	}
	t := endTarget(m.Accumulation, s.targets)
	m.EndTarget = &t
	m.Definition = accumulationNote(m.Accumulation)
	return m, s
}

// createSynReports inserts the indicators of a chunk of activities (the
// first being activity number first of the plan) with their targets, values,
// breakdowns and the activities' updates, all approved.
func createSynReports(tx *gorm.DB, clk clock, plan *domain.Plan, periods []domain.ReportingPeriod, sexAge domain.DisaggregationSet,
	chunk []*synActivity, first, k int, at time.Time, sum *Summary) error {
	years := plan.EndYear - plan.StartYear + 1
	inds := make([]domain.Indicator, 0, len(chunk)*k)
	sers := make([]series, 0, len(chunk)*k)
	rngs := make([]*rand.Rand, 0, len(chunk)*k)
	for ai, a := range chunk {
		for j := 0; j < k; j++ {
			g := (first+ai)*k + j
			rng := rand.New(rand.NewPCG(synSeed, uint64(g)+1))
			m, s := synIndicator(rng, g, years, sexAge)
			id := a.model.ID
			m.PlanID, m.ActivityID, m.ReportingOrgID, m.Position = plan.ID, &id, a.model.LeadOrgID, j+1
			m.Code = fmt.Sprintf("%s.%s", a.model.Code, letters(j))
			if s.base != nil {
				y := plan.StartYear - 1
				m.BaselineYear = &y
			}
			m.MeansOfVerification, m.Version, m.CreatedAt, m.UpdatedAt = "Ministry records", 1, at, at
			inds, sers, rngs = append(inds, m), append(sers, s), append(rngs, rng)
		}
	}
	if err := insert(tx, inds, 1000); err != nil {
		return err
	}
	var targets []domain.IndicatorTarget
	var values []domain.IndicatorValue
	var cells [][]float64
	for i := range inds {
		for y, v := range sers[i].targets {
			targets = append(targets, domain.IndicatorTarget{IndicatorID: inds[i].ID, Year: plan.StartYear + y, Value: v})
		}
		pts := sers[i].generate(rngs[i], len(periods))
		for p, pt := range pts {
			if !periods[p].Ended(clk.today) {
				continue
			}
			v := pt.value
			values = append(values, domain.IndicatorValue{IndicatorID: inds[i].ID, PeriodID: periods[p].ID, Value: &v, TextValue: pt.text,
				Workflow: clk.workflow(rngs[i], periods[p], domain.StatusApproved, rngs[i].Float64() < 0.1, "", at)})
			cells = append(cells, pt.cells)
		}
	}
	if err := insert(tx, targets, 2000); err != nil {
		return err
	}
	if err := insert(tx, values, 1000); err != nil {
		return err
	}
	var breakdowns []domain.ValueBreakdown
	names := sexAge.Cells()
	for j, cs := range cells {
		for c, v := range cs {
			breakdowns = append(breakdowns, domain.ValueBreakdown{ValueID: values[j].ID, Cell: names[c], Value: v})
		}
	}
	if err := insert(tx, breakdowns, 3000); err != nil {
		return err
	}
	var updates []domain.ActivityUpdate
	for ai, a := range chunk {
		rng := rand.New(rand.NewPCG(synSeed^streamUpdates, uint64(first+ai)+1))
		for _, pt := range a.plan.generate(rng, len(periods), true) {
			p := periods[pt.k]
			if !p.Ended(clk.today) {
				continue
			}
			updates = append(updates, domain.ActivityUpdate{ActivityID: a.model.ID, PeriodID: p.ID, UpdateContent: pt.content(),
				Workflow: clk.workflow(rng, p, domain.StatusApproved, rng.Float64() < 0.1, "", at)})
		}
	}
	if err := insert(tx, updates, 1000); err != nil {
		return err
	}
	sum.Indicators += len(inds)
	sum.Values += len(values)
	sum.Updates += len(updates)
	return nil
}

// letters names the j-th indicator of an activity: a, b, …, z, aa, ab, …
func letters(j int) string {
	s := ""
	for j++; j > 0; j = (j - 1) / 26 {
		s = string(rune('a'+(j-1)%26)) + s
	}
	return s
}
