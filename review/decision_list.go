package review

import (
	"context"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// DecisionRow is a decision with what it names: its plan, pillar or
// activity, the responsible organisation and who recorded and closed it.
type DecisionRow struct {
	Decision          `gorm:"embedded"`
	PlanCode          string
	PillarCode        *string
	PillarTitle       *string
	PillarTitleI18n   domain.Texts
	ActivityCode      *string
	ActivityTitle     *string
	ActivityTitleI18n domain.Texts
	OrgAcronym        *string
	OrgName           *string
	CreatedByName     *string
	DoneByName        *string
}

// Decision targets, as TargetKind names them.
const (
	DecisionOnPlan     = "plan"
	DecisionOnPillar   = "pillar"
	DecisionOnActivity = "activity"
)

// TargetKind says what the decision is attached to.
func (r DecisionRow) TargetKind() string {
	switch {
	case r.ActivityCode != nil:
		return DecisionOnActivity
	case r.PillarCode != nil:
		return DecisionOnPillar
	}
	return DecisionOnPlan
}

// TargetCode is the code of the pillar or activity ("" for the plan).
func (r DecisionRow) TargetCode() string {
	switch {
	case r.ActivityCode != nil:
		return *r.ActivityCode
	case r.PillarCode != nil:
		return *r.PillarCode
	}
	return ""
}

// TargetTitle is the title of the pillar or activity in lang ("" for the plan).
func (r DecisionRow) TargetTitle(lang string) string {
	switch {
	case r.ActivityTitle != nil:
		return r.ActivityTitleI18n.In(lang, *r.ActivityTitle)
	case r.PillarTitle != nil:
		return r.PillarTitleI18n.In(lang, *r.PillarTitle)
	}
	return ""
}

// Overdue reports whether an open decision's due date has passed at now.
func (r DecisionRow) Overdue(now time.Time) bool {
	return r.Status == DecisionOpen && r.DueDate != nil && !now.Before(domain.DayAfter(*r.DueDate))
}

// DecisionFilter chooses decisions; zero fields do not filter.
type DecisionFilter struct {
	PlanID     int64
	OrgID      int64
	SnapshotID int64
	OpenOnly   bool
}

// ListDecisions returns the decisions that pass the filter, open ones
// first, then by due date and creation, in one query.
func ListDecisions(ctx context.Context, db *gorm.DB, f DecisionFilter) ([]DecisionRow, error) {
	q := db.WithContext(ctx).Table("workshop_decisions d").Select(`d.*, pl.code AS plan_code,
p.code AS pillar_code, p.title AS pillar_title, p.title_i18n AS pillar_title_i18n,
a.code AS activity_code, a.title AS activity_title, a.title_i18n AS activity_title_i18n,
o.acronym AS org_acronym, o.name AS org_name, cu.name AS created_by_name, du.name AS done_by_name`).
		Joins("JOIN plans pl ON pl.id = d.plan_id").
		Joins("LEFT JOIN pillars p ON p.id = d.pillar_id").
		Joins("LEFT JOIN activities a ON a.id = d.activity_id").
		Joins("LEFT JOIN organisations o ON o.id = d.organisation_id").
		Joins("LEFT JOIN users cu ON cu.id = d.created_by_id").
		Joins("LEFT JOIN users du ON du.id = d.done_by_id")
	if f.PlanID != 0 {
		q = q.Where("d.plan_id = ?", f.PlanID)
	}
	if f.OrgID != 0 {
		q = q.Where("d.organisation_id = ?", f.OrgID)
	}
	if f.SnapshotID != 0 {
		q = q.Where("d.snapshot_id = ?", f.SnapshotID)
	}
	if f.OpenOnly {
		q = q.Where("d.status = ?", DecisionOpen)
	}
	var out []DecisionRow
	err := q.Order("CASE WHEN d.status = 'open' THEN 0 ELSE 1 END, CASE WHEN d.due_date IS NULL THEN 1 ELSE 0 END, d.due_date, d.created_at, d.id").
		Scan(&out).Error
	return out, err
}

// ActiveOrganisations lists the organisations that are not archived, by
// acronym, in one query: those a decision can be given to.
func ActiveOrganisations(ctx context.Context, db *gorm.DB) ([]domain.Organisation, error) {
	var out []domain.Organisation
	err := db.WithContext(ctx).Where("archived_at IS NULL").Order("lower(acronym), id").Find(&out).Error
	return out, err
}
