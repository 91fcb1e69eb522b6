package offline

import (
	"context"
	"errors"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// UpdatesPreview is what an upload of activity updates would do, row by
// row, before anything is written.
type UpdatesPreview struct {
	File    *UpdatesFile
	Plan    domain.Plan
	Org     domain.Organisation
	Periods []domain.ReportingPeriod
	Rows    []UpdatePreviewRow
}

// UpdatePreviewRow is one update of the preview: its status (WillSave,
// Unchanged, Invalid, Conflict), what the file holds and, when one is
// stored, what is saved now.
type UpdatePreviewRow struct {
	Code, Title, Period string
	Status              string
	Errors              []CellError
	Typed               reporting.UpdateInput
	Stored              *domain.ActivityUpdate
	// ChangedBy names who saved the stored update of a conflict.
	ChangedBy string
	item      *UpdateItem
	grid      *reporting.UpdateRow
}

// Key names the row as the update grid does.
func (r *UpdatePreviewRow) Key() string { return r.Code + "@" + r.Period }

// Count returns how many rows have the status.
func (p *UpdatesPreview) Count(status string) int { return len(p.Keys(status)) }

// Keys lists the keys (activity@period) of the rows with the status.
func (p *UpdatesPreview) Keys(status string) []string {
	var out []string
	for i := range p.Rows {
		if p.Rows[i].Status == status {
			out = append(out, p.Rows[i].Key())
		}
	}
	return out
}

// MakeUpdatesPreview compares the file with what is stored now, for a
// user of scope, with the update grid's rules. The whole file is refused
// (a *Refusal) when it is a template of an organisation the user does not
// report for, or when no period of its range takes changes any more.
func MakeUpdatesPreview(ctx context.Context, db *gorm.DB, scope domain.Scope, f *UpdatesFile, now time.Time) (*UpdatesPreview, error) {
	db = db.WithContext(ctx)
	org, err := reportingOrg(db, scope, f.OrgID, f.Org)
	if err != nil {
		return nil, err
	}
	g, err := reporting.LoadUpdateGrid(ctx, db, scope, f.Plan, org.Acronym, f.From, f.To, now)
	if err != nil {
		return nil, gridRefusal(err, f.Org)
	}
	if !g.AnyOpen() {
		last := g.Periods[len(g.Periods)-1]
		return nil, refuse(KindClosed, "offline.err.period_closed", nil, rangeLabel(f.From, f.To),
			domain.Enum{Prefix: "period.state.", Value: g.States[last.ID]})
	}
	p := &UpdatesPreview{File: f, Plan: g.Plan, Org: g.Org, Periods: g.Periods}
	byKey := make(map[string]*reporting.UpdateRow, len(g.Rows))
	for i := range g.Rows {
		byKey[g.Rows[i].Key()] = &g.Rows[i]
	}
	changers := map[int64]bool{}
	for i := range f.Items {
		it := &f.Items[i]
		r := UpdatePreviewRow{Code: it.Code, Period: it.Period, Typed: it.Input, item: it, grid: byKey[it.Key()]}
		if r.grid == nil || r.grid.Activity.ID != it.ActivityID {
			r.Status, r.grid = Invalid, nil
			r.Errors = []CellError{{cellRef(ucolCode, it.Row), domain.Message{Key: "offline.err.update_not_owed", Args: []any{it.Code, it.Period}}}}
			p.Rows = append(p.Rows, r)
			continue
		}
		judgeUpdate(&r, g)
		if r.Status == Conflict && r.Stored.UpdatedByID != nil {
			changers[*r.Stored.UpdatedByID] = true
		}
		p.Rows = append(p.Rows, r)
	}
	names, err := changerNames(db, changers)
	if err != nil {
		return nil, err
	}
	for i := range p.Rows {
		if r := &p.Rows[i]; r.Status == Conflict && r.Stored.UpdatedByID != nil {
			r.ChangedBy = names[*r.Stored.UpdatedByID]
		}
	}
	return p, nil
}

// judgeUpdate sets a row's status, in the order of the update grid's checks.
func judgeUpdate(r *UpdatePreviewRow, g *reporting.UpdateGrid) {
	it, gr := r.item, r.grid
	r.Title, r.Stored = gr.Activity.Title, gr.Update
	switch {
	case len(it.Errors) > 0:
		r.Status, r.Errors = Invalid, it.Errors
	case updateHash(it.Input) == it.Original || gr.Unchanged(it.Input):
		r.Status = Unchanged
	case it.Version != gr.Version():
		r.Status = Conflict
	case !gr.Open:
		r.Status = Invalid
		r.Errors = []CellError{{cellRef(ucolStatus, it.Row), domain.Message{Key: "lock.period_closed", Args: []any{it.Period}}}}
	case !gr.Editable():
		r.Status = Invalid
		r.Errors = []CellError{{cellRef(ucolStatus, it.Row), domain.Message{Key: "lock.update_status", Args: []any{domain.Enum{Prefix: "status.", Value: gr.Update.Status}}}}}
	default:
		r.Errors = validateUpdate(it)
		r.Status = WillSave
		if len(r.Errors) > 0 {
			r.Status = Invalid
		}
	}
}

// updateFieldCols maps the fields of reporting.ValidateUpdateInput to columns.
var updateFieldCols = map[string]int{"progress": ucolProgress, "percent_complete": ucolPercent, "expenditure": ucolExpenditure,
	"achievements": ucolAchievements, "challenges": ucolChallenges, "next_steps": ucolNextSteps}

// validateUpdate runs the grid's checks of an update (reporting.ValidateUpdateInput),
// each message at its cell.
func validateUpdate(it *UpdateItem) []CellError {
	var out []CellError
	var ve *domain.ValidationError
	if errors.As(reporting.ValidateUpdateInput(it.Input), &ve) {
		for field := range ve.Fields {
			msg, ok := ve.Keys[field]
			if !ok {
				msg = domain.Message{Key: "offline.err.invalid"}
			}
			col, ok := updateFieldCols[field]
			if !ok {
				col = ucolProgress
			}
			out = append(out, CellError{cellRef(col, it.Row), msg})
		}
	}
	sortErrors(out)
	return out
}

// UpdatesOutcome is what ApplyUpdates did: the keys (activity@period) saved
// and submitted.
type UpdatesOutcome struct {
	*UpdatesPreview
	Saved, Submitted []string
}

// ApplyUpdates saves the rows of the file that the preview accepts, in one
// transaction: each through reporting.SaveUpdate (and TransitionUpdate to
// submit), the update grid's own checks, then one audit entry naming the
// file by its SHA-256. Any failure rolls everything back; o.Expect lists
// the keys the user saw as "will save" (KindChanged when they differ now).
func ApplyUpdates(ctx context.Context, db *gorm.DB, actor domain.Actor, scope domain.Scope, f *UpdatesFile, o ApplyOptions, now time.Time) (*UpdatesOutcome, error) {
	who := domain.Caller{Actor: actor, Scope: scope, Now: now}
	out := &UpdatesOutcome{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := MakeUpdatesPreview(ctx, tx, scope, f, now)
		if err != nil {
			return err
		}
		out.UpdatesPreview = p
		if o.Expect != nil && !sameSet(p.Keys(WillSave), o.Expect) {
			return refuse(KindChanged, "offline.err.preview_changed", nil)
		}
		for i := range p.Rows {
			r := &p.Rows[i]
			if r.Status != WillSave {
				continue
			}
			target := reporting.UpdateTarget{Plan: p.Plan.Code, Activity: r.Code, Period: r.Period}
			u, err := reporting.SaveUpdate(ctx, tx, who, target, r.item.Input)
			if err != nil {
				return changed(err)
			}
			out.Saved = append(out.Saved, r.Key())
			if o.Submit && u.Status == domain.StatusDraft {
				if _, err := reporting.TransitionUpdate(ctx, tx, who, target, reporting.ActionSubmit, u.Version, ""); err != nil {
					return changed(err)
				}
				out.Submitted = append(out.Submitted, r.Key())
			}
		}
		if len(out.Saved) == 0 {
			return nil
		}
		return domain.Audit(tx, actor, "updates.import", "offline_template", nil, &p.Plan.ID, nil, map[string]any{
			"sha256": f.SHA256, "file": o.FileName, "organisation": p.Org.Acronym, "from": f.From, "to": f.To,
			"generated": f.Generated, "saved": out.Saved, "submitted": out.Submitted,
		}, "")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
