package planedit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// PlanLanguages are the languages a plan's reports can be written in: the
// interface's.
var PlanLanguages = i18n.Supported

// Frequencies lists the reporting frequencies in display order.
var Frequencies = []string{domain.Quarterly, domain.HalfYearly, domain.Yearly}

// Default due and grace days of generated reporting periods.
const (
	DefaultDueDays   = 30
	DefaultGraceDays = 15
)

// PlanInput is what the plan form submits. Thresholds are fractions (the
// form shows percentages). DueDays and GraceDays shape the periods that are
// generated (all of them on creation, the new ones when the years grow).
type PlanInput struct {
	Code, Title, Description, Country  string
	StartYear, EndYear                 int
	Frequency                          string
	Tier1Label, Tier2Label, Tier3Label string
	// TierLabels are the tier labels' translations, one per tier.
	TierLabels                   [3]domain.Texts
	GreenThreshold, RedThreshold float64
	Language, Currency           string
	DueDays, GraceDays           int
	Version                      int
}

// planFacts is what the audit log records of a plan.
func planFacts(p *domain.Plan) map[string]any {
	return map[string]any{
		"code": p.Code, "title": p.Title, "description": p.Description, "country": p.Country,
		"start_year": p.StartYear, "end_year": p.EndYear, "frequency": p.Frequency,
		"tiers":           []string{p.Tier1Label, p.Tier2Label, p.Tier3Label},
		"tiers_i18n":      []domain.Texts{cleanTexts(p.Tier1LabelI18n, ""), cleanTexts(p.Tier2LabelI18n, ""), cleanTexts(p.Tier3LabelI18n, "")},
		"green_threshold": p.GreenThreshold, "red_threshold": p.RedThreshold,
		"language": p.Language, "currency": p.Currency,
	}
}

// apply copies the input onto a plan (all but the code, which never changes).
func (in PlanInput) apply(p *domain.Plan) {
	p.Title, p.Description, p.Country = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description), strings.TrimSpace(in.Country)
	p.StartYear, p.EndYear, p.Frequency = in.StartYear, in.EndYear, in.Frequency
	p.Tier1Label, p.Tier2Label, p.Tier3Label = strings.TrimSpace(in.Tier1Label), strings.TrimSpace(in.Tier2Label), strings.TrimSpace(in.Tier3Label)
	p.Tier1LabelI18n, p.Tier2LabelI18n, p.Tier3LabelI18n = cleanTexts(in.TierLabels[0], in.Language), cleanTexts(in.TierLabels[1], in.Language), cleanTexts(in.TierLabels[2], in.Language)
	p.GreenThreshold, p.RedThreshold = in.GreenThreshold, in.RedThreshold
	p.Language, p.Currency = in.Language, strings.ToUpper(strings.TrimSpace(in.Currency))
}

// ReservedPlanCodes are the words that follow /plans/ (and /api/v1/plans/)
// in the site's own addresses: a plan with such a code would be shadowed
// by that page ("/plans/import" is the plan import, never the plan
// "import"). handlers' route test checks that every such word is here.
var ReservedPlanCodes = []string{"new", "import", "export", "edit", "api", "static"}

// IsReservedPlanCode reports whether code is a reserved word, in any case.
func IsReservedPlanCode(code string) bool {
	for _, w := range ReservedPlanCodes {
		if strings.EqualFold(code, w) {
			return true
		}
	}
	return false
}

// validatePlan checks a plan form; creating also checks the code.
func validatePlan(tx *gorm.DB, in PlanInput, creating bool) (*domain.ValidationError, error) {
	v := &domain.ValidationError{}
	if creating {
		switch {
		case !planCodeRE.MatchString(in.Code):
			v.AddKey("code", "err.plan_code")
		case IsReservedPlanCode(in.Code):
			v.AddKey("code", "err.plan_code_reserved", strings.ToLower(in.Code))
		default:
			var n int64
			if err := tx.Model(&domain.Plan{}).Where("lower(code) = lower(?)", in.Code).Count(&n).Error; err != nil {
				return nil, err
			}
			if n > 0 {
				v.AddKey("code", "err.plan_code_taken")
			}
		}
	}
	checkText(v, "title", in.Title, true, 300)
	checkText(v, "description", in.Description, false, 5000)
	checkText(v, "country", in.Country, false, 100)
	switch {
	case in.StartYear < 2000 || in.StartYear > 2100:
		v.AddKey("start_year", "err.year_range")
	case in.EndYear < 2000 || in.EndYear > 2100:
		v.AddKey("end_year", "err.year_range")
	case in.EndYear < in.StartYear:
		v.AddKey("end_year", "err.plan_end_before_start")
	case in.EndYear-in.StartYear >= 30:
		v.AddKey("end_year", "err.plan_30_years")
	}
	if !slices.Contains(Frequencies, in.Frequency) {
		v.AddKey("frequency", "err.frequency")
	}
	checkText(v, "tier1_label", in.Tier1Label, true, 40)
	checkText(v, "tier2_label", in.Tier2Label, true, 40)
	checkText(v, "tier3_label", in.Tier3Label, true, 40)
	for k, t := range in.TierLabels {
		checkTexts(v, fmt.Sprintf("tier%d_label", k+1), t, 40)
	}
	switch {
	case in.GreenThreshold <= 0 || in.GreenThreshold > 1.5:
		v.AddKey("green_threshold", "err.green_threshold")
	case in.RedThreshold <= 0:
		v.AddKey("red_threshold", "err.red_threshold")
	case in.RedThreshold >= in.GreenThreshold:
		v.AddKey("red_threshold", "err.red_below_green")
	}
	if !slices.Contains(PlanLanguages, in.Language) {
		v.AddKey("language", "err.language_choice")
	}
	checkCurrency(v, "currency", strings.ToUpper(strings.TrimSpace(in.Currency)))
	if in.DueDays < 0 || in.DueDays > 366 {
		v.AddKey("due_days", "err.days")
	}
	if in.GraceDays < 0 || in.GraceDays > 366 {
		v.AddKey("grace_days", "err.days")
	}
	return v, nil
}

// ValidatePlanInput checks a plan form without saving it, so that a form
// with other mistakes (text typed in a number field) shows every message at once.
func ValidatePlanInput(ctx context.Context, db *gorm.DB, in PlanInput, creating bool) error {
	v, err := validatePlan(db.WithContext(ctx), in, creating)
	if err != nil {
		return err
	}
	return v.Err()
}

// CreatePlan creates a plan and its reporting periods (models.GeneratePeriods
// with the form's due and grace days), with the audit row, in one transaction.
func CreatePlan(ctx context.Context, db *gorm.DB, who domain.Caller, in PlanInput) (*domain.Plan, error) {
	in.Code = strings.TrimSpace(in.Code)
	var p domain.Plan
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, err := validatePlan(tx, in, true)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		p = domain.Plan{Code: in.Code, Version: 1, CreatedAt: who.Now, UpdatedAt: who.Now}
		in.apply(&p)
		if err := tx.Create(&p).Error; err != nil {
			return duplicate(err, "code", "err.plan_code_taken")
		}
		periods := domain.GeneratePeriods(p, in.DueDays, in.GraceDays)
		for i := range periods {
			periods[i].CreatedAt, periods[i].UpdatedAt = who.Now, who.Now
		}
		if err := tx.Create(&periods).Error; err != nil {
			return err
		}
		facts := planFacts(&p)
		facts["periods"] = len(periods)
		return domain.Audit(tx, who.Actor, "plan.create", "plan", &p.ID, &p.ID, nil, facts, "")
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdatePlan saves the plan form. When the years or the frequency change,
// the reporting periods follow: missing ones are added (with the form's due
// and grace days) and those no longer part of the plan are removed, which
// is refused while any of them holds reports, or while activities or
// yearly targets lie outside the new years.
func UpdatePlan(ctx context.Context, db *gorm.DB, who domain.Caller, code string, in PlanInput) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p domain.Plan
		if err := tx.Where("code = ?", code).Take(&p).Error; err != nil {
			return domain.NotFound(err)
		}
		if in.Version != p.Version {
			return staleRow(tx, "plan", p.ID, p.Version)
		}
		v, err := validatePlan(tx, in, false)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		old := planFacts(&p)
		next := p
		in.apply(&next)
		added, removed, err := syncPeriods(tx, v, p, next, in, who.Now)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if len(added)+len(removed) > 0 { // roll-ups: periods per year set the period targets
			if err := reporting.RebuildRollups(tx, p.ID); err != nil {
				return err
			}
		}
		changes := planFacts(&next)
		delete(changes, "tiers")
		delete(changes, "tiers_i18n")
		changes["tier1_label_i18n"], changes["tier2_label_i18n"], changes["tier3_label_i18n"] = next.Tier1LabelI18n, next.Tier2LabelI18n, next.Tier3LabelI18n
		delete(changes, "code")
		changes["tier1_label"], changes["tier2_label"], changes["tier3_label"] = next.Tier1Label, next.Tier2Label, next.Tier3Label
		if err := bumpRow(tx, "plan", "plans", p.ID, p.Version, changes, who.Now); err != nil {
			return err
		}
		facts := planFacts(&next)
		if len(added) > 0 {
			facts["periods_added"] = added
		}
		if len(removed) > 0 {
			facts["periods_removed"] = removed
		}
		return domain.Audit(tx, who.Actor, "plan.update", "plan", &p.ID, &p.ID, old, facts, "")
	})
}

// syncPeriods makes the plan's periods match its new years and frequency,
// recording on v why it cannot; it returns the labels added and removed.
func syncPeriods(tx *gorm.DB, v *domain.ValidationError, old, next domain.Plan, in PlanInput, now time.Time) (added, removed []string, err error) {
	if old.StartYear == next.StartYear && old.EndYear == next.EndYear && old.Frequency == next.Frequency {
		return nil, nil, nil
	}
	field := "start_year"
	if old.Frequency != next.Frequency {
		field = "frequency"
	} else if old.EndYear != next.EndYear {
		field = "end_year"
	}
	first, last := domain.Date(next.StartYear, time.January, 1), domain.Date(next.EndYear, time.December, 31)
	var outside int64
	if err := tx.Model(&domain.Activity{}).Where("plan_id = ? AND (start_date < ? OR end_date > ?)", old.ID, first, last).Count(&outside).Error; err != nil {
		return nil, nil, err
	}
	var why []any
	if outside > 0 {
		why = append(why, domain.Message{Key: "err.activities_outside", Args: []any{outside, next.StartYear, next.EndYear}})
	}
	var targets int64
	inPlan := tx.Model(&domain.Indicator{}).Select("id").Where("plan_id = ?", old.ID)
	if err := tx.Model(&domain.IndicatorTarget{}).Where("indicator_id IN (?) AND (year < ? OR year > ?)", inPlan, next.StartYear, next.EndYear).Count(&targets).Error; err != nil {
		return nil, nil, err
	}
	if targets > 0 {
		why = append(why, domain.Message{Key: "err.targets_outside", Args: []any{targets, next.StartYear, next.EndYear}})
	}
	var existing []domain.ReportingPeriod
	if err := tx.Where("plan_id = ?", old.ID).Find(&existing).Error; err != nil {
		return nil, nil, err
	}
	want := domain.GeneratePeriods(next, in.DueDays, in.GraceDays)
	have := map[string]bool{}
	for _, p := range existing {
		have[p.Label] = true
	}
	keep := map[string]bool{}
	var create []domain.ReportingPeriod
	for _, p := range want {
		keep[p.Label] = true
		if !have[p.Label] {
			p.CreatedAt, p.UpdatedAt = now, now
			create = append(create, p)
			added = append(added, p.Label)
		}
	}
	var drop []int64
	for _, p := range existing {
		if !keep[p.Label] {
			drop = append(drop, p.ID)
			removed = append(removed, p.Label)
		}
	}
	if len(drop) > 0 {
		var used []string
		reported := "id IN (SELECT period_id FROM indicator_values) OR id IN (SELECT period_id FROM activity_updates) OR id IN (SELECT period_id FROM contribution_notes)"
		if err := tx.Model(&domain.ReportingPeriod{}).Where("id IN ?", drop).Where(reported).Order("start_date").Pluck("label", &used).Error; err != nil {
			return nil, nil, err
		}
		if len(used) > 0 {
			why = append(why, domain.Message{Key: "err.periods_hold_reports", Args: []any{strings.Join(used, ", ")}})
		}
	}
	switch len(why) {
	case 1:
		m := why[0].(domain.Message)
		v.AddKey(field, m.Key, m.Args...)
	case 2:
		v.AddKey(field, "err.join2", why...)
	case 3:
		v.AddKey(field, "err.join3", why...)
	}
	if len(why) > 0 {
		return nil, nil, nil
	}
	if len(drop) > 0 {
		if err := tx.Where("id IN ?", drop).Delete(&domain.ReportingPeriod{}).Error; err != nil {
			return nil, nil, err
		}
	}
	if len(create) > 0 {
		if err := tx.Create(&create).Error; err != nil {
			return nil, nil, err
		}
	}
	return added, removed, nil
}
