package review

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// ReviewChanges is what moved since a review snapshot: the indicators whose
// rating changed between the snapshot and now, the values and activity
// updates approved since, and the workshop decisions done since, overdue
// or still due. The dashboard panel, the slide and the workbook sheet
// "Since the last review" all show it.
type ReviewChanges struct {
	Snapshot SnapshotSummary
	// Ratings lists the indicators rated differently now than when the
	// snapshot was taken, in code order; Moves counts them by move.
	Ratings []RatingChange
	Moves   []RatingMove
	// Approvals are the approvals of values and updates since the snapshot,
	// oldest first (at most ReviewApprovalsMax).
	Approvals      []ReviewApproval
	ApprovalsTotal int
	// Decisions of the plan: done since the snapshot, open and past their
	// due date, open and due later.
	Done, Overdue, Due []DecisionRow
}

// ReviewApprovalsMax bounds the approvals listed (all are counted).
const ReviewApprovalsMax = 200

// RatingChange is an indicator rated From at the snapshot (at its period
// FromPeriod) and To now (at ToPeriod).
type RatingChange struct {
	Indicator            domain.Indicator
	From, To             string
	FromPeriod, ToPeriod string
}

// RatingMove counts the indicators that moved from one rating to another.
type RatingMove struct {
	From, To string
	N        int
}

// ReviewApproval is one approval since the snapshot.
type ReviewApproval struct {
	At     time.Time
	Kind   string // "value" or "update"
	Code   string // the indicator's or the activity's
	Period string
}

// LoadReviewChanges compares the plan now with one of its review snapshots
// (snapshotID; 0 for the latest). It returns nil when the plan has no
// snapshot. Ratings on both sides come from figures.Assess for the external
// audience over approved data: at the snapshot, over the values it froze,
// its range and its instant; now, over the live values from the same first
// period to the later of the snapshot's last period and the last period
// started. A fixed number of queries whatever the size of the plan.
//
// current, when not nil, gives each indicator's rating now (the dashboard
// has it from its roll-ups, by the same rule) instead of working it out
// again from the values.
func LoadReviewChanges(ctx context.Context, db *gorm.DB, plan domain.Plan, snapshotID int64, now time.Time, current map[int64]figures.Cell) (*ReviewChanges, error) {
	db = db.WithContext(ctx)
	list, err := ListSnapshots(ctx, db, plan.ID)
	if err != nil {
		return nil, err
	}
	at := slices.IndexFunc(list, func(s SnapshotSummary) bool { return snapshotID == 0 || s.ID == snapshotID })
	if at < 0 {
		if snapshotID != 0 {
			return nil, domain.ErrNotFound
		}
		return nil, nil
	}
	rc := &ReviewChanges{Snapshot: list[at]}
	snap := rc.Snapshot
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		return nil, err
	}
	from := slices.IndexFunc(periods, func(p domain.ReportingPeriod) bool { return p.ID == snap.FromPeriodID })
	to := slices.IndexFunc(periods, func(p domain.ReportingPeriod) bool { return p.ID == snap.ToPeriodID })
	if from < 0 || to < 0 {
		return rc, nil // the snapshot's periods were removed since
	}
	all := domain.FigurePeriods(periods)
	index := make(map[int64]int, len(periods))
	liveTo := to
	for i, p := range periods {
		index[p.ID] = i
		if !now.Before(p.StartDate) {
			liveTo = max(liveTo, i)
		}
	}
	past, err := snapshotRatings(ctx, db, snap, plan, periods, from, to, index)
	if err != nil {
		return nil, err
	}
	// Now: unless given, the ratings from the live tree and approved values.
	if current == nil {
		tree, err := planning.LoadPlanTree(ctx, db, plan.Code)
		if err != nil {
			return nil, err
		}
		ids := db.Model(&domain.Indicator{}).Select("id").Where("plan_id = ? AND archived_at IS NULL", plan.ID)
		live, err := reporting.LoadFigureData(db, periods, ids, true, false)
		if err != nil {
			return nil, err
		}
		nowWindow := plan.Window(all, from, liveTo, now)
		current = map[int64]figures.Cell{}
		for _, ind := range tree.AllIndicators() {
			current[ind.ID] = live.Assess(ind, nil, nowWindow, figures.External).Current()
		}
	}
	// The indicators rated both then and now (not added or archived since)
	// whose rating differs, read in one query, in code order.
	var changed []int64
	for id, before := range past {
		if after, ok := current[id]; ok && before.Rating != after.Rating {
			changed = append(changed, id)
		}
	}
	var inds []domain.Indicator
	if len(changed) > 0 {
		if err := db.Where("id IN ?", changed).Find(&inds).Error; err != nil {
			return nil, err
		}
	}
	slices.SortFunc(inds, func(a, b domain.Indicator) int {
		switch {
		case reporting.CodeLess(a.Code, b.Code):
			return -1
		case reporting.CodeLess(b.Code, a.Code):
			return 1
		}
		return 0
	})
	moves := map[[2]string]int{}
	for _, ind := range inds {
		before, after := past[ind.ID], current[ind.ID]
		rc.Ratings = append(rc.Ratings, RatingChange{Indicator: ind, From: before.Rating, To: after.Rating,
			FromPeriod: periods[before.Period].Label, ToPeriod: periods[after.Period].Label})
		moves[[2]string{before.Rating, after.Rating}]++
	}
	for _, f := range figures.Ratings {
		for _, t := range figures.Ratings {
			if n := moves[[2]string{f, t}]; n > 0 {
				rc.Moves = append(rc.Moves, RatingMove{From: f, To: t, N: n})
			}
		}
	}
	if err := rc.loadApprovals(db, plan.ID, snap.CreatedAt); err != nil {
		return nil, err
	}
	decisions, err := ListDecisions(ctx, db, DecisionFilter{PlanID: plan.ID})
	if err != nil {
		return nil, err
	}
	for _, d := range decisions {
		switch {
		case d.Status == DecisionDone && d.DoneAt != nil && d.DoneAt.After(snap.CreatedAt):
			rc.Done = append(rc.Done, d)
		case d.Status == DecisionOpen && d.Overdue(now):
			rc.Overdue = append(rc.Overdue, d)
		case d.Status == DecisionOpen && d.DueDate != nil:
			rc.Due = append(rc.Due, d)
		}
	}
	return rc, nil
}

// pastRatings caches each snapshot's ratings, which never change (a
// snapshot is frozen), so that the dashboard does not read its values on
// every request; keyed by database, snapshot, its instant, the plan's
// thresholds and everything else the ratings are worked out from that is
// not frozen — the range and the plan's periods (their dates and due
// dates, which the secretariat may edit) — a few at a time. A key made
// of what is read on each request keeps every instance of the
// application right when another one changes the plan: there is nothing
// to invalidate.
var pastRatings struct {
	sync.Mutex
	m map[pastKey]map[int64]figures.Cell
}

type pastKey struct {
	db       any
	snapshot int64
	at       time.Time
	th       figures.Thresholds
	from, to int
	periods  string // the periods as figures.Period values, in order, with their ids
}

// snapshotRatings rates every indicator of a snapshot as it was: its
// frozen tree, targets and approved values, its range, at its instant.
func snapshotRatings(ctx context.Context, db *gorm.DB, summary SnapshotSummary, plan domain.Plan, periods []domain.ReportingPeriod, from, to int, index map[int64]int) (map[int64]figures.Cell, error) {
	key := pastKey{db: db.Config.ConnPool, snapshot: summary.ID, at: summary.CreatedAt, th: plan.Thresholds(), from: from, to: to,
		periods: fmt.Sprint(domain.FigurePeriods(periods), periodIDs(periods))}
	pastRatings.Lock()
	cached := pastRatings.m[key]
	pastRatings.Unlock()
	if cached != nil {
		return cached, nil
	}
	snap, err := FindSnapshot(ctx, db, plan.ID, summary.ID)
	if err != nil {
		return nil, err
	}
	content, err := snap.Decode()
	if err != nil {
		return nil, err
	}
	then := &reporting.FigureData{Targets: map[int64]map[int]float64{}, Values: map[int64]*reporting.IndicatorData{}}
	for _, t := range content.Targets {
		if then.Targets[t.IndicatorID] == nil {
			then.Targets[t.IndicatorID] = map[int]float64{}
		}
		then.Targets[t.IndicatorID][t.Year] = t.Value
	}
	var frozen []SnapshotValue
	if err := db.Where("snapshot_id = ? AND value IS NOT NULL", snap.ID).Find(&frozen).Error; err != nil {
		return nil, err
	}
	for _, v := range frozen {
		k, ok := index[v.PeriodID]
		if !ok {
			continue
		}
		d := then.Values[v.IndicatorID]
		if d == nil {
			d = &reporting.IndicatorData{}
			then.Values[v.IndicatorID] = d
		}
		d.Total = append(d.Total, figures.Point{Period: k, Value: *v.Value})
	}
	for _, d := range then.Values {
		slices.SortFunc(d.Total, func(a, b figures.Point) int { return a.Period - b.Period })
	}
	past := map[int64]figures.Cell{}
	thenWindow := plan.Window(domain.FigurePeriods(periods), from, to, snap.CreatedAt)
	for _, ind := range content.Tree.AllIndicators() {
		past[ind.ID] = then.Assess(ind, nil, thenWindow, figures.External).Current()
	}
	pastRatings.Lock()
	if pastRatings.m == nil || len(pastRatings.m) >= 8 {
		pastRatings.m = map[pastKey]map[int64]figures.Cell{}
	}
	pastRatings.m[key] = past
	pastRatings.Unlock()
	return past, nil
}

// loadApprovals reads the approvals since the instant, from the audit log,
// in two queries (the count and the first ReviewApprovalsMax).
func (rc *ReviewChanges) loadApprovals(db *gorm.DB, planID int64, since time.Time) error {
	base := func() *gorm.DB {
		return db.Table("audit_entries e").Where("e.plan_id = ? AND e.action IN ? AND e.occurred_at > ?", planID,
			[]string{"value." + reporting.ActionApprove, "update." + reporting.ActionApprove}, since)
	}
	var n int64
	if err := base().Count(&n).Error; err != nil {
		return err
	}
	rc.ApprovalsTotal = int(n)
	var rows []struct {
		OccurredAt time.Time
		Action     string
		Code       *string
		Period     *string
	}
	err := base().Select(`e.occurred_at, e.action, COALESCE(i.code, a.code) AS code, COALESCE(vp.label, up.label) AS period`).
		Joins("LEFT JOIN indicator_values v ON e.entity_type = 'indicator_value' AND v.id = e.entity_id").
		Joins("LEFT JOIN indicators i ON i.id = v.indicator_id").
		Joins("LEFT JOIN reporting_periods vp ON vp.id = v.period_id").
		Joins("LEFT JOIN activity_updates u ON e.entity_type = 'activity_update' AND u.id = e.entity_id").
		Joins("LEFT JOIN activities a ON a.id = u.activity_id").
		Joins("LEFT JOIN reporting_periods up ON up.id = u.period_id").
		Order("e.occurred_at, e.id").Limit(ReviewApprovalsMax).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		a := ReviewApproval{At: r.OccurredAt, Kind: "value"}
		if r.Action == "update."+reporting.ActionApprove {
			a.Kind = "update"
		}
		if r.Code != nil {
			a.Code = *r.Code
		}
		if r.Period != nil {
			a.Period = *r.Period
		}
		rc.Approvals = append(rc.Approvals, a)
	}
	return nil
}

// periodIDs lists the ids of periods, in order.
func periodIDs(periods []domain.ReportingPeriod) []int64 {
	ids := make([]int64, len(periods))
	for i, p := range periods {
		ids[i] = p.ID
	}
	return ids
}
