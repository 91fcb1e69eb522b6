package reporting

import (
	"context"
	"slices"
	"time"

	"naptracker/domain"
	"naptracker/store"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CompletenessRollup is what Completeness counts for one organisation, one
// period and one kind of item (ItemValue or ItemUpdate), kept up to date in
// the transaction of every change that affects it, so that the dashboard
// reads a few rows per period instead of the values and updates. What was
// not handed in is split into missing and not due when read, since that
// depends on the date. RebuildRollups recomputes the rows.
type CompletenessRollup struct {
	PeriodID       int64  `gorm:"primaryKey;autoIncrement:false"`
	OrganisationID int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind           string `gorm:"primaryKey"`
	PlanID         int64
	Expected       int64
	HandedIn       int64
	OnTime         int64
	Submitted      int64
	Returned       int64
	Approved       int64
	UpdatedAt      time.Time
}

// CompletenessFromRollups is Completeness read from the roll-ups: one
// query for the counts and one for the organisations, whatever the size of
// the plan. The roll-up equality test holds it equal to Completeness after
// every kind of change.
func CompletenessFromRollups(ctx context.Context, db *gorm.DB, plan domain.Plan, periods []domain.ReportingPeriod, orgID int64, now time.Time) (*CompletenessReport, error) {
	if len(periods) == 0 {
		return &CompletenessReport{Plan: plan, At: now}, nil
	}
	db = db.WithContext(ctx)
	ids := make([]int64, len(periods))
	for i, p := range periods {
		ids[i] = p.ID
	}
	q := db.Where("period_id IN ?", ids)
	if orgID != 0 {
		q = q.Where("organisation_id = ?", orgID)
	}
	var rows []CompletenessRollup
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	return assembleCompleteness(db, plan, periods, rollupGroups(rows), now)
}

func rollupGroups(rows []CompletenessRollup) []completenessGroup {
	out := make([]completenessGroup, len(rows))
	for i, r := range rows {
		out[i] = completenessGroup{Kind: r.Kind, OrgID: r.OrganisationID, PeriodID: r.PeriodID, Expected: r.Expected,
			HandedIn: r.HandedIn, OnTime: r.OnTime, Submitted: r.Submitted, Returned: r.Returned, Approved: r.Approved}
	}
	return out
}

// rebuildCompleteness recomputes every completeness roll-up row of a plan inside tx.
func RebuildCompleteness(tx *gorm.DB, planID int64, periods []domain.ReportingPeriod) error {
	if err := tx.Where("plan_id = ?", planID).Delete(&CompletenessRollup{}).Error; err != nil {
		return err
	}
	if len(periods) == 0 {
		return nil
	}
	groups, err := countCompleteness(tx, planID, periods, 0, "")
	if err != nil {
		return err
	}
	rows := completenessRows(planID, groups, time.Now().UTC())
	if len(rows) == 0 {
		return nil
	}
	return tx.CreateInBatches(rows, 500).Error
}

// completenessRows turns counted groups into roll-up rows, leaving out those
// with nothing expected.
func completenessRows(planID int64, groups []completenessGroup, now time.Time) []CompletenessRollup {
	out := make([]CompletenessRollup, 0, len(groups))
	for _, g := range groups {
		if g.Expected == 0 {
			continue
		}
		out = append(out, CompletenessRollup{PeriodID: g.PeriodID, OrganisationID: g.OrgID, Kind: g.Kind, PlanID: planID,
			Expected: g.Expected, HandedIn: g.HandedIn, OnTime: g.OnTime, Submitted: g.Submitted, Returned: g.Returned,
			Approved: g.Approved, UpdatedAt: now})
	}
	return out
}

// RefreshCompleteness recomputes inside tx the completeness roll-ups of the
// organisations orgIDs in a plan, for the given periods (every period of
// the plan when periods is nil) and one kind of item or both (""): after a
// change of the plan's structure (an indicator or activity added, moved to
// another organisation, archived or removed) or of an activity update.
//
// On PostgreSQL it first locks the organisations' rows, so that two
// refreshes take turns, and then their roll-up rows, so that its counts,
// read afterwards, include every change committed by a transaction that
// adjusted those rows before (see adjustValueCompleteness).
func RefreshCompleteness(tx *gorm.DB, planID int64, orgIDs []int64, periods []domain.ReportingPeriod, kind string) error {
	orgIDs = slices.Compact(slices.Sorted(slices.Values(orgIDs)))
	if len(orgIDs) == 0 {
		return nil
	}
	if periods == nil {
		var err error
		if periods, err = PlanPeriods(tx.Statement.Context, tx, planID); err != nil {
			return err
		}
	}
	if len(periods) == 0 {
		return nil
	}
	ids := make([]int64, len(periods))
	for i, p := range periods {
		ids[i] = p.ID
	}
	kinds := []string{ItemValue, ItemUpdate}
	if kind != "" {
		kinds = []string{kind}
	}
	if store.IsPostgres(tx) {
		if err := tx.Exec("SELECT id FROM organisations WHERE id IN ? ORDER BY id FOR UPDATE", orgIDs).Error; err != nil {
			return err
		}
		if err := tx.Exec("SELECT period_id FROM completeness_rollups WHERE organisation_id IN ? AND period_id IN ? AND kind IN ? "+
			"ORDER BY period_id, organisation_id, kind FOR UPDATE", orgIDs, ids, kinds).Error; err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	for _, org := range orgIDs {
		groups, err := countCompleteness(tx, planID, periods, org, kind)
		if err != nil {
			return err
		}
		if err := tx.Where("organisation_id = ? AND period_id IN ? AND kind IN ?", org, ids, kinds).Delete(&CompletenessRollup{}).Error; err != nil {
			return err
		}
		if rows := completenessRows(planID, groups, now); len(rows) > 0 {
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// itemCounts is one value's or update's contribution to its roll-up row,
// the same rules as countCompleteness's SQL.
func itemCounts(w *domain.Workflow, p domain.ReportingPeriod) (handedIn, onTime, submitted, returned, approved int64) {
	if w == nil {
		return
	}
	in := (w.Status == domain.StatusSubmitted || w.Status == domain.StatusApproved || w.Status == domain.StatusReturned) && w.SubmittedAt != nil
	b := func(x bool) int64 {
		if x {
			return 1
		}
		return 0
	}
	return b(in), b(in && w.SubmittedAt.Before(p.DueBy())), b(w.Status == domain.StatusSubmitted),
		b(w.Status == domain.StatusReturned && w.SubmittedAt != nil), b(w.Status == domain.StatusApproved)
}

// adjustValueCompleteness moves a value's contribution to the completeness
// roll-up of its organisation and period from what it was (before, nil
// when there was no value) to what it is (after), inside the transaction
// that changed it: one UPDATE of one row, none when nothing counted
// changes (a draft saved again). The UPDATE adds to the stored counts, so
// parallel transactions on PostgreSQL queue on the row and none is lost.
// It reports whether the counts changed.
func adjustValueCompleteness(tx *gorm.DB, planID, orgID int64, p domain.ReportingPeriod, before, after *domain.Workflow) (bool, error) {
	h0, o0, s0, r0, a0 := itemCounts(before, p)
	h1, o1, s1, r1, a1 := itemCounts(after, p)
	if h0 == h1 && o0 == o1 && s0 == s1 && r0 == r1 && a0 == a1 {
		return false, nil
	}
	res := tx.Exec("UPDATE completeness_rollups SET handed_in = handed_in + ?, on_time = on_time + ?, submitted = submitted + ?, "+
		"returned = returned + ?, approved = approved + ?, updated_at = ? WHERE period_id = ? AND organisation_id = ? AND kind = ?",
		h1-h0, o1-o0, s1-s0, r1-r0, a1-a0, time.Now().UTC(), p.ID, orgID, ItemValue)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 0 {
		// No row yet (a roll-up never built for this organisation): count it.
		return true, RefreshCompleteness(tx, planID, []int64{orgID}, []domain.ReportingPeriod{p}, ItemValue)
	}
	return true, nil
}

// itemOrg is the organisation an indicator reports to or an activity's
// lead (0 for other kinds of entity).
func ItemOrg(tx *gorm.DB, kind string, id int64) (int64, error) {
	var col string
	switch kind {
	case "indicator":
		col = "reporting_org_id"
	case "activity":
		col = "lead_org_id"
	default:
		return 0, nil
	}
	var org int64
	err := tx.Table(domain.EntityTables[kind]).Select(col).Where("id = ?", id).Scan(&org).Error
	return org, err
}

// refreshItemCompleteness recounts the completeness of an indicator's or an
// activity's organisation after it was archived, restored or deleted.
func RefreshItemCompleteness(tx *gorm.DB, ref domain.EntityRef, org int64) error {
	if org == 0 || ref.PlanID == nil {
		return nil
	}
	kind := ItemValue
	if ref.Kind == "activity" {
		kind = ItemUpdate
	}
	return RefreshCompleteness(tx, *ref.PlanID, []int64{org}, nil, kind)
}
