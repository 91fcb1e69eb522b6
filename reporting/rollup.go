package reporting

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/store"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The roll-ups are rebuilt after the migrations that changed their shape.
func init() {
	store.RegisterAfterMigration(10, RebuildAllRollups)
	store.RegisterAfterMigration(12, RebuildAllRollups) // the completeness roll-ups
}

// IndicatorRollup is an indicator's figures for one period with an
// approved value, as figures.Assess works them out over the whole plan for
// the external audience (the dashboard is shown to donors). It is a cache
// kept up to date in the transaction of every change that affects it, so
// that the dashboard reads the rows of one period instead of every value;
// RebuildRollups recomputes it. The rating word is decided when read
// (figures.Word), because it depends on the plan's thresholds and, for
// "not due", on today's date.
type IndicatorRollup struct {
	IndicatorID int64 `gorm:"primaryKey;autoIncrement:false"`
	PeriodID    int64 `gorm:"primaryKey;autoIncrement:false"`
	PlanID      int64
	// Actual is nil when the figure is hidden: Small marks a "<5",
	// Withheld a figure that would reveal a small count.
	Actual    *float64
	Small     bool
	Withheld  bool
	Target    *float64
	Progress  *float64
	UpdatedAt time.Time
}

// Hidden reports whether the actual is hidden from the dashboard's readers.
func (r IndicatorRollup) Hidden() bool { return r.Small || r.Withheld }

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
	var inds []domain.Indicator
	if err := tx.Select("id", "plan_id", "accumulation", "direction", "baseline_value", "sensitive", "unit_type").
		Where("plan_id = ?", planID).Find(&inds).Error; err != nil {
		return err
	}
	inPlan := tx.Model(&domain.Indicator{}).Select("id").Where("plan_id = ?", planID)
	irows, err := indicatorRollups(tx, periods, inds, inPlan)
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
	acts := tx.Model(&domain.Activity{}).Select("id").Where("plan_id = ?", planID)
	arows, err := activityRollups(tx, planID, periods, "activity_id IN (?)", acts)
	if err != nil {
		return err
	}
	if err := tx.Where("plan_id = ?", planID).Delete(&ActivityRollup{}).Error; err != nil {
		return err
	}
	if len(arows) > 0 {
		if err := tx.CreateInBatches(arows, 500).Error; err != nil {
			return err
		}
	}
	if err := RebuildCompleteness(tx, planID, periods); err != nil {
		return err
	}
	return domain.TouchPlan(tx, planID)
}

// RebuildAllRollups recomputes the roll-ups of every plan inside tx: the
// migration that changed their shape and `naptracker rollups rebuild` run it.
func RebuildAllRollups(tx *gorm.DB) error {
	var ids []int64
	if err := tx.Model(&domain.Plan{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := RebuildRollups(tx, id); err != nil {
			return err
		}
	}
	return nil
}

// RefreshIndicatorRollup recomputes one indicator's roll-up inside tx, after
// one of its values was approved or reopened or the indicator was edited.
// On PostgreSQL it first locks the indicator's row, so that two approvals of
// the same indicator in parallel transactions take turns and the second
// sees the first's value.
func RefreshIndicatorRollup(tx *gorm.DB, indicatorID int64) error {
	var ind domain.Indicator
	q := tx.Select("id", "plan_id", "accumulation", "direction", "baseline_value", "sensitive", "unit_type")
	if store.IsPostgres(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&ind, indicatorID).Error; err != nil {
		return domain.NotFound(err)
	}
	periods, err := PlanPeriods(tx.Statement.Context, tx, ind.PlanID)
	if err != nil {
		return err
	}
	rows, err := indicatorRollups(tx, periods, []domain.Indicator{ind}, tx.Model(&domain.Indicator{}).Select("id").Where("id = ?", ind.ID))
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
	var a domain.Activity
	q := tx.Select("id", "plan_id")
	if store.IsPostgres(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&a, activityID).Error; err != nil {
		return domain.NotFound(err)
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
// their targets and approved values (ids selects the same indicators), in
// two queries.
func indicatorRollups(tx *gorm.DB, periods []domain.ReportingPeriod, inds []domain.Indicator, ids *gorm.DB) ([]IndicatorRollup, error) {
	data, err := LoadFigureData(tx, periods, ids, true, false)
	if err != nil {
		return nil, err
	}
	if len(periods) == 0 {
		return nil, nil
	}
	all := domain.FigurePeriods(periods)
	now := time.Now().UTC()
	var out []IndicatorRollup
	for _, ind := range inds {
		if data.Values[ind.ID] == nil {
			continue
		}
		// The window's instant only decides rating words, which are not stored.
		w := figures.Window{Periods: all, From: 0, To: len(all) - 1, Now: now}
		a := data.Assess(ind, nil, w, figures.External)
		for k, c := range a.Periods {
			if !c.Actual.Reported() {
				continue
			}
			out = append(out, IndicatorRollup{IndicatorID: ind.ID, PeriodID: periods[k].ID, PlanID: ind.PlanID,
				Actual: c.Actual.Value, Small: c.Actual.Small, Withheld: c.Actual.Withheld, Target: c.Target, Progress: c.Progress, UpdatedAt: now})
		}
	}
	return out, nil
}

// activityRollups computes the roll-up rows of the activities matching the
// condition on activity_id from their approved updates, with one query.
func activityRollups(tx *gorm.DB, planID int64, periods []domain.ReportingPeriod, cond string, arg any) ([]ActivityRollup, error) {
	index := make(map[int64]int, len(periods))
	for i, p := range periods {
		index[p.ID] = i
	}
	var ups []domain.ActivityUpdate
	if err := tx.Select("activity_id", "period_id", "progress", "percent_complete", "expenditure").
		Where(cond, arg).Where("status = ?", domain.StatusApproved).Find(&ups).Error; err != nil {
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

// RebuildResult says what RebuildAllRollupsChecked did.
type RebuildResult struct {
	Plans, IndicatorRows, ActivityRows int
	// Changed counts the rows that differed from the cache (added, removed
	// or changed), timestamps aside: 0 when the cache was right.
	Changed int
}

// RebuildAllRollupsChecked rebuilds the roll-ups of every plan, each in its
// own transaction, and compares them with what was stored. On PostgreSQL
// the transaction first locks the plan's indicators and activities (as an
// approval's refresh does), so a rebuild running beside the server never
// writes figures older than an approval committed meanwhile.
func RebuildAllRollupsChecked(ctx context.Context, db *gorm.DB) (RebuildResult, error) {
	var res RebuildResult
	var ids []int64
	if err := db.WithContext(ctx).Model(&domain.Plan{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return res, err
	}
	for _, id := range ids {
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if store.IsPostgres(tx) {
				if err := tx.Exec("SELECT id FROM indicators WHERE plan_id = ? ORDER BY id FOR UPDATE", id).Error; err != nil {
					return err
				}
				if err := tx.Exec("SELECT id FROM activities WHERE plan_id = ? ORDER BY id FOR UPDATE", id).Error; err != nil {
					return err
				}
			}
			before, err := rollupKeys(tx, id)
			if err != nil {
				return err
			}
			if err := RebuildRollups(tx, id); err != nil {
				return err
			}
			after, err := rollupKeys(tx, id)
			if err != nil {
				return err
			}
			for k, v := range after {
				if before[k] != v {
					res.Changed++
				}
				if k[0] == 'i' {
					res.IndicatorRows++
				} else {
					res.ActivityRows++
				}
			}
			for k := range before {
				if _, ok := after[k]; !ok {
					res.Changed++
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Plans++
	}
	return res, nil
}

// rollupKeys reads a plan's roll-up rows as comparable strings (without
// their timestamps), by row key.
func rollupKeys(tx *gorm.DB, planID int64) (map[string]string, error) {
	var inds []IndicatorRollup
	var acts []ActivityRollup
	if err := tx.Where("plan_id = ?", planID).Find(&inds).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("plan_id = ?", planID).Find(&acts).Error; err != nil {
		return nil, err
	}
	out := make(map[string]string, len(inds)+len(acts))
	f := func(x *float64) string {
		if x == nil {
			return "-"
		}
		return strconv.FormatFloat(*x, 'g', -1, 64)
	}
	for _, r := range inds {
		out[fmt.Sprintf("i%d/%d", r.IndicatorID, r.PeriodID)] = fmt.Sprint(f(r.Actual), r.Small, r.Withheld, f(r.Target), f(r.Progress))
	}
	for _, r := range acts {
		out[fmt.Sprintf("a%d", r.ActivityID)] = fmt.Sprint(r.PeriodID, r.Progress, r.PercentComplete, r.Expenditure)
	}
	return out, nil
}
