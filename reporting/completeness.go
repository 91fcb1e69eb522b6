package reporting

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// Timeliness states of an expected item. At a given instant every expected
// item is in exactly one of them, so Expected = OnTime + Late + Missing + NotDue.
const (
	// ItemOnTime: handed in no later than the end of the due date (UTC).
	ItemOnTime = "on_time"
	// ItemLate: handed in after the due date.
	ItemLate = "late"
	// ItemMissing: not handed in (nothing reported, or only a draft) and the due date has passed.
	ItemMissing = "missing"
	// ItemNotDue: not handed in, but the due date has not passed yet.
	ItemNotDue = "not_due"
)

// Kinds of expected items.
const (
	ItemValue  = "value"  // an indicator value
	ItemUpdate = "update" // an activity update
)

// CompletenessCounts counts the items expected from an organisation in a
// period. OnTime, Late, Missing and NotDue split Expected by timeliness;
// Submitted, Returned and Approved count, among the items handed in (on
// time or late), those whose current status is submitted (awaiting
// validation), returned (to be corrected) and approved.
//
// Timeliness compares the submitted_at of the row as it is now: an item
// returned and submitted again counts with the time of its last
// submission, and a returned item that was then edited is a draft again,
// so it counts as not handed in.
type CompletenessCounts struct {
	Expected  int
	OnTime    int
	Late      int
	Missing   int
	NotDue    int
	Submitted int
	Returned  int
	Approved  int
}

// Complete counts the items submitted or approved: handed in and not
// returned for correction.
func (c CompletenessCounts) Complete() int { return c.Submitted + c.Approved }

// Due counts the items that are handed in or whose due date has passed.
func (c CompletenessCounts) Due() int { return c.Expected - c.NotDue }

// CompletenessRate is Complete ÷ Expected (nil when nothing is expected).
// Before the due date it says how much has come in so far.
func (c CompletenessCounts) CompletenessRate() *float64 { return ratio(c.Complete(), c.Expected) }

// TimelinessRate is OnTime ÷ Due: of the items handed in or overdue, the
// share handed in on time (nil while nothing is due).
func (c CompletenessCounts) TimelinessRate() *float64 { return ratio(c.OnTime, c.Due()) }

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

func (c *CompletenessCounts) add(o CompletenessCounts) {
	c.Expected += o.Expected
	c.OnTime += o.OnTime
	c.Late += o.Late
	c.Missing += o.Missing
	c.NotDue += o.NotDue
	c.Submitted += o.Submitted
	c.Returned += o.Returned
	c.Approved += o.Approved
}

// OrgCompleteness is one organisation's counts in one period.
type OrgCompleteness struct {
	Organisation domain.Organisation
	CompletenessCounts
}

// PeriodCompleteness is one period: the totals over every organisation and
// a row per organisation with something expected, worst first.
type PeriodCompleteness struct {
	Period domain.ReportingPeriod
	Total  CompletenessCounts
	Rows   []OrgCompleteness
}

// CompletenessReport is the completeness and timeliness of a plan's
// reporting at an instant, for some periods (in the order asked).
type CompletenessReport struct {
	Plan    domain.Plan
	At      time.Time
	Periods []PeriodCompleteness
}

// Completeness computes, for the given periods of a plan and for one
// organisation (orgID) or all (0), what each organisation was expected to
// report and how much of it came in, on time or late, at the instant now.
//
// Expected from an organisation in a period: every indicator of the plan
// that is not archived and that it reports (indicators.reporting_org_id),
// and an update of every activity it leads that is not archived and whose
// start_date..end_date overlaps the period — unless an approved update of
// an earlier period reported the activity completed or cancelled.
//
// It runs four queries whatever the size of the plan and the number of
// periods (GROUP BY queries over the reported values, the indicators per
// organisation and the activities with their updates, and one for the
// organisations). It is the recount: the pages and the API read the same
// report from the roll-ups (CompletenessFromRollups), which it rebuilds; the
// Excel report's compliance sheet and the weekly digest use it directly.
func Completeness(ctx context.Context, db *gorm.DB, plan domain.Plan, periods []domain.ReportingPeriod, orgID int64, now time.Time) (*CompletenessReport, error) {
	if len(periods) == 0 {
		return &CompletenessReport{Plan: plan, At: now}, nil
	}
	db = db.WithContext(ctx)
	groups, err := countCompleteness(db, plan.ID, periods, orgID, "")
	if err != nil {
		return nil, err
	}
	return assembleCompleteness(db, plan, periods, groups, now)
}

// completenessGroup counts the items of one kind expected from an
// organisation in a period, as read from the values and updates or from
// their roll-up (CompletenessRollup), before the instant decides which of
// those not handed in are missing and which are not due yet.
type completenessGroup struct {
	Kind                                                      string
	OrgID, PeriodID                                           int64
	Expected, HandedIn, OnTime, Submitted, Returned, Approved int64
}

// countCompleteness counts the expected items of the periods for one
// organisation (orgID) or all (0), of one kind (ItemValue, ItemUpdate) or
// both (""), in at most three queries whatever the size of the plan.
func countCompleteness(db *gorm.DB, planID int64, periods []domain.ReportingPeriod, orgID int64, kind string) ([]completenessGroup, error) {
	type key struct{ org, period int64 }
	var out []completenessGroup
	for _, src := range expectedSources(planID, periods, orgID) {
		if kind != "" && src.kind != kind {
			continue
		}
		onTime, onTimeArgs := onTimeCondition(src.alias, periods)
		period := "p.id"
		if src.reported != "" {
			period = src.alias + ".period_id"
		}
		sql := "SELECT " + src.org + " AS org_id, " + period + " AS period_id, COUNT(*) AS expected, " +
			"SUM(CASE WHEN " + handedIn(src.alias) + " THEN 1 ELSE 0 END) AS handed_in, " +
			"SUM(CASE WHEN " + handedIn(src.alias) + " AND " + onTime + " THEN 1 ELSE 0 END) AS on_time, " +
			"SUM(CASE WHEN " + src.alias + ".status = 'submitted' THEN 1 ELSE 0 END) AS submitted, " +
			"SUM(CASE WHEN " + src.alias + ".status = 'returned' AND " + src.alias + ".submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS returned, " +
			"SUM(CASE WHEN " + src.alias + ".status = 'approved' THEN 1 ELSE 0 END) AS approved " +
			cmp.Or(src.reported, src.from) + " GROUP BY " + src.org + ", " + period
		var rows []completenessGroup
		if err := db.Raw(sql, append(onTimeArgs, src.args...)...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		if src.perOrg != "" {
			// The rows counted what was reported; every organisation
			// expects its count of items in every period.
			var expected []struct {
				OrgID int64
				N     int64
			}
			if err := db.Raw(src.perOrg, src.perOrgArgs...).Scan(&expected).Error; err != nil {
				return nil, err
			}
			reported := map[key]completenessGroup{}
			for _, g := range rows {
				reported[key{g.OrgID, g.PeriodID}] = g
			}
			rows = rows[:0]
			for _, e := range expected {
				for _, p := range periods {
					g := reported[key{e.OrgID, p.ID}]
					g.OrgID, g.PeriodID, g.Expected = e.OrgID, p.ID, e.N
					rows = append(rows, g)
				}
			}
		}
		for i := range rows {
			rows[i].Kind = src.kind
		}
		out = append(out, rows...)
	}
	return out, nil
}

// assembleCompleteness adds up the groups per organisation and period,
// splits what was not handed in into missing and not due at the instant
// now, and names the organisations (one query).
func assembleCompleteness(db *gorm.DB, plan domain.Plan, periods []domain.ReportingPeriod, groups []completenessGroup, now time.Time) (*CompletenessReport, error) {
	rep := &CompletenessReport{Plan: plan, At: now}
	type key struct{ org, period int64 }
	counts := map[key]*CompletenessCounts{}
	byID := map[int64]domain.ReportingPeriod{}
	for _, p := range periods {
		byID[p.ID] = p
	}
	for _, g := range groups {
		p, ok := byID[g.PeriodID]
		if !ok {
			continue
		}
		k := key{g.OrgID, g.PeriodID}
		c := counts[k]
		if c == nil {
			c = &CompletenessCounts{}
			counts[k] = c
		}
		notIn := int(g.Expected - g.HandedIn)
		part := CompletenessCounts{Expected: int(g.Expected), OnTime: int(g.OnTime), Late: int(g.HandedIn - g.OnTime),
			Submitted: int(g.Submitted), Returned: int(g.Returned), Approved: int(g.Approved)}
		if now.Before(p.DueBy()) {
			part.NotDue = notIn
		} else {
			part.Missing = notIn
		}
		c.add(part)
	}
	var orgIDs []int64
	for k := range counts {
		if !slices.Contains(orgIDs, k.org) {
			orgIDs = append(orgIDs, k.org)
		}
	}
	orgs, err := OrganisationsByID(db, orgIDs)
	if err != nil {
		return nil, err
	}
	for _, p := range periods {
		pc := PeriodCompleteness{Period: p}
		for k, c := range counts {
			if k.period != p.ID {
				continue
			}
			pc.Total.add(*c)
			pc.Rows = append(pc.Rows, OrgCompleteness{Organisation: orgs[k.org], CompletenessCounts: *c})
		}
		SortWorstFirst(pc.Rows)
		rep.Periods = append(rep.Periods, pc)
	}
	return rep, nil
}

// SortWorstFirst orders organisations for chasing: the lowest completeness
// rate first, then the lowest timeliness, the most missing, and by acronym.
func SortWorstFirst(rows []OrgCompleteness) {
	val := func(r *float64, none float64) float64 {
		if r == nil {
			return none
		}
		return *r
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if x, y := val(a.CompletenessRate(), 1), val(b.CompletenessRate(), 1); x != y {
			return x < y
		}
		if x, y := val(a.TimelinessRate(), 1), val(b.TimelinessRate(), 1); x != y {
			return x < y
		}
		if a.Missing != b.Missing {
			return a.Missing > b.Missing
		}
		return strings.ToLower(a.Organisation.Acronym) < strings.ToLower(b.Organisation.Acronym)
	})
}

// expectedSource is the FROM … WHERE of one kind of expected item, with the
// reporting row (alias) left-joined to it.
type expectedSource struct {
	kind  string
	alias string // the reported row: indicator_values v or activity_updates u
	org   string // the column naming the organisation expected to report
	from  string
	args  []any
	// perOrg, when set, counts the expected items per organisation (the
	// same in every period), and the counts join only the reported rows
	// (reported, with the same arguments as from): the database then reads
	// the values from an index alone.
	perOrg     string
	reported   string
	perOrgArgs []any
}

// expectedSources describes the expected items: indicator × period and
// activity × overlapping period, for the periods given and one or every organisation.
func expectedSources(planID int64, periods []domain.ReportingPeriod, orgID int64) []expectedSource {
	ids := make([]int64, len(periods))
	for i, p := range periods {
		ids[i] = p.ID
	}
	// Every indicator is expected in every period.
	values := expectedSource{kind: ItemValue, alias: "v", org: "i.reporting_org_id",
		from: "FROM indicators i JOIN reporting_periods p ON p.plan_id = i.plan_id " +
			"LEFT JOIN indicator_values v ON v.indicator_id = i.id AND v.period_id = p.id " +
			"WHERE i.plan_id = ? AND i.archived_at IS NULL AND p.id IN ?",
		reported: "FROM indicators i JOIN indicator_values v ON v.indicator_id = i.id " +
			"WHERE i.plan_id = ? AND i.archived_at IS NULL AND v.period_id IN ?",
		args:       []any{planID, ids},
		perOrg:     "SELECT i.reporting_org_id AS org_id, COUNT(*) AS n FROM indicators i WHERE i.plan_id = ? AND i.archived_at IS NULL",
		perOrgArgs: []any{planID}}
	updates := expectedSource{kind: ItemUpdate, alias: "u", org: "a.lead_org_id",
		// done: when an activity was first reported completed or
		// cancelled (approved); it is not expected after that period. One
		// grouped read instead of a correlated subquery per activity × period.
		from: "FROM activities a JOIN reporting_periods p ON p.plan_id = a.plan_id " +
			"AND a.start_date <= p.end_date AND a.end_date >= p.start_date " +
			"LEFT JOIN (SELECT f.activity_id, MIN(fp.end_date) AS end_date FROM activity_updates f " +
			"JOIN reporting_periods fp ON fp.id = f.period_id " +
			"WHERE fp.plan_id = ? AND f.status = 'approved' AND f.progress IN ('completed','cancelled') " +
			"GROUP BY f.activity_id) done ON done.activity_id = a.id " +
			"LEFT JOIN activity_updates u ON u.activity_id = a.id AND u.period_id = p.id " +
			"WHERE a.plan_id = ? AND a.archived_at IS NULL AND p.id IN ? " +
			"AND (done.end_date IS NULL OR done.end_date >= p.start_date)",
		args: []any{planID, planID, ids}}
	if orgID != 0 {
		// Only this organisation's activities can be done.
		updates.from = strings.Replace(updates.from, "WHERE fp.plan_id = ? AND", "WHERE fp.plan_id = ? AND f.activity_id IN (SELECT id FROM activities WHERE lead_org_id = ?) AND", 1)
		updates.args = []any{planID, orgID, planID, ids}
		values.from += " AND i.reporting_org_id = ?"
		values.reported += " AND i.reporting_org_id = ?"
		values.args = append(values.args, orgID)
		values.perOrg += " AND i.reporting_org_id = ?"
		values.perOrgArgs = append(values.perOrgArgs, orgID)
		updates.from += " AND a.lead_org_id = ?"
		updates.args = append(updates.args, orgID)
	}
	values.perOrg += " GROUP BY i.reporting_org_id"
	return []expectedSource{values, updates}
}

// handedIn is the SQL test that a reported row was handed in: submitted,
// approved or returned, with the time of its submission.
func handedIn(alias string) string {
	return "(" + alias + ".status IN ('submitted','approved','returned') AND " + alias + ".submitted_at IS NOT NULL)"
}

// onTimeCondition is the SQL test that a row was submitted before its
// period's DueBy. The instants are computed here and bound as parameters,
// so no date arithmetic depends on the database.
func onTimeCondition(alias string, periods []domain.ReportingPeriod) (string, []any) {
	parts := make([]string, len(periods))
	args := make([]any, 0, 2*len(periods))
	for i, p := range periods {
		parts[i] = "(" + alias + ".period_id = ? AND " + alias + ".submitted_at < ?)"
		args = append(args, p.ID, p.DueBy())
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// itemState is the timeliness of one reported row (status "" when none),
// the same rule as the SQL above.
func itemState(status string, submittedAt *time.Time, p domain.ReportingPeriod, now time.Time) string {
	switch {
	case (status == domain.StatusSubmitted || status == domain.StatusApproved || status == domain.StatusReturned) && submittedAt != nil:
		if submittedAt.Before(p.DueBy()) {
			return ItemOnTime
		}
		return ItemLate
	case now.Before(p.DueBy()):
		return ItemNotDue
	default:
		return ItemMissing
	}
}

// organisationsByID loads organisations by id in one query (none when ids is empty).
func OrganisationsByID(db *gorm.DB, ids []int64) (map[int64]domain.Organisation, error) {
	out := map[int64]domain.Organisation{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []domain.Organisation
	if err := db.Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, err
	}
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

// PlanPeriods lists a plan's reporting periods in order.
func PlanPeriods(ctx context.Context, db *gorm.DB, planID int64) ([]domain.ReportingPeriod, error) {
	var out []domain.ReportingPeriod
	err := db.WithContext(ctx).Where("plan_id = ?", planID).Order("start_date, id").Find(&out).Error
	return out, err
}

// DefaultCompletenessPeriods picks the periods worth looking at now, in
// order: the most recent one whose due date has passed, and those that have
// started and are not yet due.
func DefaultCompletenessPeriods(periods []domain.ReportingPeriod, now time.Time) []domain.ReportingPeriod {
	var out []domain.ReportingPeriod
	last := -1
	for i, p := range periods {
		if !now.Before(p.DueBy()) {
			last = i
		}
	}
	if last >= 0 {
		out = append(out, periods[last])
	}
	for _, p := range periods {
		if !now.Before(p.StartDate) && now.Before(p.DueBy()) {
			out = append(out, p)
		}
	}
	return out
}
