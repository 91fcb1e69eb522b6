package planedit

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// Choices offered by the indicator form, in display order.
var (
	UnitTypes     = []string{domain.UnitNumber, domain.UnitPercentage, domain.UnitYesNo, domain.UnitMilestone}
	Directions    = []string{domain.Increase, domain.Decrease, domain.Maintain}
	Accumulations = []string{domain.AccumulateSum, domain.AccumulateCumulative, domain.AccumulateLatest}
)

// IndicatorInput is what the indicator form submits. Targets maps plan
// years to that year's target (a year left empty has none). A zero
// ReportingOrgID on an output indicator means the activity's lead.
type IndicatorInput struct {
	Code, Name, Definition  string
	Names                   domain.Texts // the name's translations by language (optional)
	Definitions, UnitLabels domain.Texts // the definition's and unit label's translations
	UnitType, UnitLabel     string
	Direction, Accumulation string
	BaselineValue           *float64
	BaselineYear            *int
	Targets                 map[int]float64
	EndTarget               *float64
	MeansOfVerification     string
	ReportingOrgID          int64
	DisaggregationSetID     *int64
	Sensitive               bool
	Position                int
	Version                 int
}

// trimmed trims the input and keeps the translations a plan written in
// planLang can have.
func (in IndicatorInput) trimmed(planLang string) IndicatorInput {
	in.Code, in.Name, in.Definition = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Definition)
	in.Names = cleanTexts(in.Names, planLang)
	in.Definitions, in.UnitLabels = cleanTexts(in.Definitions, planLang), cleanTexts(in.UnitLabels, planLang)
	in.UnitLabel, in.MeansOfVerification = strings.TrimSpace(in.UnitLabel), strings.TrimSpace(in.MeansOfVerification)
	return in
}

// IndicatorParent is where an indicator hangs: an objective (outcome) or
// an activity (output). Exactly one is set.
type IndicatorParent struct {
	Objective *domain.Objective
	Activity  *domain.Activity
}

// Code is the parent's dotted code.
func (p IndicatorParent) Code() string {
	if p.Activity != nil {
		return p.Activity.Code
	}
	return p.Objective.Code
}

// unitMessage is the catalogue key of why x is not a valid figure for the unit, or "".
func unitMessage(unit string, x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "err.number"
	case unit == domain.UnitPercentage && (x < 0 || x > 100):
		return "err.percentage"
	case (unit == domain.UnitYesNo || unit == domain.UnitMilestone) && x != 0 && x != 1:
		return "err.yes_no"
	case unit == domain.UnitNumber && x < 0:
		return "err.non_negative"
	case math.Abs(x) > 1e12:
		return "err.too_large"
	}
	return ""
}

// checkIndicator checks an indicator form. old is the indicator being
// edited (nil when creating); a change of unit or disaggregation set is
// refused once values have been reported, since they would no longer fit.
func checkIndicator(tx *gorm.DB, v *domain.ValidationError, plan *domain.Plan, parent IndicatorParent, in IndicatorInput, old *domain.Indicator) error {
	if err := checkNode(tx, v, "indicator", plan.ID, parent.Code(), NodeInput{Code: in.Code, Title: in.Name, Position: in.Position}, old == nil, 500); err != nil {
		return err
	}
	v.Rename("title", "name")
	checkTexts(v, "name", in.Names, 500)
	checkText(v, "definition", in.Definition, false, 5000)
	checkTexts(v, "definition", in.Definitions, 5000)
	checkTexts(v, "unit_label", in.UnitLabels, 60)
	checkText(v, "unit_label", in.UnitLabel, false, 60)
	checkText(v, "means_of_verification", in.MeansOfVerification, false, 2000)
	unitOK := slices.Contains(UnitTypes, in.UnitType)
	if !unitOK {
		v.AddKey("unit_type", "err.unit_type")
	}
	if !slices.Contains(Directions, in.Direction) {
		v.AddKey("direction", "err.direction")
	}
	if !slices.Contains(Accumulations, in.Accumulation) {
		v.AddKey("accumulation", "err.accumulation")
	}
	figure := func(field string, x *float64) {
		if x != nil && unitOK {
			if key := unitMessage(in.UnitType, *x); key != "" {
				v.AddKey(field, key)
			}
		}
	}
	switch {
	case in.BaselineValue != nil && in.BaselineYear == nil:
		v.AddKey("baseline_year", "err.baseline_year_missing")
	case in.BaselineValue == nil && in.BaselineYear != nil:
		v.AddKey("baseline_value", "err.baseline_value_missing")
	case in.BaselineYear != nil && (*in.BaselineYear < 1990 || *in.BaselineYear > plan.EndYear):
		v.AddKey("baseline_year", "err.baseline_year_range", plan.EndYear)
	}
	figure("baseline_value", in.BaselineValue)
	if in.Accumulation == domain.AccumulateCumulative && in.BaselineValue != nil && *in.BaselineValue != 0 {
		v.AddKey("baseline_value", "err.cumulative_baseline")
	}
	for y, x := range in.Targets {
		if y < plan.StartYear || y > plan.EndYear {
			v.AddKey(fmt.Sprintf("target.%d", y), "err.year_outside")
			continue
		}
		figure(fmt.Sprintf("target.%d", y), &x)
	}
	figure("end_target", in.EndTarget)
	switch {
	case in.ReportingOrgID != 0:
		keep := old != nil && old.ReportingOrgID == in.ReportingOrgID
		if _, err := activeOrg(tx, v, "reporting_org", in.ReportingOrgID, keep); err != nil {
			return err
		}
	case parent.Activity == nil:
		v.AddKey("reporting_org", "err.reporting_org")
	}
	if in.DisaggregationSetID != nil {
		var n int64
		if err := tx.Model(&domain.DisaggregationSet{}).Where("id = ?", *in.DisaggregationSetID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			v.AddKey("disaggregation_set", "err.disaggregation_set")
		}
	}
	if old == nil {
		return nil
	}
	setChanged := !domain.SameID(old.DisaggregationSetID, in.DisaggregationSetID)
	if !setChanged && old.UnitType == in.UnitType {
		return nil
	}
	var reported int64
	if err := tx.Model(&domain.IndicatorValue{}).Where("indicator_id = ?", old.ID).Count(&reported).Error; err != nil {
		return err
	}
	if reported == 0 {
		return nil
	}
	if setChanged {
		v.AddKey("disaggregation_set", "err.breakdown_fixed", reported)
	}
	if old.UnitType != in.UnitType {
		v.AddKey("unit_type", "err.unit_fixed", reported)
	}
	return nil
}

// ValidateIndicatorInput checks an indicator form without saving it (old
// is the code of the indicator being edited, "" when creating).
func ValidateIndicatorInput(ctx context.Context, db *gorm.DB, plan *domain.Plan, parent IndicatorParent, in IndicatorInput, old string) error {
	v := &domain.ValidationError{}
	var ind *domain.Indicator
	if old != "" {
		var err error
		if ind, err = FindCoded[domain.Indicator](ctx, db, plan.ID, old); err != nil {
			return err
		}
	}
	if err := checkIndicator(db.WithContext(ctx), v, plan, parent, in.trimmed(plan.Language), ind); err != nil {
		return err
	}
	return v.Err()
}

// IndicatorTargets returns an indicator's yearly targets by year.
func IndicatorTargets(ctx context.Context, db *gorm.DB, indicatorID int64) (map[int]float64, error) {
	var rows []domain.IndicatorTarget
	if err := db.WithContext(ctx).Where("indicator_id = ?", indicatorID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int]float64, len(rows))
	for _, t := range rows {
		out[t.Year] = t.Value
	}
	return out, nil
}

// indicatorFacts is what the audit log records of an indicator.
func indicatorFacts(i *domain.Indicator, targets map[int]float64) map[string]any {
	years := make([]int, 0, len(targets))
	for y := range targets {
		years = append(years, y)
	}
	sort.Ints(years)
	ts := make([]map[string]any, 0, len(years))
	for _, y := range years {
		ts = append(ts, map[string]any{"year": y, "value": targets[y]})
	}
	return map[string]any{
		"code": i.Code, "name": i.Name, "name_i18n": cleanTexts(i.NameI18n, ""), "definition": i.Definition, "unit_type": i.UnitType, "unit_label": i.UnitLabel,
		"definition_i18n": cleanTexts(i.DefinitionI18n, ""), "unit_label_i18n": cleanTexts(i.UnitLabelI18n, ""),
		"direction": i.Direction, "accumulation": i.Accumulation, "baseline_value": i.BaselineValue, "baseline_year": i.BaselineYear,
		"targets": ts, "end_target": i.EndTarget, "means_of_verification": i.MeansOfVerification,
		"reporting_org_id": i.ReportingOrgID, "disaggregation_set_id": i.DisaggregationSetID, "sensitive": i.Sensitive, "position": i.Position,
	}
}

// applyIndicator copies the form onto an indicator (all but its code and parent).
func applyIndicator(i *domain.Indicator, in IndicatorInput, parent IndicatorParent) {
	i.Name, i.NameI18n, i.Definition, i.UnitType, i.UnitLabel = in.Name, in.Names, in.Definition, in.UnitType, in.UnitLabel
	i.DefinitionI18n, i.UnitLabelI18n = in.Definitions, in.UnitLabels
	i.Direction, i.Accumulation, i.BaselineValue, i.BaselineYear = in.Direction, in.Accumulation, in.BaselineValue, in.BaselineYear
	i.EndTarget, i.MeansOfVerification, i.ReportingOrgID = in.EndTarget, in.MeansOfVerification, in.ReportingOrgID
	if i.ReportingOrgID == 0 && parent.Activity != nil {
		i.ReportingOrgID = parent.Activity.LeadOrgID
	}
	i.DisaggregationSetID, i.Sensitive, i.Position = in.DisaggregationSetID, in.Sensitive, in.Position
}

// setTargets replaces an indicator's yearly targets.
func setTargets(tx *gorm.DB, id int64, targets map[int]float64) error {
	if err := tx.Where("indicator_id = ?", id).Delete(&domain.IndicatorTarget{}).Error; err != nil {
		return err
	}
	rows := make([]domain.IndicatorTarget, 0, len(targets))
	for y, x := range targets {
		rows = append(rows, domain.IndicatorTarget{IndicatorID: id, Year: y, Value: x})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// CreateIndicator adds an indicator under an objective or an activity, with
// its yearly targets and audit row, in one transaction.
func CreateIndicator(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, parent IndicatorParent, in IndicatorInput) (*domain.Indicator, error) {
	in = in.trimmed(plan.Language)
	ind := &domain.Indicator{PlanID: plan.ID, Code: in.Code, Version: 1, CreatedAt: who.Now, UpdatedAt: who.Now}
	applyIndicator(ind, in, parent)
	where, id := "objective_id = ?", int64(0)
	if parent.Activity != nil {
		ind.ActivityID, where, id = &parent.Activity.ID, "activity_id = ?", parent.Activity.ID
	} else {
		ind.ObjectiveID, id = &parent.Objective.ID, parent.Objective.ID
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		if err := checkIndicator(tx, v, plan, parent, in, nil); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := defaultPosition(tx, &ind.Position, "indicators", where, id); err != nil {
			return err
		}
		if err := tx.Create(ind).Error; err != nil {
			return duplicate(err, "code", codeTaken)
		}
		if err := setTargets(tx, ind.ID, in.Targets); err != nil {
			return err
		}
		if err := reporting.RefreshCompleteness(tx, plan.ID, []int64{ind.ReportingOrgID}, nil, reporting.ItemValue); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "indicator.create", "indicator", &ind.ID, &plan.ID, nil, indicatorFacts(ind, in.Targets), "")
	})
	return ind, err
}

// UpdateIndicator saves the indicator form from the version it was made from.
func UpdateIndicator(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, parent IndicatorParent, code string, in IndicatorInput) error {
	in = in.trimmed(plan.Language)
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ind domain.Indicator
		if err := findCoded(tx, &ind, plan.ID, code); err != nil {
			return err
		}
		if in.Version != ind.Version {
			return staleRow(tx, "indicator", ind.ID, ind.Version)
		}
		v := &domain.ValidationError{}
		if err := checkIndicator(tx, v, plan, parent, in, &ind); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		oldTargets, err := IndicatorTargets(ctx, tx, ind.ID)
		if err != nil {
			return err
		}
		old := indicatorFacts(&ind, oldTargets)
		oldOrg := ind.ReportingOrgID
		applyIndicator(&ind, in, parent)
		changes := indicatorFacts(&ind, nil)
		delete(changes, "code")
		delete(changes, "targets")
		if err := bumpRow(tx, "indicator", "indicators", ind.ID, ind.Version, changes, who.Now); err != nil {
			return err
		}
		if err := setTargets(tx, ind.ID, in.Targets); err != nil {
			return err
		}
		if err := reporting.RefreshIndicatorRollup(tx, ind.ID); err != nil { // roll-ups: targets, baseline, direction, accumulation
			return err
		}
		if oldOrg != ind.ReportingOrgID { // completeness: another organisation reports it now
			if err := reporting.RefreshCompleteness(tx, plan.ID, []int64{oldOrg, ind.ReportingOrgID}, nil, reporting.ItemValue); err != nil {
				return err
			}
		}
		return domain.Audit(tx, who.Actor, "indicator.update", "indicator", &ind.ID, &plan.ID, old, indicatorFacts(&ind, in.Targets), "")
	})
}

// DisaggregationChoices lists the disaggregation sets by name.
func DisaggregationChoices(ctx context.Context, db *gorm.DB) ([]domain.DisaggregationSet, error) {
	var out []domain.DisaggregationSet
	err := db.WithContext(ctx).Order("name").Find(&out).Error
	return out, err
}
