package reporting

import (
	"context"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"

	"gorm.io/gorm"
)

// QueueFilter narrows the validation queue; empty fields do not filter.
type QueueFilter struct {
	Period string // period label
	Pillar string // pillar code
	Org    string // acronym of the reporting (or lead) organisation
	// Jump keeps only values that jumped from the previous period's.
	Jump bool
}

// QueueItem is a submitted value or activity update awaiting validation.
type QueueItem struct {
	ID          int64  // of the value or the update
	Kind        string // ItemIndicator or ItemActivity
	Code        string
	Name        string
	NameI18n    domain.Texts // translations of the indicator's name or the activity's title
	PillarCode  string
	Org         string
	Period      string
	DueDate     time.Time
	Value       *float64
	UnitType    string
	Progress    string
	Percent     int
	Text        string // narrative, or achievements
	Version     int
	SubmittedAt time.Time
	// Evidence is the files and links attached to the item.
	Evidence []EvidenceListing `gorm:"-"`
	// For values: the period's target (figures.PeriodTargets), the
	// previous period's value (figures.Disclose) and its label, and the
	// jump from it (JumpBetween), so that the secretariat validates with
	// the same context the focal point had.
	IndicatorID   int64
	PeriodID      int64
	Target        *float64
	Previous      *float64
	PreviousLabel string
	Jump          *Jump `gorm:"-"`
	// Breakdown is the value's breakdown, Comments the number of comments
	// in the item's thread.
	Breakdown []QueueCell `gorm:"-"`
	Comments  int         `gorm:"-"`
}

// Late reports whether the item was submitted after its period's due date.
func (q QueueItem) Late() bool { return q.SubmittedAt.After(domain.DayAfter(q.DueDate)) }

// Queue is the validation queue with the choices of its filters.
type Queue struct {
	Plan    domain.Plan
	Items   []QueueItem
	Periods []string
	Pillars []domain.Pillar
	Orgs    []domain.Organisation
}

// LoadQueue lists everything submitted in a plan, oldest submission first,
// filtered, with the same number of queries whatever the plan's size and the
// queue's length.
func LoadQueue(ctx context.Context, db *gorm.DB, planCode string, f QueueFilter) (*Queue, error) {
	db = db.WithContext(ctx)
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	q := &Queue{Plan: *plan}
	if err := db.Model(&domain.ReportingPeriod{}).Where("plan_id = ?", plan.ID).Order("start_date").Pluck("label", &q.Periods).Error; err != nil {
		return nil, err
	}
	if err := db.Where("plan_id = ? AND archived_at IS NULL", plan.ID).Order("position, code").Find(&q.Pillars).Error; err != nil {
		return nil, err
	}
	if q.Orgs, err = ReportingOrganisations(ctx, db); err != nil {
		return nil, err
	}
	filter := func(tx *gorm.DB) *gorm.DB {
		if f.Period != "" {
			tx = tx.Where("reporting_periods.label = ?", f.Period)
		}
		if f.Pillar != "" {
			tx = tx.Where("pillars.code = ?", f.Pillar)
		}
		if f.Org != "" {
			tx = tx.Where("organisations.acronym = ?", f.Org)
		}
		return tx
	}
	var values []QueueItem
	err = filter(db.Table("indicator_values").
		Select("indicator_values.id, 'indicator' AS kind, indicators.code, indicators.name, indicators.name_i18n, pillars.code AS pillar_code, organisations.acronym AS org, reporting_periods.label AS period, reporting_periods.due_date, indicator_values.value, indicators.unit_type, indicator_values.narrative AS text, indicator_values.version, indicator_values.submitted_at, indicators.id AS indicator_id, indicator_values.period_id").
		Joins("JOIN indicators ON indicators.id = indicator_values.indicator_id").
		Joins("LEFT JOIN activities ON activities.id = indicators.activity_id").
		Joins("JOIN objectives ON objectives.id = COALESCE(indicators.objective_id, activities.objective_id)").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Joins("JOIN organisations ON organisations.id = indicators.reporting_org_id").
		Joins("JOIN reporting_periods ON reporting_periods.id = indicator_values.period_id").
		Where("indicators.plan_id = ? AND indicator_values.status = ?", plan.ID, domain.StatusSubmitted)).
		Order("indicator_values.submitted_at, indicators.code").Scan(&values).Error
	if err != nil {
		return nil, err
	}
	var updates []QueueItem
	err = filter(db.Table("activity_updates").
		Select("activity_updates.id, 'activity' AS kind, activities.code, activities.title AS name, activities.title_i18n AS name_i18n, pillars.code AS pillar_code, organisations.acronym AS org, reporting_periods.label AS period, reporting_periods.due_date, activity_updates.progress, activity_updates.percent_complete AS percent, activity_updates.achievements AS text, activity_updates.version, activity_updates.submitted_at").
		Joins("JOIN activities ON activities.id = activity_updates.activity_id").
		Joins("JOIN objectives ON objectives.id = activities.objective_id").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Joins("JOIN organisations ON organisations.id = activities.lead_org_id").
		Joins("JOIN reporting_periods ON reporting_periods.id = activity_updates.period_id").
		Where("activities.plan_id = ? AND activity_updates.status = ?", plan.ID, domain.StatusSubmitted)).
		Order("activity_updates.submitted_at, activities.code").Scan(&updates).Error
	if err != nil {
		return nil, err
	}
	if err := attachEvidence(db, values, updates); err != nil {
		return nil, err
	}
	if err := attachComments(db, values, updates); err != nil {
		return nil, err
	}
	if err := addValueContext(db, plan, values); err != nil {
		return nil, err
	}
	if f.Jump {
		jumped := values[:0]
		for _, v := range values {
			if v.Jump != nil {
				jumped = append(jumped, v)
			}
		}
		values, updates = jumped, nil
	}
	q.Items = append(values, updates...)
	return q, nil
}

// attachEvidence fills the evidence of the queue's values and updates in
// one query, whatever their number.
func attachEvidence(db *gorm.DB, values, updates []QueueItem) error {
	index := func(items []QueueItem) ([]int64, map[int64]int) {
		ids := make([]int64, len(items))
		at := make(map[int64]int, len(items))
		for i, it := range items {
			ids[i], at[it.ID] = it.ID, i
		}
		return ids, at
	}
	valueIDs, valueAt := index(values)
	updateIDs, updateAt := index(updates)
	// GORM writes an empty list as IN (NULL), which matches nothing.
	var ev []EvidenceListing
	err := evidenceListing(db).Where("evidence.indicator_value_id IN ? OR evidence.activity_update_id IN ?", valueIDs, updateIDs).
		Order("evidence.id").Scan(&ev).Error
	if err != nil {
		return err
	}
	for _, e := range ev {
		if e.IndicatorValueID != nil {
			if i, ok := valueAt[*e.IndicatorValueID]; ok {
				values[i].Evidence = append(values[i].Evidence, e)
			}
		} else if i, ok := updateAt[*e.ActivityUpdateID]; ok {
			updates[i].Evidence = append(updates[i].Evidence, e)
		}
	}
	return nil
}

// addValueContext fills the target, previous value and jump of the queue's
// values, and their breakdowns, with six queries whatever their number (even none, so that
// the queue's query count does not depend on its length). The queue is for the
// secretariat, an internal audience.
func addValueContext(db *gorm.DB, plan *domain.Plan, values []QueueItem) error {
	var periods []domain.ReportingPeriod
	if err := db.Where("plan_id = ?", plan.ID).Order("start_date, id").Find(&periods).Error; err != nil {
		return err
	}
	index := map[int64]int{}
	for k, p := range periods {
		index[p.ID] = k
	}
	ids := make([]int64, 0, len(values))
	prevIDs := []int64{0}
	for _, v := range values {
		ids = append(ids, v.IndicatorID)
		if k := index[v.PeriodID]; k > 0 {
			prevIDs = append(prevIDs, periods[k-1].ID)
		}
	}
	var inds []domain.Indicator
	if err := db.Where("id IN ?", ids).Find(&inds).Error; err != nil {
		return err
	}
	var targets []domain.IndicatorTarget
	if err := db.Where("indicator_id IN ?", ids).Find(&targets).Error; err != nil {
		return err
	}
	var earlier []domain.IndicatorValue
	if err := db.Select("indicator_id, period_id, value, status").Where("indicator_id IN ? AND period_id IN ?", ids, prevIDs).Find(&earlier).Error; err != nil {
		return err
	}
	yearly := map[int64]map[int]float64{}
	for _, t := range targets {
		if yearly[t.IndicatorID] == nil {
			yearly[t.IndicatorID] = map[int]float64{}
		}
		yearly[t.IndicatorID][t.Year] = t.Value
	}
	type key struct{ ind, period int64 }
	byKey := map[key]*domain.IndicatorValue{}
	for i := range earlier {
		byKey[key{earlier[i].IndicatorID, earlier[i].PeriodID}] = &earlier[i]
	}
	indByID := map[int64]domain.Indicator{}
	for _, ind := range inds {
		indByID[ind.ID] = ind
	}
	if err := attachBreakdowns(db, values, indByID); err != nil {
		return err
	}
	all := domain.FigurePeriods(periods)
	for i := range values {
		v := &values[i]
		ind, k := indByID[v.IndicatorID], index[v.PeriodID]
		v.Target = figures.PeriodTargets(ind.Figures(yearly[ind.ID]), all)[k]
		if k == 0 {
			continue
		}
		if p := byKey[key{ind.ID, periods[k-1].ID}]; p != nil && p.Value != nil {
			f, _ := figures.Disclose(ind.Sensitive, figures.Internal, p.Value, nil, p.Status != domain.StatusApproved)
			v.Previous, v.PreviousLabel = f.Value, periods[k-1].Label
			v.Jump = JumpBetween(v.Previous, v.Value, v.PreviousLabel)
		}
	}
	return nil
}
