package review

import (
	"context"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// OrgActivity is an activity an organisation leads or supports, with the
// latest update the reader may see.
type OrgActivity struct {
	domain.Activity
	PillarCode string
	Lead       bool
	// Latest is the most recent visible update (nil when none) and
	// LatestPeriod the label of its period.
	Latest       *domain.ActivityUpdate
	LatestPeriod string
}

// OrgIndicator is an indicator an organisation reports, rated on its
// latest value the reader may see, by the indicator page's arithmetic.
type OrgIndicator struct {
	domain.Indicator
	// Row is the period of the latest visible value (Row.Period.ID is 0
	// when the reader sees no value).
	Row IndicatorPeriodRow
}

// OrgLateItem is an item the organisation still owes in an open or overdue period.
type OrgLateItem struct {
	reporting.CompletenessItem
	Period domain.ReportingPeriod
	// Title is the indicator's or activity's name in the page's language.
	Title string
}

// OrgDueCount is how many items an organisation still has to hand in for a
// period whose due date has not passed: counted, not listed, so that the
// page stays one printed sheet.
type OrgDueCount struct {
	Period domain.ReportingPeriod
	Items  int
}

// OrgPage is an organisation's responsibilities in a plan ("my
// responsibilities"), as a scope may see them.
type OrgPage struct {
	Plan       domain.Plan
	Org        domain.Organisation
	Leads      []OrgActivity
	Supports   []OrgActivity
	Indicators []OrgIndicator
	// Late lists the items past their due date and those returned for
	// correction; Due counts, per period, the items not due yet.
	Late        []OrgLateItem
	Due         []OrgDueCount
	FocalPoints []domain.User
	// Orgs names organisations by id (the leads of supported activities).
	Orgs map[int64]domain.Organisation
	// Restricted: the reader sees the organisation's approved data only.
	Restricted bool
	// Funds lists, for a development partner or international organisation,
	// the activities it funds with its amounts; FundTotals adds them up per currency.
	Funds      []OrgFunded
	FundTotals []FundingTotal
}

// LoadOrgPage gathers what an organisation leads, supports and reports in a
// plan, with the latest status of each, what it still owes in the periods
// open or overdue for it, its focal points and, for a funder, the
// activities it funds, in at most fifteen queries whatever the size of the
// plan. Names are in lang where translated.
func LoadOrgPage(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, acronym, lang string, now time.Time) (*OrgPage, error) {
	db = db.WithContext(ctx)
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	org, err := planning.FindOrganisationByAcronym(ctx, db, acronym)
	if err != nil {
		return nil, err
	}
	pg := &OrgPage{Plan: *plan, Org: *org, Orgs: map[int64]domain.Organisation{}, Restricted: !scope.SeesUnapproved(org.ID)}
	if err := pg.loadActivities(db, scope); err != nil {
		return nil, err
	}
	if org.IsFunder() {
		if err := pg.loadFunding(db, scope); err != nil {
			return nil, err
		}
	}
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		return nil, err
	}
	if err := pg.loadIndicators(db, scope, periods, now); err != nil {
		return nil, err
	}
	if err := pg.loadLate(ctx, db, periods, lang, now); err != nil {
		return nil, err
	}
	fps, err := reporting.FocalPoints(ctx, db, []int64{org.ID})
	if err != nil {
		return nil, err
	}
	pg.FocalPoints = fps[org.ID]
	return pg, nil
}

// loadActivities reads the activities the organisation leads or supports,
// in plan order, the organisations, and the latest visible update of each
// activity (three queries).
func (pg *OrgPage) loadActivities(db *gorm.DB, scope domain.Scope) error {
	var acts []struct {
		domain.Activity
		PillarCode string
	}
	err := db.Table("activities").Select("activities.*, pillars.code AS pillar_code").
		Joins("JOIN objectives ON objectives.id = activities.objective_id").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Where("activities.plan_id = ? AND activities.archived_at IS NULL AND objectives.archived_at IS NULL AND pillars.archived_at IS NULL", pg.Plan.ID).
		Where("activities.lead_org_id = ? OR activities.id IN (?)", pg.Org.ID, db.Model(&domain.ActivitySupporter{}).Select("activity_id").Where("organisation_id = ?", pg.Org.ID)).
		Order("pillars.position, pillars.code, objectives.position, objectives.code, activities.position, activities.code").Scan(&acts).Error
	if err != nil {
		return err
	}
	var orgs []domain.Organisation
	if err := db.Order("acronym").Find(&orgs).Error; err != nil {
		return err
	}
	for _, o := range orgs {
		pg.Orgs[o.ID] = o
	}
	lead := map[int64]int64{}
	for _, a := range acts {
		lead[a.ID] = a.LeadOrgID
	}
	last, err := latestVisibleUpdates(db, scope, db.Model(&domain.Activity{}).Select("activities.id").
		Where("activities.plan_id = ? AND (activities.lead_org_id = ? OR activities.id IN (?))", pg.Plan.ID, pg.Org.ID,
			db.Model(&domain.ActivitySupporter{}).Select("activity_id").Where("organisation_id = ?", pg.Org.ID)), lead)
	if err != nil {
		return err
	}
	for _, a := range acts {
		oa := OrgActivity{Activity: a.Activity, PillarCode: a.PillarCode, Lead: a.LeadOrgID == pg.Org.ID}
		if l, ok := last[a.ID]; ok {
			u := l.update
			oa.Latest, oa.LatestPeriod = &u, l.period
		}
		if oa.Lead {
			pg.Leads = append(pg.Leads, oa)
		} else {
			pg.Supports = append(pg.Supports, oa)
		}
	}
	return nil
}

// loadIndicators reads the indicators the organisation reports, their
// targets and the values the reader sees (three queries), and rates each
// on its latest value exactly as the indicator page does.
func (pg *OrgPage) loadIndicators(db *gorm.DB, scope domain.Scope, periods []domain.ReportingPeriod, now time.Time) error {
	mine := func() *gorm.DB {
		return db.Model(&domain.Indicator{}).Select("indicators.id").Where("indicators.plan_id = ? AND indicators.reporting_org_id = ? AND indicators.archived_at IS NULL", pg.Plan.ID, pg.Org.ID)
	}
	var inds []domain.Indicator
	err := db.Table("indicators").Select("indicators.*").
		Joins("LEFT JOIN activities ON activities.id = indicators.activity_id").
		Joins("JOIN objectives ON objectives.id = COALESCE(indicators.objective_id, activities.objective_id)").
		Joins("JOIN pillars ON pillars.id = objectives.pillar_id").
		Where("indicators.id IN (?)", mine()).
		Order("pillars.position, pillars.code, objectives.position, objectives.code, CASE WHEN indicators.activity_id IS NULL THEN 0 ELSE 1 END, activities.position, activities.code, indicators.position, indicators.code").
		Scan(&inds).Error
	if err != nil {
		return err
	}
	var targets []domain.IndicatorTarget
	if err := db.Where("indicator_id IN (?)", mine()).Order("indicator_id, year").Find(&targets).Error; err != nil {
		return err
	}
	q := db.Where("indicator_id IN (?)", mine())
	if pg.Restricted {
		q = q.Where("status = ?", domain.StatusApproved)
	}
	var values []domain.IndicatorValue
	if err := q.Find(&values).Error; err != nil {
		return err
	}
	targetsOf := map[int64][]domain.IndicatorTarget{}
	for _, t := range targets {
		targetsOf[t.IndicatorID] = append(targetsOf[t.IndicatorID], t)
	}
	valuesOf := map[int64][]domain.IndicatorValue{}
	for _, v := range values {
		valuesOf[v.IndicatorID] = append(valuesOf[v.IndicatorID], v)
	}
	for _, ind := range inds {
		ip := IndicatorPage{Plan: pg.Plan, Indicator: ind, Targets: targetsOf[ind.ID], Restricted: pg.Restricted,
			Audience: scope.AudienceFor(ind.ReportingOrgID)}
		ip.Suppressed = ind.Sensitive && ip.Audience == figures.External
		ip.rate(periods, valuesOf[ind.ID], now)
		oi := OrgIndicator{Indicator: ind}
		if ip.Latest != nil {
			for _, r := range ip.Rows {
				if r.Period.ID == ip.LatestPeriod.ID {
					oi.Row = r
				}
			}
		}
		pg.Indicators = append(pg.Indicators, oi)
	}
	return nil
}

// loadLate lists what the organisation still owes in the periods that are
// open or overdue for it (its exceptions counted), by models.CompletenessItems
// (three queries): late and returned items one by one, the others counted. Readers restricted to approved data see the items, not
// whether a draft exists or why an item was returned.
func (pg *OrgPage) loadLate(ctx context.Context, db *gorm.DB, periods []domain.ReportingPeriod, lang string, now time.Time) error {
	var excs []domain.PeriodException
	if err := db.Where("organisation_id = ? AND period_id IN (?)", pg.Org.ID,
		db.Model(&domain.ReportingPeriod{}).Select("id").Where("plan_id = ?", pg.Plan.ID)).Find(&excs).Error; err != nil {
		return err
	}
	until := map[int64]*time.Time{}
	for i := range excs {
		until[excs[i].PeriodID] = &excs[i].UntilDate
	}
	var open []domain.ReportingPeriod
	byID := map[int64]domain.ReportingPeriod{}
	for _, p := range periods {
		if s := p.State(now, until[p.ID]); s == domain.PeriodOpen || s == domain.PeriodOverdue {
			open = append(open, p)
			byID[p.ID] = p
		}
	}
	items, err := reporting.CompletenessItems(ctx, db, pg.Plan, open, reporting.ItemFilter{OrgID: pg.Org.ID, Outstanding: true}, now)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, i := range pg.Indicators {
		names[reporting.ItemValue+i.Code] = i.NameIn(lang)
	}
	for _, a := range pg.Leads {
		names[reporting.ItemUpdate+a.Code] = a.TitleIn(lang)
	}
	due := map[int64]int{}
	for _, it := range items {
		if it.State == reporting.ItemNotDue && it.Status != domain.StatusReturned {
			due[it.PeriodID]++
			continue
		}
		li := OrgLateItem{CompletenessItem: it, Period: byID[it.PeriodID], Title: names[it.Kind+it.Code]}
		if li.Title == "" {
			li.Title = it.Name
		}
		if pg.Restricted {
			// Owed items only: whether a draft exists, or why an item
			// handed in was returned, is unapproved data.
			if it.State != reporting.ItemMissing && it.State != reporting.ItemNotDue {
				continue
			}
			li.Status, li.ReturnComment = "", ""
		}
		pg.Late = append(pg.Late, li)
	}
	for _, p := range open {
		if due[p.ID] > 0 {
			pg.Due = append(pg.Due, OrgDueCount{Period: p, Items: due[p.ID]})
		}
	}
	return nil
}

// visibleUpdate is an activity's latest update a reader may see, with the
// label of its period.
type visibleUpdate struct {
	update domain.ActivityUpdate
	period string
}

// latestVisibleUpdates reads, in one query, the updates of the activities
// the subquery ids selects and keeps each activity's latest that the scope
// may see: approved, or any when the scope sees the unapproved data of the
// activity's lead organisation (lead maps activity ids to it).
func latestVisibleUpdates(db *gorm.DB, scope domain.Scope, ids *gorm.DB, lead map[int64]int64) (map[int64]visibleUpdate, error) {
	var updates []struct {
		domain.ActivityUpdate
		PeriodLabel string
	}
	err := db.Table("activity_updates").Select("activity_updates.*, reporting_periods.label AS period_label").
		Joins("JOIN reporting_periods ON reporting_periods.id = activity_updates.period_id").
		Where("activity_updates.activity_id IN (?)", ids).
		Order("reporting_periods.start_date, reporting_periods.id").Scan(&updates).Error
	if err != nil {
		return nil, err
	}
	last := map[int64]visibleUpdate{}
	for _, u := range updates {
		if u.Status == domain.StatusApproved || scope.SeesUnapproved(lead[u.ActivityID]) {
			last[u.ActivityID] = visibleUpdate{u.ActivityUpdate, u.PeriodLabel}
		}
	}
	return last, nil
}
