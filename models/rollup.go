package models

import (
	"math"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IndicatorRollup is the approved state of one indicator, kept up to date in
// the transaction of every change that affects it, so that the dashboard
// never aggregates the values themselves: the latest period with an approved
// value, the actual there (models.Actual over that period, by the
// indicator's accumulation), the target of that period (PeriodTarget, as in
// the Excel report) and the progress toward it (Progress from
// MeasureBaseline). The RAG word is derived when read (RollupRAG), because
// it depends on the plan's thresholds and, for "not due", on today's date.
type IndicatorRollup struct {
	IndicatorID int64 `gorm:"primaryKey;autoIncrement:false"`
	PlanID      int64
	PeriodID    int64
	Actual      float64
	Target      *float64
	Progress    *float64
	// Withheld: the actual is a small count of a sensitive indicator, or
	// would reveal one (models.FigureOf); the dashboard shows neither it
	// nor the progress.
	Withheld  bool
	UpdatedAt time.Time
}

// ActivityRollup is the latest approved update of one activity: its status,
// percent complete and expenditure so far.
type ActivityRollup struct {
	ActivityID      int64 `gorm:"primaryKey;autoIncrement:false"`
	PlanID          int64
	PeriodID        int64
	Progress        string
	PercentComplete int
	Expenditure     float64
	UpdatedAt       time.Time
}

// RebuildRollups recomputes every roll-up row of a plan from its approved
// values and updates, inside tx: the seeds call it at the end of loading,
// and a plan change that moves period boundaries calls it too. It reads the
// plan's values once (a bounded number of queries whatever the plan size).
func RebuildRollups(tx *gorm.DB, planID int64) error {
	periods, err := PlanPeriods(tx.Statement.Context, tx, planID)
	if err != nil {
		return err
	}
	var inds []Indicator
	if err := tx.Select("id", "plan_id", "accumulation", "direction", "baseline_value", "sensitive").
		Where("plan_id = ?", planID).Find(&inds).Error; err != nil {
		return err
	}
	inPlan := tx.Model(&Indicator{}).Select("id").Where("plan_id = ?", planID)
	irows, err := indicatorRollups(tx, periods, inds, "indicator_id IN (?)", inPlan)
	if err != nil {
		return err
	}
	if err := tx.Where("plan_id = ?", planID).Delete(&IndicatorRollup{}).Error; err != nil {
		return err
	}
	if len(irows) > 0 {
		if err := tx.CreateInBatches(irows, 500).Error; err != nil {
			return err
		}
	}
	acts := tx.Model(&Activity{}).Select("id").Where("plan_id = ?", planID)
	arows, err := activityRollups(tx, planID, periods, "activity_id IN (?)", acts)
	if err != nil {
		return err
	}
	if err := tx.Where("plan_id = ?", planID).Delete(&ActivityRollup{}).Error; err != nil {
		return err
	}
	if len(arows) > 0 {
		return tx.CreateInBatches(arows, 500).Error
	}
	return nil
}

// RefreshIndicatorRollup recomputes one indicator's roll-up inside tx, after
// one of its values was approved or reopened or the indicator was edited.
// On PostgreSQL it first locks the indicator's row, so that two approvals of
// the same indicator in parallel transactions take turns and the second
// sees the first's value.
func RefreshIndicatorRollup(tx *gorm.DB, indicatorID int64) error {
	var ind Indicator
	q := tx.Select("id", "plan_id", "accumulation", "direction", "baseline_value", "sensitive")
	if IsPostgres(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&ind, indicatorID).Error; err != nil {
		return notFound(err)
	}
	periods, err := PlanPeriods(tx.Statement.Context, tx, ind.PlanID)
	if err != nil {
		return err
	}
	rows, err := indicatorRollups(tx, periods, []Indicator{ind}, "indicator_id = ?", ind.ID)
	if err != nil {
		return err
	}
	if err := tx.Where("indicator_id = ?", ind.ID).Delete(&IndicatorRollup{}).Error; err != nil {
		return err
	}
	if len(rows) > 0 {
		return tx.Create(rows).Error
	}
	return nil
}

// RefreshActivityRollup recomputes one activity's roll-up inside tx, after
// one of its updates was approved or reopened (locking the activity's row
// on PostgreSQL, as RefreshIndicatorRollup does).
func RefreshActivityRollup(tx *gorm.DB, activityID int64) error {
	var a Activity
	q := tx.Select("id", "plan_id")
	if IsPostgres(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&a, activityID).Error; err != nil {
		return notFound(err)
	}
	periods, err := PlanPeriods(tx.Statement.Context, tx, a.PlanID)
	if err != nil {
		return err
	}
	rows, err := activityRollups(tx, a.PlanID, periods, "activity_id = ?", a.ID)
	if err != nil {
		return err
	}
	if err := tx.Where("activity_id = ?", a.ID).Delete(&ActivityRollup{}).Error; err != nil {
		return err
	}
	if len(rows) > 0 {
		return tx.Create(rows).Error
	}
	return nil
}

// indicatorRollups computes the roll-up rows of the indicators inds from
// their targets and approved values (those matching the condition on
// indicator_id), with two queries.
func indicatorRollups(tx *gorm.DB, periods []ReportingPeriod, inds []Indicator, cond string, arg any) ([]IndicatorRollup, error) {
	index := make(map[int64]int, len(periods))
	for i, p := range periods {
		index[p.ID] = i
	}
	var targetRows []IndicatorTarget
	if err := tx.Where(cond, arg).Find(&targetRows).Error; err != nil {
		return nil, err
	}
	targets := map[int64]map[int]float64{}
	for _, t := range targetRows {
		if targets[t.IndicatorID] == nil {
			targets[t.IndicatorID] = map[int]float64{}
		}
		targets[t.IndicatorID][t.Year] = t.Value
	}
	type valueRow struct {
		IndicatorID int64
		PeriodID    int64
		Value       float64
	}
	var vals []valueRow
	if err := tx.Model(&IndicatorValue{}).Select("indicator_id", "period_id", "value").
		Where(cond, arg).Where("status = ? AND value IS NOT NULL", StatusApproved).Find(&vals).Error; err != nil {
		return nil, err
	}
	// Each indicator's approved values by period index.
	byInd := map[int64]map[int]float64{}
	for _, v := range vals {
		k, ok := index[v.PeriodID]
		if !ok {
			continue
		}
		if byInd[v.IndicatorID] == nil {
			byInd[v.IndicatorID] = map[int]float64{}
		}
		byInd[v.IndicatorID][k] = v.Value
	}
	place, count := YearSlots(periods)
	now := time.Now().UTC()
	var out []IndicatorRollup
	for _, ind := range inds {
		got := byInd[ind.ID]
		if len(got) == 0 {
			continue
		}
		var pts []CountPoint
		last := -1
		for k := range periods {
			if v, ok := got[k]; ok {
				pts = append(pts, CountPoint{Value: v, Period: int32(k)})
				last = k
			}
		}
		// Every role sees the dashboard, donors included: small counts of
		// sensitive indicators are withheld for all.
		f := FigureOf(ind.Accumulation, pts, SeriesOf(pts, periods), periods, last, last, ind.Sensitive)
		if f.Value == nil {
			continue
		}
		actual := f.Value
		r := IndicatorRollup{IndicatorID: ind.ID, PlanID: ind.PlanID, PeriodID: periods[last].ID, Actual: *actual, Withheld: f.Hidden, UpdatedAt: now}
		r.Target = PeriodTarget(ind, targets[ind.ID], periods, last, place, count)
		if r.Target != nil {
			p := Progress(*actual, MeasureBaseline(ind), *r.Target, ind.Direction)
			if !math.IsNaN(p) && !math.IsInf(p, 0) {
				r.Progress = &p
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// activityRollups computes the roll-up rows of the activities matching the
// condition on activity_id from their approved updates, with one query.
func activityRollups(tx *gorm.DB, planID int64, periods []ReportingPeriod, cond string, arg any) ([]ActivityRollup, error) {
	index := make(map[int64]int, len(periods))
	for i, p := range periods {
		index[p.ID] = i
	}
	var ups []ActivityUpdate
	if err := tx.Select("activity_id", "period_id", "progress", "percent_complete", "expenditure").
		Where(cond, arg).Where("status = ?", StatusApproved).Find(&ups).Error; err != nil {
		return nil, err
	}
	latest := map[int64]int{} // activity id → position in ups
	var order []int64
	for i, u := range ups {
		k, ok := index[u.PeriodID]
		if !ok {
			continue
		}
		j, seen := latest[u.ActivityID]
		if !seen {
			order = append(order, u.ActivityID)
		}
		if !seen || index[ups[j].PeriodID] < k {
			latest[u.ActivityID] = i
		}
	}
	now := time.Now().UTC()
	out := make([]ActivityRollup, 0, len(order))
	for _, id := range order {
		u := ups[latest[id]]
		out = append(out, ActivityRollup{ActivityID: id, PlanID: planID, PeriodID: u.PeriodID, Progress: u.Progress,
			PercentComplete: u.PercentComplete, Expenditure: u.Expenditure, UpdatedAt: now})
	}
	return out, nil
}

// RatingPeriod is the period at which the dashboard rates indicators, as the
// Excel report's summary does: the last period whose due date has passed at
// now (due true), or the first period while none has (due false). k is -1
// when the plan has no periods.
func RatingPeriod(all []ReportingPeriod, now time.Time) (k int, due bool) {
	if len(all) == 0 {
		return -1, false
	}
	k = 0
	for i, p := range all {
		if !now.Before(p.DueBy()) {
			k, due = i, true
		}
	}
	return k, due
}

// RollupRAG rates an indicator at the rating period k (see RatingPeriod)
// from its roll-up: at is the index of the roll-up's period, or -1 when
// nothing of it is approved. A roll-up of period k or later is rated from
// its progress with the plan's thresholds; otherwise nothing approved
// covers period k, which is "not due" while k's due date has not passed and
// "no data" after — the rule of models.Rate.
func RollupRAG(progress *float64, at, k int, due bool, th Thresholds) string {
	if at < 0 || at < k {
		return Rate(nil, nil, nil, "", th, due).RAG
	}
	if progress == nil {
		return RAGNoData
	}
	return th.Classify(*progress)
}
