package review

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// Figure is a number as a reader may see it (figures.Figure).
type Figure = figures.Figure

// IndicatorPeriodRow is one period of an indicator: its target, the actual
// the reader may see, the progress and the rating, computed as in the
// workshop report's IPTT.
type IndicatorPeriodRow struct {
	Period   domain.ReportingPeriod
	Target   *float64
	Actual   Figure
	Progress *float64 // nil when missing or hidden
	RAG      string
	// Status is the workflow status of the period's own value ("" when the
	// reader sees none).
	Status string
	Due    bool
}

// BreakdownRow is one cell of a disaggregated value.
type BreakdownRow struct {
	Cell   string
	Labels []string // one category label per dimension
	Figure Figure
}

// IndicatorHistoryEntry is one recorded change of one of the indicator's values.
type IndicatorHistoryEntry struct {
	At       time.Time
	Period   string
	Action   string // save, submit, approve, return, reopen, comment.add
	Actor    string // "" when the reader may not see who
	NewValue Figure
	Status   string
	Reason   string
}

// EvidenceItem is a link or file supporting one of the indicator's values.
type EvidenceItem struct {
	domain.Evidence
	Period string
	Status string
}

// IndicatorPage is everything the indicator page shows, as a scope may see it.
type IndicatorPage struct {
	Plan         domain.Plan
	Pillar       domain.Pillar
	Objective    domain.Objective
	Activity     *domain.Activity // nil for an outcome indicator
	Indicator    domain.Indicator
	ReportingOrg domain.Organisation
	Set          *domain.DisaggregationSet
	Targets      []domain.IndicatorTarget
	// All is every period of the plan with its target (and its actual once
	// started): the chart's axis. Rows are the periods that have started.
	All  []IndicatorPeriodRow
	Rows []IndicatorPeriodRow
	// End compares the actual to date with the target to date, like with
	// like (figures.RangeTarget over the periods started).
	End IndicatorPeriodRow
	// Current is the rating of the latest period whose due date has passed
	// (the first period's while none has), as in the report's summary.
	Current string
	// Latest is the most recent value the reader sees, nil when none.
	Latest       *domain.IndicatorValue
	LatestPeriod domain.ReportingPeriod
	Breakdown    []BreakdownRow
	History      []IndicatorHistoryEntry
	Evidence     []EvidenceItem
	// Restricted: the reader sees approved data only.
	Restricted bool
	// Audience is who the reader is for this indicator's figures: external
	// readers of a sensitive indicator see small counts protected.
	Audience figures.Audience
	// Suppressed: small counts are hidden from this reader (a sensitive
	// indicator seen by an external audience).
	Suppressed bool
}

// IndicatorHistoryLimit bounds the history list of the indicator page.
const IndicatorHistoryLimit = 25

// IndicatorEvidenceLimit bounds the evidence list of the indicator page.
const IndicatorEvidenceLimit = 50

// LoadIndicatorPage reads an indicator with its place in the plan, targets,
// values, latest breakdown, history and evidence, in a fixed number of
// queries (at most fifteen) whatever the size of the plan. Readers who may
// not see unapproved values of the reporting organisation (donors,
// facilitators, other organisations' focal points) get approved values
// only; readers who do not validate get small counts of sensitive
// indicators hidden (rules R1–R3 of the workshop report).
func LoadIndicatorPage(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, code string, now time.Time) (*IndicatorPage, error) {
	db = db.WithContext(ctx)
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	pg := &IndicatorPage{Plan: *plan}
	ind := &pg.Indicator
	if err := db.Where("plan_id = ? AND code = ? AND archived_at IS NULL", plan.ID, code).Take(ind).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	objectiveID := int64(0)
	if ind.ActivityID != nil {
		var a domain.Activity
		if err := db.Take(&a, *ind.ActivityID).Error; err != nil {
			return nil, domain.NotFound(err)
		}
		pg.Activity, objectiveID = &a, a.ObjectiveID
	} else if ind.ObjectiveID != nil {
		objectiveID = *ind.ObjectiveID
	}
	if err := db.Take(&pg.Objective, objectiveID).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if err := db.Take(&pg.Pillar, pg.Objective.PillarID).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if err := db.Take(&pg.ReportingOrg, ind.ReportingOrgID).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if err := db.Where("indicator_id = ?", ind.ID).Order("year").Find(&pg.Targets).Error; err != nil {
		return nil, err
	}
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		return nil, err
	}
	pg.Restricted = !scope.SeesUnapproved(ind.ReportingOrgID)
	pg.Audience = scope.AudienceFor(ind.ReportingOrgID)
	pg.Suppressed = ind.Sensitive && pg.Audience == figures.External
	// visible builds, afresh for each use, the subquery of the ids of the
	// values the reader may see.
	visible := func() *gorm.DB {
		q := db.Model(&domain.IndicatorValue{}).Select("id").Where("indicator_id = ?", ind.ID)
		if pg.Restricted {
			q = q.Where("status = ?", domain.StatusApproved)
		}
		return q
	}
	var values []domain.IndicatorValue
	if err := db.Where("id IN (?)", visible()).Find(&values).Error; err != nil {
		return nil, err
	}
	pg.rate(periods, values, now)
	if err := pg.loadBreakdown(db); err != nil {
		return nil, err
	}
	labels := map[int64]string{}
	for _, p := range periods {
		labels[p.ID] = p.Label
	}
	valuePeriod := map[int64]string{}
	valueStatus := map[int64]string{}
	for _, v := range values {
		valuePeriod[v.ID], valueStatus[v.ID] = labels[v.PeriodID], v.Status
	}
	if err := pg.loadHistory(db, visible(), valuePeriod); err != nil {
		return nil, err
	}
	// Evidence about counts of victims is for the internal audience only:
	// Suppressed is exactly where Scope.SeesEvidence refuses a sensitive
	// indicator's evidence, and visible() where it refuses the rest.
	if pg.Suppressed {
		return pg, nil
	}
	var ev []domain.Evidence
	if err := db.Where("indicator_value_id IN (?)", visible()).Order("created_at DESC, id DESC").Limit(IndicatorEvidenceLimit).Find(&ev).Error; err != nil {
		return nil, err
	}
	for _, e := range ev {
		pg.Evidence = append(pg.Evidence, EvidenceItem{Evidence: e, Period: valuePeriod[*e.IndicatorValueID], Status: valueStatus[*e.IndicatorValueID]})
	}
	return pg, nil
}

// rate fills the period rows, the to-date row, the current rating and the
// latest value from the values the reader sees, with figures.Assess over
// the periods started at now.
func (pg *IndicatorPage) rate(periods []domain.ReportingPeriod, values []domain.IndicatorValue, now time.Time) {
	ind := pg.Indicator
	yearly := map[int]float64{}
	for _, t := range pg.Targets {
		yearly[t.Year] = t.Value
	}
	byPeriod := map[int64]*domain.IndicatorValue{}
	for i := range values {
		byPeriod[values[i].PeriodID] = &values[i]
	}
	var d figures.Data
	last := -1
	for k, p := range periods {
		if v := byPeriod[p.ID]; v != nil {
			pg.Latest, pg.LatestPeriod = v, p
			if v.Value != nil {
				d.Total = append(d.Total, figures.Point{Period: k, Value: *v.Value, Unapproved: v.Status != domain.StatusApproved})
			}
		}
		if !now.Before(p.StartDate) {
			last = k
		}
	}
	all := domain.FigurePeriods(periods)
	spec := ind.Figures(yearly)
	targets := figures.PeriodTargets(spec, all)
	row := func(c figures.Cell, p domain.ReportingPeriod) IndicatorPeriodRow {
		return IndicatorPeriodRow{Period: p, Target: c.Target, Actual: c.Actual, Progress: c.Progress, RAG: c.Rating, Due: c.Due}
	}
	if last < 0 {
		for k, p := range periods {
			pg.All = append(pg.All, IndicatorPeriodRow{Period: p, Target: targets[k], RAG: domain.RAGNotDue})
		}
		pg.End = IndicatorPeriodRow{RAG: domain.RAGNotDue}
		pg.Current = domain.RAGNotDue
		return
	}
	a := figures.Assess(spec, d, pg.Plan.Window(all, 0, last, now), pg.Audience)
	for k, p := range periods {
		if k > last {
			pg.All = append(pg.All, IndicatorPeriodRow{Period: p, Target: targets[k], RAG: domain.RAGNotDue})
			continue
		}
		r := row(a.Periods[k], p)
		if v := byPeriod[p.ID]; v != nil {
			r.Status = v.Status
		}
		pg.Rows = append(pg.Rows, r)
		pg.All = append(pg.All, r)
	}
	pg.End = row(a.Range, periods[last])
	pg.Current = a.Current().Rating
}

// loadBreakdown reads the latest value's breakdown and its set (four
// queries when there is one) and applies rules R1 and R2 for suppressed readers.
func (pg *IndicatorPage) loadBreakdown(db *gorm.DB) error {
	id := pg.Indicator.DisaggregationSetID
	if id == nil {
		return nil
	}
	var set domain.DisaggregationSet
	err := db.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Take(&set, *id).Error
	if err != nil {
		return domain.NotFound(err)
	}
	pg.Set = &set
	if pg.Latest == nil {
		return nil
	}
	var cells []domain.ValueBreakdown
	if err := db.Where("value_id = ?", pg.Latest.ID).Find(&cells).Error; err != nil {
		return err
	}
	if len(cells) == 0 {
		return nil
	}
	byCell := map[string]float64{}
	for _, c := range cells {
		byCell[c.Cell] = c.Value
	}
	labels := map[string]string{}
	for _, d := range set.Dimensions {
		for _, c := range d.Categories {
			labels[d.Code+"="+c.Code] = c.Label
		}
	}
	unapproved := pg.Latest.Status != domain.StatusApproved
	// The reported cells, protected together (rule R2 of figures).
	var names []string
	var xs []float64
	for _, cell := range set.Cells() {
		if x, ok := byCell[cell]; ok {
			names, xs = append(names, cell), append(xs, x)
		}
	}
	_, shown := figures.Disclose(pg.Indicator.Sensitive, pg.Audience, pg.Latest.Value, xs, unapproved)
	figs := map[string]Figure{}
	for i, n := range names {
		figs[n] = shown[i]
	}
	for _, cell := range set.Cells() {
		r := BreakdownRow{Cell: cell, Figure: figs[cell]}
		for _, part := range strings.Split(cell, ";") {
			r.Labels = append(r.Labels, labels[part])
		}
		pg.Breakdown = append(pg.Breakdown, r)
	}
	return nil
}

// loadHistory reads the latest audit rows of the values the reader sees, in
// one query. Restricted readers see the approvals only, without names, so
// that no unapproved number reaches them through the log.
func (pg *IndicatorPage) loadHistory(db *gorm.DB, visible *gorm.DB, period map[int64]string) error {
	type row struct {
		domain.AuditEntry
		UserName *string
	}
	q := db.Table("audit_entries").Select("audit_entries.*, users.name AS user_name").
		Joins("LEFT JOIN users ON users.id = audit_entries.user_id").
		Where("audit_entries.entity_type = ? AND audit_entries.entity_id IN (?)", "indicator_value", visible)
	if pg.Restricted {
		q = q.Where("audit_entries.action = ?", "value."+reporting.ActionApprove)
	}
	var rows []row
	if err := q.Order("audit_entries.id DESC").Limit(IndicatorHistoryLimit).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		var n reporting.SnapshotFields
		_ = json.Unmarshal([]byte(r.NewValue), &n)
		e := IndicatorHistoryEntry{At: r.OccurredAt, Action: strings.TrimPrefix(r.Action, "value."), Status: n.Status}
		if r.EntityID != nil {
			e.Period = period[*r.EntityID]
		}
		if n.Value != nil {
			e.NewValue, _ = figures.Disclose(pg.Indicator.Sensitive, pg.Audience, n.Value, nil, n.Status != domain.StatusApproved)
		}
		if !pg.Restricted {
			e.Reason = r.Reason
			switch {
			case r.UserName != nil:
				e.Actor = *r.UserName
			default:
				e.Actor = r.Actor
			}
		}
		pg.History = append(pg.History, e)
	}
	return nil
}
