package reporting

import (
	"context"
	"slices"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// UpdateForm is everything the page of one activity update shows: the
// activity and its organisations, the period, the lead's update and the
// supporting organisations' notes.
type UpdateForm struct {
	Plan       domain.Plan
	Activity   domain.Activity
	Lead       domain.Organisation
	Supporters []domain.Organisation
	Period     domain.ReportingPeriod
	State      string // the period's state for the lead organisation
	Update     *domain.ActivityUpdate
	Notes      []domain.ContributionNote
	// CanEdit: the viewer reports for the lead; NoteOrg: the supporting
	// organisation whose note the viewer may write (0 when none).
	CanEdit bool
	NoteOrg int64
	// Evidence is the files and links of the update, when the viewer may see them.
	Evidence []EvidenceListing
}

// LoadUpdateForm reads an activity update's page for the lead's focal
// points, the supporters' focal points and the secretariat (ErrForbidden
// for anyone else), with a fixed number of queries.
func LoadUpdateForm(ctx context.Context, db *gorm.DB, scope domain.Scope, t UpdateTarget, now time.Time) (*UpdateForm, error) {
	f := &UpdateForm{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		uc, err := loadUpdateContext(tx, t)
		if err != nil {
			return err
		}
		f.Plan, f.Activity, f.Period, f.Update = uc.plan, uc.activity, uc.period, uc.update
		if err := tx.Take(&f.Lead, uc.activity.LeadOrgID).Error; err != nil {
			return err
		}
		if err := tx.Where("id IN (?)", tx.Model(&domain.ActivitySupporter{}).Select("organisation_id").Where("activity_id = ?", uc.activity.ID)).
			Order("acronym").Find(&f.Supporters).Error; err != nil {
			return err
		}
		supporter := slices.ContainsFunc(f.Supporters, func(o domain.Organisation) bool { return o.ID == scope.OrgID })
		f.CanEdit = scope.CanReport(uc.activity.LeadOrgID)
		if supporter && scope.ReportsForOwnOrg() {
			f.NoteOrg = scope.OrgID
		}
		if !f.CanEdit && f.NoteOrg == 0 {
			return domain.ErrForbidden
		}
		if err := tx.Where("activity_id = ? AND period_id = ?", uc.activity.ID, uc.period.ID).Order("organisation_id").Find(&f.Notes).Error; err != nil {
			return err
		}
		if f.State, err = periodStateFor(tx, uc.period, uc.activity.LeadOrgID, now); err != nil {
			return err
		}
		if uc.update != nil && scope.SeesEvidence(uc.activity.LeadOrgID, false, uc.update.Status) {
			f.Evidence, err = evidenceOf(tx, "activity_update_id", uc.update.ID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Editable reports whether the lead's update can be changed now.
func (f *UpdateForm) Editable() bool {
	if !f.CanEdit || (f.State != domain.PeriodOpen && f.State != domain.PeriodOverdue) {
		return false
	}
	return f.Update == nil || f.Update.Status == domain.StatusDraft || f.Update.Status == domain.StatusReturned
}

// Version is the version of the lead's update the form is based on.
func (f *UpdateForm) Version() int {
	if f.Update == nil {
		return 0
	}
	return f.Update.Version
}

// Note returns an organisation's note, or nil.
func (f *UpdateForm) Note(orgID int64) *domain.ContributionNote {
	for i := range f.Notes {
		if f.Notes[i].OrganisationID == orgID {
			return &f.Notes[i]
		}
	}
	return nil
}

// OrgName returns the acronym of the lead or a supporter.
func (f *UpdateForm) OrgName(id int64) string {
	if id == f.Lead.ID {
		return f.Lead.Acronym
	}
	for _, o := range f.Supporters {
		if o.ID == id {
			return o.Acronym
		}
	}
	return "?"
}
