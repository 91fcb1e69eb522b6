package review

import (
	"context"
	"sort"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// LoadSlides computes the workshop presentation of a plan from its live,
// approved data, for the period range named by from and to (labels; empty
// for the default range, see ResolveRange), at the instant now. It runs a
// fixed number of queries whatever the size of the plan: the tree, the
// periods, the targets, the approved values up to the end of the range,
// the approved updates of the range and the compliance of its latest
// period that is due (none when no period of the range is due yet).
func LoadSlides(ctx context.Context, db *gorm.DB, code, from, to string, now time.Time) (*Slides, error) {
	tree, err := planning.LoadPlanTree(ctx, db, code)
	if err != nil {
		return nil, err
	}
	all, err := reporting.PlanPeriods(ctx, db, tree.Plan.ID)
	if err != nil {
		return nil, err
	}
	rng, err := planning.ResolveRange(all, from, to, now)
	if err != nil {
		return nil, err
	}
	var comp reporting.PeriodCompleteness
	if k, due := compliancePeriod(rng, now); due {
		rep, err := reporting.CompletenessFromRollups(ctx, db, tree.Plan, []domain.ReportingPeriod{rng.All[k]}, 0, now)
		if err != nil {
			return nil, err
		}
		comp = rep.Periods[0]
	}
	return buildSlides(db.WithContext(ctx), tree, rng, comp, now)
}

// compliancePeriod is the index in rng.All of the period whose compliance
// the slides show: the latest period of the range whose due date has
// passed at now, the rule the figures use for the rated period (due is
// false when none has, and k is then the range's first period). The last
// period of the range has usually started but is not due yet: its
// compliance would be nothing but "not due".
func compliancePeriod(rng planning.PeriodRange, now time.Time) (k int, due bool) {
	return figures.RatedPeriod(domain.FigurePeriods(rng.All), rng.From, rng.To, now)
}

// slideUpdate is an activity's latest approved update in the range.
type slideUpdate struct {
	progress    string
	percent     int
	expenditure float64
	period      string
}

// buildSlides computes the slides from a loaded tree and range, with the
// compliance of a period of the range already computed (three queries).
// When comp is not the compliance of the latest period that is due (a
// snapshot passes the range's last period), that period's is computed.
func buildSlides(db *gorm.DB, tree *planning.PlanTree, rng planning.PeriodRange, comp reporting.PeriodCompleteness, now time.Time) (*Slides, error) {
	ids := db.Model(&domain.Indicator{}).Select("id").Where("plan_id = ? AND archived_at IS NULL", tree.Plan.ID)
	data, err := reporting.LoadFigureData(db, rng.All, ids, true, false)
	if err != nil {
		return nil, err
	}
	updates, err := latestApprovedUpdates(db, tree.Plan.ID, rng)
	if err != nil {
		return nil, err
	}
	s := &Slides{PlanID: tree.Plan.ID, PlanCode: tree.Plan.Code, PlanTitle: tree.Plan.Title, PlanLanguage: tree.Plan.Language, Tier1Label: tree.Plan.Tier1Label, Tier3Label: tree.Plan.Tier3Label,
		Tier1LabelI18n: tree.Plan.Tier1LabelI18n, Tier3LabelI18n: tree.Plan.Tier3LabelI18n,
		From: rng.First().Label, To: rng.Last().Label, At: now.UTC(), Thresholds: tree.Plan.Thresholds()}
	k, due := compliancePeriod(rng, now)
	s.Latest, s.LatestDue, s.NoneDue = rng.All[k].Label, rng.All[k].DueDate, !due
	if due && comp.Period.ID != rng.All[k].ID {
		rep, err := reporting.Completeness(db.Statement.Context, db, tree.Plan, []domain.ReportingPeriod{rng.All[k]}, 0, now)
		if err != nil {
			return nil, err
		}
		comp = rep.Periods[0]
	}
	if !due {
		comp = reporting.PeriodCompleteness{}
	}
	// The slides are shown to donors: the external audience.
	window := tree.Plan.Window(domain.FigurePeriods(rng.All), rng.From, rng.To, now)
	var keys []rankedLine
	overview := newTotals()
	funding := map[[2]string]*PartnerFunding{}
	for _, p := range tree.Pillars {
		ps := PillarSlide{Code: p.Code, Title: p.Title, TitleI18n: p.TitleI18n, Totals: newTotals()}
		var ranked []rankedLine
		rate := func(ind domain.Indicator) {
			line, prog := rateLine(ind, data.Assess(ind, nil, window, figures.External), rng.All)
			line.Pillar = p.Code
			ps.Totals.addRAG(line.RAG)
			ranked = append(ranked, rankedLine{line, prog})
		}
		for _, o := range p.Objectives {
			for _, ind := range o.Indicators {
				rate(ind)
			}
			for _, a := range o.Activities {
				u, ok := updates[a.ID]
				line := ActivityLine{Code: a.Code, Title: a.Title, TitleI18n: a.TitleI18n, Lead: tree.Org(a.LeadOrgID).Acronym, Status: NoReport}
				if ok {
					line.Status, line.Percent, line.Period = u.progress, u.percent, u.period
				}
				ps.Activities = append(ps.Activities, line)
				ps.Totals.addActivity(line.Status, a.Currency, a.Budget, u.expenditure)
				addFunding(funding, tree, a, u.expenditure)
				for _, ind := range a.Indicators {
					rate(ind)
				}
			}
		}
		ps.OffTrack = worst(ranked, PillarOffTrack)
		keys = append(keys, ranked...)
		overview.merge(ps.Totals)
		s.Pillars = append(s.Pillars, ps)
	}
	s.Overview = overview
	s.OffTrack = worst(keys, KeyOffTrack)
	s.BestOnTrack = best(keys, KeyOnTrack)
	for _, r := range comp.Rows {
		s.Compliance = append(s.Compliance, ComplianceLine{Acronym: r.Organisation.Acronym, Name: r.Organisation.Name, CompletenessCounts: r.CompletenessCounts})
	}
	s.ComplianceTotal = ComplianceLine{CompletenessCounts: comp.Total}
	for _, f := range funding {
		s.Funding = append(s.Funding, *f)
	}
	sort.Slice(s.Funding, func(i, j int) bool {
		a, b := s.Funding[i], s.Funding[j]
		if x, y := strings.ToLower(a.Acronym), strings.ToLower(b.Acronym); x != y {
			return x < y
		}
		return a.Currency < b.Currency
	})
	return s, nil
}

func newTotals() SlideTotals {
	t := SlideTotals{}
	for _, st := range SlideStatuses {
		t.ActivityStatus = append(t.ActivityStatus, Count{Key: st})
	}
	for _, r := range domain.RAGs {
		t.RAG = append(t.RAG, Count{Key: r})
	}
	return t
}

func (t *SlideTotals) addRAG(rag string) {
	t.Indicators++
	for i := range t.RAG {
		if t.RAG[i].Key == rag {
			t.RAG[i].N++
		}
	}
}

func (t *SlideTotals) addActivity(status, currency string, budget, spent float64) {
	t.Activities++
	for i := range t.ActivityStatus {
		if t.ActivityStatus[i].Key == status {
			t.ActivityStatus[i].N++
		}
	}
	t.addMoney(Money{Currency: currency, Budget: budget, Spent: spent})
}

func (t *SlideTotals) addMoney(m Money) {
	for i := range t.Money {
		if t.Money[i].Currency == m.Currency {
			t.Money[i].Budget += m.Budget
			t.Money[i].Spent += m.Spent
			return
		}
	}
	t.Money = append(t.Money, m)
	sort.Slice(t.Money, func(i, j int) bool { return t.Money[i].Currency < t.Money[j].Currency })
}

func (t *SlideTotals) merge(o SlideTotals) {
	t.Activities += o.Activities
	t.Indicators += o.Indicators
	for i := range t.ActivityStatus {
		t.ActivityStatus[i].N += o.ActivityStatus[i].N
	}
	for i := range t.RAG {
		t.RAG[i].N += o.RAG[i].N
	}
	for _, m := range o.Money {
		t.addMoney(m)
	}
}

// addFunding adds an activity to the funding rows of its funders, as the
// workshop report's funding sheet does.
func addFunding(rows map[[2]string]*PartnerFunding, tree *planning.PlanTree, a *planning.ActivityNode, spent float64) {
	seen := map[int64]bool{}
	for _, l := range a.Funding {
		org := tree.Org(l.FunderID)
		k := [2]string{org.Acronym, a.Currency}
		r := rows[k]
		if r == nil {
			r = &PartnerFunding{Acronym: org.Acronym, Name: org.Name, Currency: a.Currency}
			rows[k] = r
		}
		if !seen[l.FunderID] {
			seen[l.FunderID] = true
			r.Activities++
			r.Planned += a.Budget
			r.Spent += spent
		}
		r.Pledged += l.Amount
		if l.Status == domain.FundingCommitted || l.Status == domain.FundingDisbursed {
			r.Committed += l.Amount
		}
		if l.Status == domain.FundingDisbursed {
			r.Disbursed += l.Amount
		}
	}
}

// rankedLine is an indicator line with the progress it is ranked by (kept
// even when the figure is withheld from the line itself).
type rankedLine struct {
	line     IndicatorLine
	progress *float64
}

// worst returns at most n indicators rated off track or behind, furthest
// from their target first.
func worst(lines []rankedLine, n int) []IndicatorLine {
	return pick(lines, n, func(l rankedLine) bool { return l.line.RAG == domain.RAGOffTrack || l.line.RAG == domain.RAGBehind }, true)
}

// best returns at most n indicators on track, furthest ahead first.
func best(lines []rankedLine, n int) []IndicatorLine {
	return pick(lines, n, func(l rankedLine) bool { return l.line.RAG == domain.RAGOnTrack }, false)
}

func pick(lines []rankedLine, n int, keep func(rankedLine) bool, ascending bool) []IndicatorLine {
	var c []rankedLine
	for _, l := range lines {
		if l.progress != nil && keep(l) {
			c = append(c, l)
		}
	}
	sort.SliceStable(c, func(i, j int) bool {
		a, b := *c[i].progress, *c[j].progress
		if a != b {
			return (a < b) == ascending
		}
		return reporting.CodeLess(c[i].line.Code, c[j].line.Code)
	})
	var out []IndicatorLine
	for i := 0; i < len(c) && i < n; i++ {
		out = append(out, c[i].line)
	}
	return out
}

// rateLine gives an indicator's line from its assessment: the figures of
// the rated period, and the progress to rank it by (nil when hidden, so
// that a hidden figure is never placed in a ranking).
func rateLine(ind domain.Indicator, a figures.Assessment, all []domain.ReportingPeriod) (IndicatorLine, *float64) {
	c := a.Current()
	line := IndicatorLine{Code: ind.Code, Name: ind.Name, NameI18n: ind.NameI18n, Unit: ind.UnitType, Baseline: ind.BaselineValue,
		Target: c.Target, Actual: c.Actual.Value, Progress: c.Progress, RAG: c.Rating, Withheld: c.Actual.Withheld, Small: c.Actual.Small}
	line.Period = all[c.Period].Label
	return line, c.Progress
}

// PlanTargetRows returns every row of indicator_targets of the plan's
// indicators, in one query, ordered by indicator and year.
func PlanTargetRows(db *gorm.DB, planID int64) ([]domain.IndicatorTarget, error) {
	var rows []domain.IndicatorTarget
	err := db.Raw(`SELECT t.indicator_id, t.year, t.value FROM indicator_targets t
JOIN indicators i ON i.id = t.indicator_id WHERE i.plan_id = ? ORDER BY t.indicator_id, t.year`, planID).Scan(&rows).Error
	return rows, err
}

// latestApprovedUpdates reads, in one query, the approved updates of the
// plan's activities in the range and keeps each activity's latest.
func latestApprovedUpdates(db *gorm.DB, planID int64, rng planning.PeriodRange) (map[int64]slideUpdate, error) {
	rows, err := db.Raw(`SELECT u.activity_id, p.label, u.progress, u.percent_complete, u.expenditure
FROM activity_updates u JOIN activities a ON a.id = u.activity_id JOIN reporting_periods p ON p.id = u.period_id
WHERE a.plan_id = ? AND a.archived_at IS NULL AND u.status = ? AND p.start_date >= ? AND p.end_date <= ?
ORDER BY u.activity_id, p.start_date, p.id`, planID, domain.StatusApproved, rng.First().StartDate, rng.Last().EndDate).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]slideUpdate{}
	for rows.Next() {
		var id int64
		var u slideUpdate
		if err := rows.Scan(&id, &u.period, &u.progress, &u.percent, &u.expenditure); err != nil {
			return nil, err
		}
		out[id] = u
	}
	return out, rows.Err()
}
