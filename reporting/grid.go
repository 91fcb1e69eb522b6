package reporting

import (
	"context"
	"errors"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"

	"gorm.io/gorm"
)

// ValueGrid is the data-entry grid of an organisation for a period: every
// indicator value it owes, one row each, with what the focal point needs to
// type it in one sitting (unit, target, the previous period's value).
type ValueGrid struct {
	Plan   domain.Plan
	Org    domain.Organisation
	Period domain.ReportingPeriod
	State  string // the period's state for the organisation
	// PreviousLabel is the period before Period ("" for the first).
	PreviousLabel string
	Rows          []GridRow
}

// GridRow is one indicator of the grid.
type GridRow struct {
	Indicator domain.Indicator
	Set       *domain.DisaggregationSet
	Value     *domain.IndicatorValue // nil when nothing was reported yet
	// Target is the period's target (figures.PeriodTargets), nil when the
	// year has none.
	Target *float64
	// Previous is the previous period's value as the reader may see it
	// (figures.Disclose); nil when nothing was reported.
	Previous *figures.Figure
	// Range is where the period's value is expected (PlausibleRange), nil
	// when the plan gives nothing to derive it from.
	Range *Range
	// Evidence is the number of files and links attached to the value.
	Evidence int
}

// reportedPlanOrg finds a grid's plan and organisation (into org), which
// scope must report for (ErrForbidden otherwise).
func reportedPlanOrg(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, orgAcronym string, org *domain.Organisation) (*domain.Plan, error) {
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	if err := db.Where("acronym = ?", orgAcronym).Take(org).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if !scope.CanReport(org.ID) {
		return nil, domain.ErrForbidden
	}
	return plan, nil
}

// LoadValueGrid reads the grid of the organisation (by acronym) for a
// period, for a scope that reports for it (ErrForbidden otherwise), in a
// fixed number of queries whatever the number of indicators.
func LoadValueGrid(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, orgAcronym, periodLabel string, now time.Time) (*ValueGrid, error) {
	db = db.WithContext(ctx)
	g := &ValueGrid{}
	plan, err := reportedPlanOrg(ctx, db, scope, planCode, orgAcronym, &g.Org)
	if err != nil {
		return nil, err
	}
	g.Plan = *plan
	var periods []domain.ReportingPeriod
	if err := db.Where("plan_id = ?", plan.ID).Order("start_date, id").Find(&periods).Error; err != nil {
		return nil, err
	}
	k := -1
	for i, p := range periods {
		if p.Label == periodLabel {
			k = i
		}
	}
	if k < 0 {
		return nil, domain.ErrNotFound
	}
	g.Period = periods[k]
	var prevID int64
	if k > 0 {
		g.PreviousLabel, prevID = periods[k-1].Label, periods[k-1].ID
	}
	if g.State, err = periodStateFor(db, g.Period, g.Org.ID, now); err != nil {
		return nil, err
	}
	var inds []domain.Indicator
	if err := db.Where("plan_id = ? AND reporting_org_id = ? AND archived_at IS NULL", plan.ID, g.Org.ID).
		Order("position, code").Find(&inds).Error; err != nil {
		return nil, err
	}
	if len(inds) == 0 {
		return g, nil
	}
	ofOrg := db.Model(&domain.Indicator{}).Select("id").Where("plan_id = ? AND reporting_org_id = ? AND archived_at IS NULL", plan.ID, g.Org.ID)
	var targets []domain.IndicatorTarget
	if err := db.Where("indicator_id IN (?)", ofOrg).Find(&targets).Error; err != nil {
		return nil, err
	}
	var values []domain.IndicatorValue
	if err := db.Where("indicator_id IN (?) AND period_id IN ?", ofOrg, []int64{g.Period.ID, prevID}).Find(&values).Error; err != nil {
		return nil, err
	}
	var cells []domain.ValueBreakdown
	current := db.Model(&domain.IndicatorValue{}).Select("id").Where("indicator_id IN (?) AND period_id = ?", ofOrg, g.Period.ID)
	if err := db.Where("value_id IN (?)", current).Order("value_id, cell").Find(&cells).Error; err != nil {
		return nil, err
	}
	var evidence []struct {
		IndicatorValueID int64
		N                int
	}
	if err := db.Table("evidence").Select("indicator_value_id, COUNT(*) AS n").Where("indicator_value_id IN (?)", current).
		Group("indicator_value_id").Scan(&evidence).Error; err != nil {
		return nil, err
	}
	var sets []domain.DisaggregationSet
	setIDs := db.Model(&domain.Indicator{}).Select("disaggregation_set_id").Where("plan_id = ? AND reporting_org_id = ? AND archived_at IS NULL AND disaggregation_set_id IS NOT NULL", plan.ID, g.Org.ID)
	err = db.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Where("id IN (?)", setIDs).Find(&sets).Error
	if err != nil {
		return nil, err
	}

	yearly := map[int64]map[int]float64{}
	for _, t := range targets {
		if yearly[t.IndicatorID] == nil {
			yearly[t.IndicatorID] = map[int]float64{}
		}
		yearly[t.IndicatorID][t.Year] = t.Value
	}
	setByID := map[int64]*domain.DisaggregationSet{}
	for i := range sets {
		setByID[sets[i].ID] = &sets[i]
	}
	cur, prev := map[int64]*domain.IndicatorValue{}, map[int64]*domain.IndicatorValue{}
	byValue := map[int64]*domain.IndicatorValue{}
	for i := range values {
		v := &values[i]
		if v.PeriodID == g.Period.ID {
			cur[v.IndicatorID], byValue[v.ID] = v, v
		} else {
			prev[v.IndicatorID] = v
		}
	}
	for _, b := range cells {
		if v := byValue[b.ValueID]; v != nil {
			v.Breakdown = append(v.Breakdown, b)
		}
	}
	evidenceOf := map[int64]int{}
	for _, e := range evidence {
		evidenceOf[e.IndicatorValueID] = e.N
	}
	all := domain.FigurePeriods(periods)
	aud := scope.AudienceFor(g.Org.ID)
	g.Rows = make([]GridRow, len(inds))
	for i, ind := range inds {
		r := GridRow{Indicator: ind, Value: cur[ind.ID]}
		if ind.DisaggregationSetID != nil {
			r.Set = setByID[*ind.DisaggregationSetID]
		}
		if r.Value != nil {
			r.Evidence = evidenceOf[r.Value.ID]
		}
		targets := figures.PeriodTargets(ind.Figures(yearly[ind.ID]), all)
		r.Target, r.Range = targets[k], PlausibleRange(ind, targets, k)
		if p := prev[ind.ID]; p != nil && p.Value != nil {
			f, _ := figures.Disclose(ind.Sensitive, aud, p.Value, nil, p.Status != domain.StatusApproved)
			r.Previous = &f
		}
		g.Rows[i] = r
	}
	return g, nil
}

// Open reports whether the period takes changes for the organisation.
func (g *ValueGrid) Open() bool {
	return g.State == domain.PeriodOpen || g.State == domain.PeriodOverdue
}

// Editable reports whether the row can be changed now: the period is open
// and the value is not submitted or approved.
func (r *GridRow) Editable(open bool) bool {
	return open && (r.Value == nil || r.Value.Status == domain.StatusDraft || r.Value.Status == domain.StatusReturned)
}

// Version is the version an edit of the row is based on (0 for a new value).
func (r *GridRow) Version() int {
	if r.Value == nil {
		return 0
	}
	return r.Value.Version
}

// Cell returns the stored breakdown value of a cell, or nil.
func (r *GridRow) Cell(cell string) *float64 {
	if r.Value == nil {
		return nil
	}
	for _, b := range r.Value.Breakdown {
		if b.Cell == cell {
			x := b.Value
			return &x
		}
	}
	return nil
}

// Complete reports whether the stored value can be submitted: it has a
// value, and a breakdown when the indicator has a disaggregation set.
func (r *GridRow) Complete() bool {
	return r.Value != nil && r.Value.Value != nil && (r.Set == nil || len(r.Value.Breakdown) > 0)
}

// Jump compares the stored value with the previous period's (JumpBetween).
func (r *GridRow) Jump(previousLabel string) *Jump {
	if r.Value == nil || r.Previous == nil {
		return nil
	}
	return JumpBetween(r.Previous.Value, r.Value.Value, previousLabel)
}

// OutOfRange returns the plausible range when the stored value is outside
// it, else nil.
func (r *GridRow) OutOfRange() *Range {
	if r.Value == nil || !r.Range.Outside(r.Value.Value) {
		return nil
	}
	return r.Range
}

// Unchanged reports whether saving in would leave the stored value as it
// is (nothing typed where nothing was reported counts as unchanged), so that
// a grid save touches only the rows that were edited.
func (r *GridRow) Unchanged(in ValueInput) bool {
	if r.Value == nil {
		return in.Value == nil && in.TextValue == "" && in.Narrative == "" && len(in.Disaggregation) == 0
	}
	return sameContent(r.Value, in)
}

// LoadValueGrids reads the grids of the organisation for the periods
// from..to (labels; to empty means from alone), one LoadValueGrid each, in
// period order: the offline template of a range. An unknown label is
// ErrNotFound; a range that runs backwards is a *ValidationError.
func LoadValueGrids(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, orgAcronym, from, to string, now time.Time) ([]*ValueGrid, error) {
	if to == "" || to == from {
		g, err := LoadValueGrid(ctx, db, scope, planCode, orgAcronym, from, now)
		if err != nil {
			return nil, err
		}
		return []*ValueGrid{g}, nil
	}
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	var all []domain.ReportingPeriod
	if err := db.WithContext(ctx).Where("plan_id = ?", plan.ID).Order("start_date, id").Find(&all).Error; err != nil {
		return nil, err
	}
	r, err := planning.ResolveRange(all, from, to, now)
	var ve *domain.ValidationError
	if errors.As(err, &ve) && ve.Keys["to"].Key != "err.range_reversed" {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var out []*ValueGrid
	for _, p := range r.Periods() {
		g, err := LoadValueGrid(ctx, db, scope, planCode, orgAcronym, p.Label, now)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}
