package planedit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// Dependent counts the records of one kind that keep a record from being
// deleted, such as 3 "indicator_values".
type Dependent struct {
	Kind string
	N    int64
}

// InUseError refuses to delete a record that other records depend on or
// under which something was reported; archiving keeps it and its data.
// It is an ErrConflict.
type InUseError struct {
	Entity     string
	Dependents []Dependent
}

// Error lists the dependents, for logs.
func (e *InUseError) Error() string {
	parts := make([]string, len(e.Dependents))
	for i, d := range e.Dependents {
		parts[i] = fmt.Sprintf("%d %s", d.N, d.Kind)
	}
	return e.Entity + " is in use: " + strings.Join(parts, ", ")
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *InUseError) Is(target error) bool { return target == domain.ErrConflict }

// dependents lists, for each kind, what keeps a record of it from being
// deleted: the records under it, what was reported about it, and (for
// organisations) every reference to it. Funding lines and supporters of an
// activity and the yearly targets of an indicator are part of the record
// and go with it.
var dependents = map[string][]struct{ kind, table, column string }{
	"pillar":    {{"objectives", "objectives", "pillar_id"}},
	"objective": {{"activities", "activities", "objective_id"}, {"indicators", "indicators", "objective_id"}},
	"activity": {{"indicators", "indicators", "activity_id"}, {"activity_updates", "activity_updates", "activity_id"},
		{"contribution_notes", "contribution_notes", "activity_id"}},
	"indicator": {{"indicator_values", "indicator_values", "indicator_id"}},
	"organisation": {{"users", "users", "organisation_id"}, {"led_activities", "activities", "lead_org_id"},
		{"supported_activities", "activity_supporters", "organisation_id"}, {"funding_lines", "funding_lines", "funder_id"},
		{"reported_indicators", "indicators", "reporting_org_id"}, {"period_exceptions", "period_exceptions", "organisation_id"},
		{"contribution_notes", "contribution_notes", "organisation_id"}},
}

// labelColumns says which columns describe a record of each kind in the audit log.
var labelColumns = map[string][2]string{
	"pillar": {"code", "title"}, "objective": {"code", "title"}, "activity": {"code", "title"},
	"indicator": {"code", "name"}, "organisation": {"acronym", "name"},
}

// entityRow is the part of a record that deleting and archiving need.
type entityRow struct {
	ID         int64
	Version    int
	ArchivedAt *time.Time
	RefKey     string
	RefLabel   string
}

func loadEntity(tx *gorm.DB, ref domain.EntityRef) (*entityRow, error) {
	table, ok := domain.EntityTables[ref.Kind]
	if !ok {
		return nil, domain.ErrNotFound
	}
	cols := labelColumns[ref.Kind]
	var row entityRow
	q := tx.Table(table).Select("id, version, archived_at, "+cols[0]+" AS ref_key, "+cols[1]+" AS ref_label").Where("id = ?", ref.ID)
	if ref.PlanID != nil {
		q = q.Where("plan_id = ?", *ref.PlanID)
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if ref.Version != row.Version {
		return nil, staleRow(tx, ref.Kind, row.ID, row.Version)
	}
	return &row, nil
}

func (r *entityRow) facts(kind string) map[string]any {
	cols := labelColumns[kind]
	return map[string]any{cols[0]: r.RefKey, cols[1]: r.RefLabel}
}

// EntityDependents counts what keeps a record from being deleted; an
// empty list means it can be deleted.
func EntityDependents(ctx context.Context, db *gorm.DB, kind string, id int64) ([]Dependent, error) {
	var out []Dependent
	for _, d := range dependents[kind] {
		var n int64
		if err := db.WithContext(ctx).Table(d.table).Where(d.column+" = ?", id).Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, Dependent{Kind: d.kind, N: n})
		}
	}
	return out, nil
}

// DeleteEntity deletes a record that nothing depends on, with its audit
// row; otherwise it returns an *InUseError saying what depends on it.
func DeleteEntity(ctx context.Context, db *gorm.DB, who domain.Caller, ref domain.EntityRef) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := loadEntity(tx, ref)
		if err != nil {
			return err
		}
		deps, err := EntityDependents(ctx, tx, ref.Kind, row.ID)
		if err != nil {
			return err
		}
		if len(deps) > 0 {
			return &InUseError{Entity: ref.Kind + " " + row.RefKey, Dependents: deps}
		}
		old := row.facts(ref.Kind)
		if ref.Kind == "activity" {
			var n int64
			if err := tx.Model(&domain.FundingLine{}).Where("activity_id = ?", row.ID).Count(&n).Error; err != nil {
				return err
			}
			old["funding_lines"] = n
		}
		org, err := reporting.ItemOrg(tx, ref.Kind, row.ID)
		if err != nil {
			return err
		}
		if err := tx.Table(domain.EntityTables[ref.Kind]).Where("id = ?", row.ID).Delete(nil).Error; err != nil {
			return err
		}
		if err := reporting.RefreshItemCompleteness(tx, ref, org); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, ref.Kind+".delete", ref.Kind, &row.ID, ref.PlanID, old, nil, "")
	})
}

// ArchiveEntity archives (or, with archive false, restores) a record: an
// archived item disappears from the plan and from the choices offered, but
// everything recorded about it is kept. The audit row is in the same transaction.
func ArchiveEntity(ctx context.Context, db *gorm.DB, who domain.Caller, ref domain.EntityRef, archive bool) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := loadEntity(tx, ref)
		if err != nil {
			return err
		}
		if (row.ArchivedAt != nil) == archive {
			return nil
		}
		var at *time.Time
		action := ".unarchive"
		if archive {
			at, action = &who.Now, ".archive"
		}
		if err := bumpRow(tx, ref.Kind, domain.EntityTables[ref.Kind], row.ID, row.Version, map[string]any{"archived_at": at}, who.Now); err != nil {
			return err
		}
		org, err := reporting.ItemOrg(tx, ref.Kind, row.ID)
		if err != nil {
			return err
		}
		if err := reporting.RefreshItemCompleteness(tx, ref, org); err != nil {
			return err
		}
		oldF, newF := row.facts(ref.Kind), row.facts(ref.Kind)
		oldF["archived"], newF["archived"] = row.ArchivedAt != nil, archive
		return domain.Audit(tx, who.Actor, ref.Kind+action, ref.Kind, &row.ID, ref.PlanID, oldF, newF, "")
	})
}

// EntityID finds the id of a plan's pillar, objective, activity or
// indicator (kind) by code, archived or not.
func EntityID(ctx context.Context, db *gorm.DB, kind string, planID int64, code string) (int64, error) {
	table, ok := domain.EntityTables[kind]
	if !ok || kind == "organisation" {
		return 0, domain.ErrNotFound
	}
	var ids []int64
	if err := db.WithContext(ctx).Table(table).Where("plan_id = ? AND code = ?", planID, code).Pluck("id", &ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, domain.ErrNotFound
	}
	return ids[0], nil
}

// ArchivedItem is an archived pillar, objective, activity or indicator.
type ArchivedItem struct {
	Kind       string
	Code       string
	Title      string
	Version    int
	ArchivedAt time.Time
}

// ArchivedItems lists the archived items of a plan, tier by tier, in four
// queries, so the editing page can offer to restore them.
func ArchivedItems(ctx context.Context, db *gorm.DB, planID int64) ([]ArchivedItem, error) {
	var out []ArchivedItem
	for _, kind := range []string{"pillar", "objective", "activity", "indicator"} {
		var rows []ArchivedItem
		err := db.WithContext(ctx).Table(domain.EntityTables[kind]).
			Select("code, "+labelColumns[kind][1]+" AS title, version, archived_at").
			Where("plan_id = ? AND archived_at IS NOT NULL", planID).Order("code").Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for i := range rows {
			rows[i].Kind = kind
		}
		out = append(out, rows...)
	}
	return out, nil
}
