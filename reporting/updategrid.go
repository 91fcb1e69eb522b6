package reporting

import (
	"context"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// UpdateGrid is the data-entry grid of an organisation's activity updates
// over a range of periods: every update it owes as the lead organisation
// (by the completeness rule, CompletenessItems), one row each.
type UpdateGrid struct {
	Plan    domain.Plan
	Org     domain.Organisation
	Periods []domain.ReportingPeriod // the range, in order
	// All is every period of the plan, for choosing a range.
	All []domain.ReportingPeriod
	// States is each period's state for the organisation, by period id.
	States map[int64]string
	Rows   []UpdateRow
}

// UpdateRow is one activity in one period of the grid.
type UpdateRow struct {
	Activity domain.Activity
	Period   domain.ReportingPeriod
	Update   *domain.ActivityUpdate // nil when nothing was reported yet
	Open     bool                   // the period takes changes for the organisation
}

// Key names the row in the grid's form: activity code and period label.
func (r *UpdateRow) Key() string { return r.Activity.Code + "@" + r.Period.Label }

// Editable reports whether the row can be changed now.
func (r *UpdateRow) Editable() bool {
	return r.Open && (r.Update == nil || r.Update.Status == domain.StatusDraft || r.Update.Status == domain.StatusReturned)
}

// Version is the version an edit of the row is based on (0 for a new update).
func (r *UpdateRow) Version() int {
	if r.Update == nil {
		return 0
	}
	return r.Update.Version
}

// Unchanged reports whether saving in would leave the row as it is (nothing
// chosen or typed where nothing was reported counts as unchanged).
func (r *UpdateRow) Unchanged(in UpdateInput) bool {
	if r.Update == nil {
		return in.UpdateContent == domain.UpdateContent{}
	}
	return sameUpdate(r.Update, in)
}

// LoadUpdateGrid reads the update grid of the organisation (by acronym) for
// the periods from..to (labels; to empty means from alone; from empty means
// the latest period that has started at now), for a scope
// that reports for it (ErrForbidden otherwise), with a number of queries
// that depends on the range only, not on the plan's size.
func LoadUpdateGrid(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, orgAcronym, from, to string, now time.Time) (*UpdateGrid, error) {
	db = db.WithContext(ctx)
	g := &UpdateGrid{States: map[int64]string{}}
	plan, err := reportedPlanOrg(ctx, db, scope, planCode, orgAcronym, &g.Org)
	if err != nil {
		return nil, err
	}
	g.Plan = *plan
	if err := db.Where("plan_id = ?", plan.ID).Order("start_date, id").Find(&g.All).Error; err != nil {
		return nil, err
	}
	if from == "" {
		for _, p := range g.All {
			if !p.StartDate.After(now) {
				from = p.Label
			}
		}
	}
	if to == "" {
		to = from
	}
	in := false
	for _, p := range g.All {
		if p.Label == from {
			in = true
		}
		if in {
			g.Periods = append(g.Periods, p)
		}
		if p.Label == to && in {
			break
		}
	}
	if len(g.Periods) == 0 || g.Periods[len(g.Periods)-1].Label != to {
		return nil, domain.ErrNotFound
	}
	for _, p := range g.Periods {
		if g.States[p.ID], err = periodStateFor(db, p, g.Org.ID, now); err != nil {
			return nil, err
		}
	}
	items, err := CompletenessItems(ctx, db, *plan, g.Periods, ItemFilter{OrgID: g.Org.ID}, now)
	if err != nil {
		return nil, err
	}
	var actIDs, updIDs []int64
	for _, it := range items {
		if it.Kind == ItemUpdate {
			actIDs = append(actIDs, it.ItemID)
			if it.RowID != nil {
				updIDs = append(updIDs, *it.RowID)
			}
		}
	}
	var acts []domain.Activity
	if err := db.Where("id IN ?", actIDs).Find(&acts).Error; err != nil {
		return nil, err
	}
	var updates []domain.ActivityUpdate
	if err := db.Where("id IN ?", updIDs).Find(&updates).Error; err != nil {
		return nil, err
	}
	actByID, updByID, perByID := map[int64]domain.Activity{}, map[int64]*domain.ActivityUpdate{}, map[int64]domain.ReportingPeriod{}
	for _, a := range acts {
		actByID[a.ID] = a
	}
	for i := range updates {
		updByID[updates[i].ID] = &updates[i]
	}
	for _, p := range g.Periods {
		perByID[p.ID] = p
	}
	for _, it := range items {
		if it.Kind != ItemUpdate {
			continue
		}
		r := UpdateRow{Activity: actByID[it.ItemID], Period: perByID[it.PeriodID]}
		if it.RowID != nil {
			r.Update = updByID[*it.RowID]
		}
		st := g.States[it.PeriodID]
		r.Open = st == domain.PeriodOpen || st == domain.PeriodOverdue
		g.Rows = append(g.Rows, r)
	}
	return g, nil
}

// AnyOpen reports whether a period of the range takes changes.
func (g *UpdateGrid) AnyOpen() bool {
	for _, r := range g.Rows {
		if r.Open {
			return true
		}
	}
	return false
}
