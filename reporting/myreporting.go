package reporting

import (
	"context"
	"sort"
	"time"

	"naptracker/domain"
	"naptracker/planning"

	"gorm.io/gorm"
)

// Kinds of items on the reporting page.
const (
	ItemIndicator    = "indicator"    // a value the organisation reports
	ItemActivity     = "activity"     // an update on an activity it leads
	ItemContribution = "contribution" // a note on an activity it supports
)

// StatusMissing is the status of an item nothing has been reported for.
const StatusMissing = "missing"

// ReportingItem is one thing an organisation owes for a period.
type ReportingItem struct {
	Kind          string
	Code          string
	Name          string
	NameI18n      domain.Texts // translations of the indicator's name or the activity's title
	PillarCode    string
	Status        string // StatusMissing or a workflow status
	Version       int
	Value         *float64
	ReturnComment string
	Sensitive     bool
}

// ReportingPeriodItems is an open or overdue period with what is owed in it.
type ReportingPeriodItems struct {
	Period domain.ReportingPeriod
	State  string
	Items  []ReportingItem
	Counts map[string]int // by status
}

// OrgReporting is the "My reporting" page of an organisation for a plan.
type OrgReporting struct {
	Plan    domain.Plan
	Org     domain.Organisation
	Periods []ReportingPeriodItems
}

// statusOrder puts what needs the organisation's attention first.
var statusOrder = map[string]int{domain.StatusReturned: 0, StatusMissing: 1, domain.StatusDraft: 2, domain.StatusSubmitted: 3, domain.StatusApproved: 4}

// LoadOrgReporting gathers, for every period that is open or overdue for the
// organisation, the indicators it reports, the activities it leads and those
// it supports, with their status, returned and missing items first. It runs
// the same ten queries whatever the size of the plan.
func LoadOrgReporting(ctx context.Context, db *gorm.DB, planCode string, orgID int64, now time.Time) (*OrgReporting, error) {
	db = db.WithContext(ctx)
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	out := &OrgReporting{Plan: *plan}
	if err := db.Take(&out.Org, orgID).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	var periods []domain.ReportingPeriod
	if err := db.Where("plan_id = ? AND start_date <= ?", plan.ID, now).Order("start_date").Find(&periods).Error; err != nil {
		return nil, err
	}
	var excs []domain.PeriodException
	if err := db.Where("organisation_id = ? AND period_id IN (?)", orgID, db.Model(&domain.ReportingPeriod{}).Select("id").Where("plan_id = ?", plan.ID)).Find(&excs).Error; err != nil {
		return nil, err
	}
	until := map[int64]*time.Time{}
	for i := range excs {
		until[excs[i].PeriodID] = &excs[i].UntilDate
	}
	var open []domain.ReportingPeriod
	for _, p := range periods {
		if s := p.State(now, until[p.ID]); s == domain.PeriodOpen || s == domain.PeriodOverdue {
			open = append(open, p)
			out.Periods = append(out.Periods, ReportingPeriodItems{Period: p, State: s, Counts: map[string]int{}})
		}
	}
	if len(open) == 0 {
		return out, nil
	}
	periodIDs := make([]int64, len(open))
	for i, p := range open {
		periodIDs[i] = p.ID
	}
	first, last := open[0].StartDate, open[len(open)-1].EndDate

	type indRow struct {
		ID         int64
		Code, Name string
		NameI18n   domain.Texts
		Sensitive  bool
		PillarCode string
	}
	var inds []indRow
	err = db.Table("indicators").Select("indicators.id, indicators.code, indicators.name, indicators.name_i18n, indicators.sensitive, pillars.code AS pillar_code").
		Joins("LEFT JOIN activities ON activities.id = indicators.activity_id").
		Joins("JOIN objectives ON objectives.id = COALESCE(indicators.objective_id, activities.objective_id)").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Where("indicators.plan_id = ? AND indicators.reporting_org_id = ? AND indicators.archived_at IS NULL", plan.ID, orgID).
		Order("indicators.position, indicators.code").Scan(&inds).Error
	if err != nil {
		return nil, err
	}
	type actRow struct {
		ID                 int64
		Code, Title        string
		TitleI18n          domain.Texts
		StartDate, EndDate time.Time
		PillarCode         string
		Lead               bool
	}
	var acts []actRow
	err = db.Table("activities").Select("activities.id, activities.code, activities.title, activities.title_i18n, activities.start_date, activities.end_date, pillars.code AS pillar_code, activities.lead_org_id = ? AS lead", orgID).
		Joins("JOIN objectives ON objectives.id = activities.objective_id").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Where("activities.plan_id = ? AND activities.archived_at IS NULL AND activities.start_date <= ? AND activities.end_date >= ?", plan.ID, last, first).
		Where("activities.lead_org_id = ? OR activities.id IN (?)", orgID, db.Model(&domain.ActivitySupporter{}).Select("activity_id").Where("organisation_id = ?", orgID)).
		Order("activities.position, activities.code").Scan(&acts).Error
	if err != nil {
		return nil, err
	}
	var values []domain.IndicatorValue
	if err := db.Where("period_id IN ? AND indicator_id IN (?)", periodIDs,
		db.Model(&domain.Indicator{}).Select("id").Where("plan_id = ? AND reporting_org_id = ?", plan.ID, orgID)).Find(&values).Error; err != nil {
		return nil, err
	}
	var updates []domain.ActivityUpdate
	if err := db.Where("period_id IN ? AND activity_id IN (?)", periodIDs,
		db.Model(&domain.Activity{}).Select("id").Where("plan_id = ? AND lead_org_id = ?", plan.ID, orgID)).Find(&updates).Error; err != nil {
		return nil, err
	}
	var notes []domain.ContributionNote
	if err := db.Where("period_id IN ? AND organisation_id = ?", periodIDs, orgID).Find(&notes).Error; err != nil {
		return nil, err
	}

	type key struct{ item, period int64 }
	valueOf := map[key]*domain.IndicatorValue{}
	for i := range values {
		valueOf[key{values[i].IndicatorID, values[i].PeriodID}] = &values[i]
	}
	updateOf := map[key]*domain.ActivityUpdate{}
	for i := range updates {
		updateOf[key{updates[i].ActivityID, updates[i].PeriodID}] = &updates[i]
	}
	noteOf := map[key]*domain.ContributionNote{}
	for i := range notes {
		noteOf[key{notes[i].ActivityID, notes[i].PeriodID}] = &notes[i]
	}
	for pi := range out.Periods {
		pv := &out.Periods[pi]
		pid := pv.Period.ID
		for _, ind := range inds {
			it := ReportingItem{Kind: ItemIndicator, Code: ind.Code, Name: ind.Name, NameI18n: ind.NameI18n, PillarCode: ind.PillarCode, Sensitive: ind.Sensitive, Status: StatusMissing}
			if v := valueOf[key{ind.ID, pid}]; v != nil {
				it.Status, it.Version, it.Value, it.ReturnComment = v.Status, v.Version, v.Value, v.ReturnComment
			}
			pv.Items = append(pv.Items, it)
		}
		for _, a := range acts {
			if a.StartDate.After(pv.Period.EndDate) || a.EndDate.Before(pv.Period.StartDate) {
				continue
			}
			it := ReportingItem{Kind: ItemActivity, Code: a.Code, Name: a.Title, NameI18n: a.TitleI18n, PillarCode: a.PillarCode, Status: StatusMissing}
			if !a.Lead {
				it.Kind = ItemContribution
				if n := noteOf[key{a.ID, pid}]; n != nil {
					it.Status, it.Version = domain.StatusSubmitted, n.Version
				}
			} else if u := updateOf[key{a.ID, pid}]; u != nil {
				it.Status, it.Version, it.ReturnComment = u.Status, u.Version, u.ReturnComment
			}
			pv.Items = append(pv.Items, it)
		}
		sort.SliceStable(pv.Items, func(i, j int) bool { return statusOrder[pv.Items[i].Status] < statusOrder[pv.Items[j].Status] })
		for _, it := range pv.Items {
			pv.Counts[it.Status]++
		}
	}
	return out, nil
}

// ReportingOrganisations lists the organisations that can report (not
// development partners), by acronym, for the secretariat's picker.
func ReportingOrganisations(ctx context.Context, db *gorm.DB) ([]domain.Organisation, error) {
	var out []domain.Organisation
	err := db.WithContext(ctx).Where("archived_at IS NULL AND type NOT IN ?", []string{domain.OrgPartner, domain.OrgInternational}).Order("acronym").Find(&out).Error
	return out, err
}
