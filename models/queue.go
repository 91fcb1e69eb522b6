package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// QueueFilter narrows the validation queue; empty fields do not filter.
type QueueFilter struct {
	Period string // period label
	Pillar string // pillar code
	Org    string // acronym of the reporting (or lead) organisation
}

// QueueItem is a submitted value or activity update awaiting validation.
type QueueItem struct {
	ID          int64  // of the value or the update
	Kind        string // ItemIndicator or ItemActivity
	Code        string
	Name        string
	NameI18n    Texts // translations of the indicator's name or the activity's title
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
}

// Late reports whether the item was submitted after its period's due date.
func (q QueueItem) Late() bool { return q.SubmittedAt.After(dayAfter(q.DueDate)) }

// Queue is the validation queue with the choices of its filters.
type Queue struct {
	Plan    Plan
	Items   []QueueItem
	Periods []string
	Pillars []Pillar
	Orgs    []Organisation
}

// LoadQueue lists everything submitted in a plan, oldest submission first,
// filtered, with eight queries whatever the plan's size.
func LoadQueue(ctx context.Context, db *gorm.DB, planCode string, f QueueFilter) (*Queue, error) {
	db = db.WithContext(ctx)
	plan, err := FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	q := &Queue{Plan: *plan}
	if err := db.Model(&ReportingPeriod{}).Where("plan_id = ?", plan.ID).Order("start_date").Pluck("label", &q.Periods).Error; err != nil {
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
		Select("indicator_values.id, 'indicator' AS kind, indicators.code, indicators.name, indicators.name_i18n, pillars.code AS pillar_code, organisations.acronym AS org, reporting_periods.label AS period, reporting_periods.due_date, indicator_values.value, indicators.unit_type, indicator_values.narrative AS text, indicator_values.version, indicator_values.submitted_at").
		Joins("JOIN indicators ON indicators.id = indicator_values.indicator_id").
		Joins("LEFT JOIN activities ON activities.id = indicators.activity_id").
		Joins("JOIN objectives ON objectives.id = COALESCE(indicators.objective_id, activities.objective_id)").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Joins("JOIN organisations ON organisations.id = indicators.reporting_org_id").
		Joins("JOIN reporting_periods ON reporting_periods.id = indicator_values.period_id").
		Where("indicators.plan_id = ? AND indicator_values.status = ?", plan.ID, StatusSubmitted)).
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
		Where("activities.plan_id = ? AND activity_updates.status = ?", plan.ID, StatusSubmitted)).
		Order("activity_updates.submitted_at, activities.code").Scan(&updates).Error
	if err != nil {
		return nil, err
	}
	if err := attachEvidence(db, values, updates); err != nil {
		return nil, err
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
