package planedit

import (
	"context"
	"slices"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// ActivityInput is what the activity form submits. Zero dates mean the
// date was missing or unreadable.
type ActivityInput struct {
	NodeInput
	StartDate, EndDate time.Time
	LeadOrgID          int64
	SupporterIDs       []int64
	Budget             float64
	Currency           string
}

// activityFacts is what the audit log records of an activity.
func activityFacts(a *domain.Activity, supporters []int64, acronyms map[int64]string) map[string]any {
	f := nodeFacts(a.Code, a.Title, a.TitleI18n, a.Description, a.Position)
	names := make([]string, 0, len(supporters))
	for _, id := range supporters {
		names = append(names, acronyms[id])
	}
	f["start_date"], f["end_date"] = a.StartDate.Format(time.DateOnly), a.EndDate.Format(time.DateOnly)
	f["lead"], f["supporters"], f["budget"], f["currency"] = acronyms[a.LeadOrgID], names, a.Budget, a.Currency
	return f
}

// acronymsOf maps organisation ids to acronyms, for the audit log.
func acronymsOf(tx *gorm.DB, ids []int64) (map[int64]string, error) {
	var rows []struct {
		ID      int64
		Acronym string
	}
	if err := tx.Model(&domain.Organisation{}).Select("id, acronym").Where("id IN ?", append([]int64{0}, ids...)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Acronym
	}
	return out, nil
}

// checkActivity checks the activity-specific fields. old is the activity
// being edited (nil when creating) with its current supporters.
func checkActivity(tx *gorm.DB, v *domain.ValidationError, plan *domain.Plan, in ActivityInput, old *domain.Activity, oldSupporters []int64) error {
	first, last := domain.Date(plan.StartYear, time.January, 1), domain.Date(plan.EndYear, time.December, 31)
	switch {
	case in.StartDate.IsZero():
		v.AddKey("start_date", "err.start_date")
	case in.StartDate.Before(first) || in.StartDate.After(last):
		v.AddKey("start_date", "err.date_in_plan", plan.StartYear, plan.EndYear)
	}
	switch {
	case in.EndDate.IsZero():
		v.AddKey("end_date", "err.end_date")
	case in.EndDate.Before(first) || in.EndDate.After(last):
		v.AddKey("end_date", "err.date_in_plan", plan.StartYear, plan.EndYear)
	case !in.StartDate.IsZero() && in.EndDate.Before(in.StartDate):
		v.AddKey("end_date", "err.end_before_start")
	}
	keepLead := old != nil && old.LeadOrgID == in.LeadOrgID
	if _, err := activeOrg(tx, v, "lead", in.LeadOrgID, keepLead); err != nil {
		return err
	}
	var chosen []domain.Organisation
	if err := tx.Where("id IN ?", append([]int64{0}, in.SupporterIDs...)).Find(&chosen).Error; err != nil {
		return err
	}
	byID := make(map[int64]domain.Organisation, len(chosen))
	for _, o := range chosen {
		byID[o.ID] = o
	}
	for _, id := range in.SupporterIDs {
		o, ok := byID[id]
		switch {
		case id == in.LeadOrgID:
			v.AddKey("supporters", "err.lead_supporter")
		case !ok:
			v.AddKey("supporters", "err.supporters_list")
		case o.ArchivedAt != nil && !slices.Contains(oldSupporters, id):
			v.AddKey("supporters", "err.supporter_archived", o.Acronym)
		}
	}
	if in.Budget < 0 || in.Budget > 1e13 {
		v.AddKey("budget", "err.budget")
	}
	checkCurrency(v, "currency", in.Currency)
	return nil
}

// ValidateActivityInput checks an activity form without saving it
// (objective is the parent's code when creating, "" when editing code).
func ValidateActivityInput(ctx context.Context, db *gorm.DB, plan *domain.Plan, objective string, in ActivityInput, code string) error {
	tx := db.WithContext(ctx)
	in.NodeInput = in.trimmed(plan.Language)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	v := &domain.ValidationError{}
	var old *domain.Activity
	var supporters []int64
	if code != "" {
		a, err := FindCoded[domain.Activity](ctx, db, plan.ID, code)
		if err != nil {
			return err
		}
		old = a
		if err := tx.Model(&domain.ActivitySupporter{}).Where("activity_id = ?", a.ID).Pluck("organisation_id", &supporters).Error; err != nil {
			return err
		}
	}
	if err := checkNode(tx, v, "activity", plan.ID, objective, in.NodeInput, old == nil, 500); err != nil {
		return err
	}
	if err := checkActivity(tx, v, plan, in, old, supporters); err != nil {
		return err
	}
	return v.Err()
}

// CreateActivity adds an activity under an objective with its supporters,
// and the audit row, in one transaction.
func CreateActivity(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, objective *domain.Objective, in ActivityInput) (*domain.Activity, error) {
	in.NodeInput = in.trimmed(plan.Language)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	a := &domain.Activity{PlanID: plan.ID, ObjectiveID: objective.ID, Code: in.Code, Title: in.Title, TitleI18n: in.Titles, Description: in.Description,
		StartDate: in.StartDate, EndDate: in.EndDate, LeadOrgID: in.LeadOrgID, Budget: in.Budget, Currency: in.Currency,
		Position: in.Position, Version: 1, CreatedAt: who.Now, UpdatedAt: who.Now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		if err := checkNode(tx, v, "activity", plan.ID, objective.Code, in.NodeInput, true, 500); err != nil {
			return err
		}
		if err := checkActivity(tx, v, plan, in, nil, nil); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := defaultPosition(tx, &a.Position, "activities", "objective_id = ?", objective.ID); err != nil {
			return err
		}
		if err := tx.Create(a).Error; err != nil {
			return duplicate(err, "code", codeTaken)
		}
		if err := setSupporters(tx, a.ID, in.SupporterIDs); err != nil {
			return err
		}
		orgs, err := acronymsOf(tx, append([]int64{a.LeadOrgID}, in.SupporterIDs...))
		if err != nil {
			return err
		}
		if err := reporting.RefreshCompleteness(tx, plan.ID, []int64{a.LeadOrgID}, nil, reporting.ItemUpdate); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "activity.create", "activity", &a.ID, &plan.ID, nil, activityFacts(a, in.SupporterIDs, orgs), "")
	})
	return a, err
}

// setSupporters replaces an activity's supporting organisations.
func setSupporters(tx *gorm.DB, activityID int64, ids []int64) error {
	if err := tx.Where("activity_id = ?", activityID).Delete(&domain.ActivitySupporter{}).Error; err != nil {
		return err
	}
	rows := make([]domain.ActivitySupporter, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			rows = append(rows, domain.ActivitySupporter{ActivityID: activityID, OrganisationID: id})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// UpdateActivity saves the activity form from the version it was made from.
func UpdateActivity(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, code string, in ActivityInput) error {
	in.NodeInput = in.trimmed(plan.Language)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var a domain.Activity
		if err := findCoded(tx, &a, plan.ID, code); err != nil {
			return err
		}
		if in.Version != a.Version {
			return staleRow(tx, "activity", a.ID, a.Version)
		}
		var supporters []int64
		if err := tx.Model(&domain.ActivitySupporter{}).Where("activity_id = ?", a.ID).Order("organisation_id").Pluck("organisation_id", &supporters).Error; err != nil {
			return err
		}
		v := &domain.ValidationError{}
		if err := checkNode(tx, v, "activity", plan.ID, "", in.NodeInput, false, 500); err != nil {
			return err
		}
		if err := checkActivity(tx, v, plan, in, &a, supporters); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		changes := map[string]any{"title": in.Title, "title_i18n": in.Titles, "description": in.Description, "position": in.Position,
			"start_date": in.StartDate, "end_date": in.EndDate, "lead_org_id": in.LeadOrgID, "budget": in.Budget, "currency": in.Currency}
		if err := bumpRow(tx, "activity", "activities", a.ID, a.Version, changes, who.Now); err != nil {
			return err
		}
		if err := setSupporters(tx, a.ID, in.SupporterIDs); err != nil {
			return err
		}
		orgs, err := acronymsOf(tx, append(append([]int64{a.LeadOrgID, in.LeadOrgID}, supporters...), in.SupporterIDs...))
		if err != nil {
			return err
		}
		old := activityFacts(&a, supporters, orgs)
		// Completeness: the lead reports an update in every period the activity overlaps.
		if a.LeadOrgID != in.LeadOrgID || !a.StartDate.Equal(in.StartDate) || !a.EndDate.Equal(in.EndDate) {
			if err := reporting.RefreshCompleteness(tx, plan.ID, []int64{a.LeadOrgID, in.LeadOrgID}, nil, reporting.ItemUpdate); err != nil {
				return err
			}
		}
		a.Title, a.TitleI18n, a.Description, a.Position, a.StartDate, a.EndDate = in.Title, in.Titles, in.Description, in.Position, in.StartDate, in.EndDate
		a.LeadOrgID, a.Budget, a.Currency = in.LeadOrgID, in.Budget, in.Currency
		return domain.Audit(tx, who.Actor, "activity.update", "activity", &a.ID, &plan.ID, old, activityFacts(&a, in.SupporterIDs, orgs), "")
	})
}

// ActivitySupporterIDs lists the ids of an activity's supporting organisations.
func ActivitySupporterIDs(ctx context.Context, db *gorm.DB, activityID int64) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Model(&domain.ActivitySupporter{}).Where("activity_id = ?", activityID).Order("organisation_id").Pluck("organisation_id", &ids).Error
	return ids, err
}
