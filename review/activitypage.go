package review

import (
	"context"
	"sort"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// ActivityPage is everything the activity page shows, as a scope may see it:
// the activity's place in the plan, its organisations, funding, indicators
// and its updates over time.
type ActivityPage struct {
	Plan       domain.Plan
	Pillar     domain.Pillar
	Objective  domain.Objective
	Activity   domain.Activity
	Lead       domain.Organisation
	Supporters []domain.Organisation
	Funding    []domain.FundingLine
	// FundingTotals sums the funding lines per currency, a disbursed line
	// counting as committed and pledged too (as the workbook's Funding sheet).
	FundingTotals []FundingTotal
	Indicators    []ActivityIndicator
	// Updates are the periods with an update or a contribution note the
	// reader may see, newest first.
	Updates []ActivityPeriodUpdate
	// Orgs names organisations by id (funders, reporting organisations).
	Orgs map[int64]domain.Organisation
	// Restricted: the reader sees the lead organisation's approved updates only.
	Restricted bool
	// CanReport: the reader may write the lead's update (its focal points,
	// the secretariat and administrators).
	CanReport bool
}

// ActivityPeriodUpdate is one period of an activity's updates: the lead's
// update (nil when the reader sees none) and the supporting organisations'
// contribution notes the reader may see.
type ActivityPeriodUpdate struct {
	Period domain.ReportingPeriod
	Update *domain.ActivityUpdate
	Notes  []domain.ContributionNote
}

// FundingTotal is what funding lines in one currency add up to.
type FundingTotal struct {
	Currency                      string
	Pledged, Committed, Disbursed float64
}

// add counts a funding line: pledged includes committed and disbursed
// lines, committed includes disbursed ones.
func (t *FundingTotal) add(amount float64, status string) {
	t.Pledged += amount
	if status == domain.FundingCommitted || status == domain.FundingDisbursed {
		t.Committed += amount
	}
	if status == domain.FundingDisbursed {
		t.Disbursed += amount
	}
}

// fundingTotals adds funding amounts up per currency, in currency order.
type fundingTotals map[string]*FundingTotal

func (ft fundingTotals) add(currency string, amount float64, status string) {
	if ft[currency] == nil {
		ft[currency] = &FundingTotal{Currency: currency}
	}
	ft[currency].add(amount, status)
}

func (ft fundingTotals) list() []FundingTotal {
	out := make([]FundingTotal, 0, len(ft))
	for _, t := range ft {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// LoadActivityPage reads an activity of a plan (ErrNotFound when it, its
// objective or its pillar is archived) with its organisations, funding,
// indicators rated as on the indicator page, and its updates and
// contribution notes over time, in thirteen queries whatever the size of
// the plan. Readers who may not see the lead's unapproved data (donors,
// facilitators, other organisations) see approved updates only, and the
// contribution notes of those updates as they stood when approved.
func LoadActivityPage(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, code string, now time.Time) (*ActivityPage, error) {
	db = db.WithContext(ctx)
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	pg := &ActivityPage{Plan: *plan, Orgs: map[int64]domain.Organisation{}}
	a := &pg.Activity
	if err := db.Where("plan_id = ? AND code = ? AND archived_at IS NULL", plan.ID, code).Take(a).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if err := db.Where("archived_at IS NULL").Take(&pg.Objective, a.ObjectiveID).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if err := db.Where("archived_at IS NULL").Take(&pg.Pillar, pg.Objective.PillarID).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	pg.Restricted = !scope.SeesUnapproved(a.LeadOrgID)
	pg.CanReport = scope.CanReport(a.LeadOrgID)
	var orgs []domain.Organisation
	if err := db.Order("acronym").Find(&orgs).Error; err != nil {
		return nil, err
	}
	for _, o := range orgs {
		pg.Orgs[o.ID] = o
	}
	pg.Lead = pg.Orgs[a.LeadOrgID]
	var sup []int64
	if err := db.Model(&domain.ActivitySupporter{}).Where("activity_id = ?", a.ID).Pluck("organisation_id", &sup).Error; err != nil {
		return nil, err
	}
	for _, o := range orgs { // in acronym order
		for _, id := range sup {
			if o.ID == id {
				pg.Supporters = append(pg.Supporters, o)
			}
		}
	}
	if err := db.Where("activity_id = ?", a.ID).Order("id").Find(&pg.Funding).Error; err != nil {
		return nil, err
	}
	totals := fundingTotals{}
	for _, l := range pg.Funding {
		totals.add(l.Currency, l.Amount, l.Status)
	}
	pg.FundingTotals = totals.list()
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		return nil, err
	}
	if err := pg.loadIndicators(db, scope, periods, now); err != nil {
		return nil, err
	}
	if err := pg.loadUpdates(db, scope, periods); err != nil {
		return nil, err
	}
	return pg, nil
}

// loadIndicators reads the activity's output indicators, their targets and
// their values (three queries), keeps the values the reader may see of each
// (approved ones only unless the reader sees the reporting organisation's
// unapproved data) and rates each exactly as the indicator page does.
func (pg *ActivityPage) loadIndicators(db *gorm.DB, scope domain.Scope, periods []domain.ReportingPeriod, now time.Time) error {
	ids := func() *gorm.DB {
		return db.Model(&domain.Indicator{}).Select("id").Where("activity_id = ? AND archived_at IS NULL", pg.Activity.ID)
	}
	var inds []domain.Indicator
	if err := db.Where("id IN (?)", ids()).Order("position, code").Find(&inds).Error; err != nil {
		return err
	}
	var targets []domain.IndicatorTarget
	if err := db.Where("indicator_id IN (?)", ids()).Order("indicator_id, year").Find(&targets).Error; err != nil {
		return err
	}
	var values []domain.IndicatorValue
	if err := db.Where("indicator_id IN (?)", ids()).Find(&values).Error; err != nil {
		return err
	}
	reporter := map[int64]int64{}
	for _, ind := range inds {
		reporter[ind.ID] = ind.ReportingOrgID
	}
	targetsOf := map[int64][]domain.IndicatorTarget{}
	for _, t := range targets {
		targetsOf[t.IndicatorID] = append(targetsOf[t.IndicatorID], t)
	}
	valuesOf := map[int64][]domain.IndicatorValue{}
	for _, v := range values {
		if v.Status == domain.StatusApproved || scope.SeesUnapproved(reporter[v.IndicatorID]) {
			valuesOf[v.IndicatorID] = append(valuesOf[v.IndicatorID], v)
		}
	}
	for _, ind := range inds {
		ip := ratedIndicator(pg.Plan, ind, targetsOf[ind.ID], valuesOf[ind.ID], scope, periods, now)
		pg.Indicators = append(pg.Indicators, activityIndicatorOf(ip))
	}
	return nil
}

// ratedIndicator is the indicator page's rating of one indicator from
// targets and values already read and filtered for the reader.
func ratedIndicator(plan domain.Plan, ind domain.Indicator, targets []domain.IndicatorTarget, values []domain.IndicatorValue, scope domain.Scope, periods []domain.ReportingPeriod, now time.Time) *IndicatorPage {
	ip := &IndicatorPage{Plan: plan, Indicator: ind, Targets: targets, Restricted: !scope.SeesUnapproved(ind.ReportingOrgID),
		Audience: scope.AudienceFor(ind.ReportingOrgID)}
	ip.Suppressed = ind.Sensitive && ip.Audience == figures.External
	ip.rate(periods, values, now)
	return ip
}

// ActivityIndicator is an output indicator of an activity with the row of
// its latest value the reader sees and its current rating (the indicator
// page's: the latest period whose due date has passed).
type ActivityIndicator struct {
	OrgIndicator
	Current string
}

// activityIndicatorOf reads an indicator page's rating into an ActivityIndicator.
func activityIndicatorOf(ip *IndicatorPage) ActivityIndicator {
	ai := ActivityIndicator{OrgIndicator: OrgIndicator{Indicator: ip.Indicator}, Current: ip.Current}
	if ip.Latest != nil {
		for _, r := range ip.Rows {
			if r.Period.ID == ip.LatestPeriod.ID {
				ai.Row = r
			}
		}
	}
	return ai
}

// loadUpdates reads the activity's updates and contribution notes (two
// queries) and keeps, newest period first, those the reader may see.
func (pg *ActivityPage) loadUpdates(db *gorm.DB, scope domain.Scope, periods []domain.ReportingPeriod) error {
	var updates []domain.ActivityUpdate
	if err := db.Where("activity_id = ?", pg.Activity.ID).Find(&updates).Error; err != nil {
		return err
	}
	var notes []domain.ContributionNote
	if err := db.Where("activity_id = ?", pg.Activity.ID).Order("organisation_id").Find(&notes).Error; err != nil {
		return err
	}
	byPeriod := map[int64]*domain.ActivityUpdate{}
	for i := range updates {
		u := &updates[i]
		if u.Status == domain.StatusApproved || !pg.Restricted {
			byPeriod[u.PeriodID] = u
		}
	}
	notesOf := map[int64][]domain.ContributionNote{}
	for _, n := range notes {
		if pg.noteVisible(scope, n, byPeriod[n.PeriodID]) {
			notesOf[n.PeriodID] = append(notesOf[n.PeriodID], n)
		}
	}
	for i := len(periods) - 1; i >= 0; i-- {
		p := periods[i]
		if byPeriod[p.ID] == nil && len(notesOf[p.ID]) == 0 {
			continue
		}
		pg.Updates = append(pg.Updates, ActivityPeriodUpdate{Period: p, Update: byPeriod[p.ID], Notes: notesOf[p.ID]})
	}
	return nil
}

// noteVisible: a supporting organisation's note has no workflow of its own;
// it goes with the lead's update. Its own organisation, the secretariat and
// readers who see the lead's unapproved update see it; others only beside
// an approved update, and only when it was last changed before the approval.
func (pg *ActivityPage) noteVisible(scope domain.Scope, n domain.ContributionNote, u *domain.ActivityUpdate) bool {
	if !pg.Restricted || scope.SeesUnapproved(n.OrganisationID) {
		return true
	}
	return u != nil && u.Status == domain.StatusApproved && u.ApprovedAt != nil && !n.UpdatedAt.After(*u.ApprovedAt)
}

// Latest is the most recent update the reader sees, nil when none.
func (pg *ActivityPage) Latest() *ActivityPeriodUpdate {
	for i := range pg.Updates {
		if pg.Updates[i].Update != nil {
			return &pg.Updates[i]
		}
	}
	return nil
}

// Org names an organisation by id (an empty one when unknown).
func (pg *ActivityPage) Org(id int64) domain.Organisation { return pg.Orgs[id] }
