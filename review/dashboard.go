package review

import (
	"context"
	"sort"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// DashboardNoReport is the dashboard's status of an activity without an
// approved update.
const DashboardNoReport = "no_report"

// DashboardStatuses lists the activity statuses a dashboard counts, in
// display order: the progress statuses, then "no report".
var DashboardStatuses = append(append([]string{}, domain.ProgressStatuses...), DashboardNoReport)

// DashboardOffTrackSize is how many of the indicators furthest off track a
// dashboard lists.
const DashboardOffTrackSize = 10

// Dashboard is the approved state of a plan at an instant, read from the
// roll-ups with a fixed number of queries whatever the plan's size. Every
// role sees the same figures: approved data only.
type Dashboard struct {
	Plan domain.Plan
	At   time.Time
	// Period is the period indicators are rated at (RatingPeriod); nil when
	// the plan has no periods. Due says whether its due date has passed.
	Period *domain.ReportingPeriod
	Due    bool
	// Pillars holds one summary per pillar that is not archived, in plan
	// order; Total adds them up.
	Pillars []PillarSummary
	Total   PillarSummary
	// OffTrack lists the rated indicators with the least progress, worst first.
	OffTrack []OffTrackIndicator
	// Completeness is the rating period's completeness per organisation
	// (nil without periods); OrgRAG counts each reporting organisation's
	// indicators by rating.
	Completeness *reporting.PeriodCompleteness
	OrgRAG       map[int64]map[string]int
	// Changes are the latest approvals, reopenings and plan edits.
	Changes []DashboardChange
	// Ratings is each indicator's rating at Period (the since-the-last-
	// review panel compares them with a snapshot's).
	Ratings map[int64]figures.Cell
}

// PillarSummary counts a pillar's activities by status and indicators by
// rating, and adds up its budget and expenditure in the plan's currency.
type PillarSummary struct {
	Pillar     domain.Pillar
	Activities int
	ByStatus   map[string]int
	Indicators int
	ByRAG      map[string]int
	Budget     float64
	Spent      float64
	// OtherCurrency counts activities budgeted in another currency than the
	// plan's, left out of Budget and Spent.
	OtherCurrency int
}

func newPillarSummary(p domain.Pillar) PillarSummary {
	return PillarSummary{Pillar: p, ByStatus: map[string]int{}, ByRAG: map[string]int{}}
}

func (s *PillarSummary) add(o PillarSummary) {
	s.Activities += o.Activities
	s.Indicators += o.Indicators
	s.Budget += o.Budget
	s.Spent += o.Spent
	s.OtherCurrency += o.OtherCurrency
	for k, v := range o.ByStatus {
		s.ByStatus[k] += v
	}
	for k, v := range o.ByRAG {
		s.ByRAG[k] += v
	}
}

// OffTrackIndicator is an indicator with its approved progress at the
// rated period. Indicators whose figure is hidden (rated "withheld") are
// never listed: their place in the list would narrow the hidden count.
type OffTrackIndicator struct {
	Indicator domain.Indicator
	Pillar    domain.Pillar
	Period    string
	Actual    float64
	Target    *float64
	Progress  float64
	RAG       string
}

// indicatorState is one row of the dashboard's indicator query: the
// indicator's roll-up at the rated period, if any.
type indicatorState struct {
	PillarID       int64
	IndicatorID    int64
	ReportingOrgID int64
	Reported       bool
	Actual         *float64
	Small          bool
	Withheld       bool
	Target         *float64
	Progress       *float64
}

// activityGroup is one row of the dashboard's activity query.
type activityGroup struct {
	PillarID int64
	Status   *string // nil: no approved update
	Currency string
	N        int
	Budget   float64
	Spent    float64
}

// LoadDashboard reads a plan's dashboard at the instant now with a fixed
// number of queries (see the dashboard's query-count test): the periods,
// the pillars, activities grouped by pillar and status, the indicators'
// roll-ups, the indicators furthest off track, the completeness of the
// rating period, and the recent changes.
func LoadDashboard(ctx context.Context, db *gorm.DB, plan domain.Plan, now time.Time) (*Dashboard, error) {
	db = db.WithContext(ctx)
	d := &Dashboard{Plan: plan, At: now, OrgRAG: map[int64]map[string]int{}, Ratings: map[int64]figures.Cell{}}
	periods, err := reporting.PlanPeriods(db.Statement.Context, db, plan.ID)
	if err != nil {
		return nil, err
	}
	k, due := figures.RatedPeriod(domain.FigurePeriods(periods), 0, len(periods)-1, now)
	if k >= 0 {
		d.Period, d.Due = &periods[k], due
	}
	var pillars []domain.Pillar
	if err := db.Where("plan_id = ? AND archived_at IS NULL", plan.ID).Order("position, code").Find(&pillars).Error; err != nil {
		return nil, err
	}
	byPillar := map[int64]*PillarSummary{}
	d.Pillars = make([]PillarSummary, len(pillars))
	for i, p := range pillars {
		d.Pillars[i] = newPillarSummary(p)
		byPillar[p.ID] = &d.Pillars[i]
	}
	if err := d.loadActivities(db, byPillar); err != nil {
		return nil, err
	}
	if err := d.loadIndicators(db, periods, k, due, byPillar); err != nil {
		return nil, err
	}
	d.Total = newPillarSummary(domain.Pillar{})
	for _, s := range d.Pillars {
		d.Total.add(s)
	}
	if d.Period != nil {
		rep, err := reporting.CompletenessFromRollups(ctx, db, plan, []domain.ReportingPeriod{*d.Period}, 0, now)
		if err != nil {
			return nil, err
		}
		if len(rep.Periods) > 0 {
			d.Completeness = &rep.Periods[0]
		}
	}
	if d.Changes, err = recentChanges(db, plan.ID, DashboardChangesSize); err != nil {
		return nil, err
	}
	return d, nil
}

// loadActivities counts the activities of each pillar by the status of
// their latest approved update, with their budget and expenditure, in one
// GROUP BY over the plan's activities (not their updates).
func (d *Dashboard) loadActivities(db *gorm.DB, byPillar map[int64]*PillarSummary) error {
	var groups []activityGroup
	err := db.Raw(`SELECT o.pillar_id, r.progress AS status, a.currency, COUNT(*) AS n,
 CAST(SUM(a.budget) AS DOUBLE PRECISION) AS budget, CAST(SUM(COALESCE(r.expenditure, 0)) AS DOUBLE PRECISION) AS spent
FROM activities a
JOIN objectives o ON o.id = a.objective_id
JOIN pillars pl ON pl.id = o.pillar_id
LEFT JOIN activity_rollups r ON r.activity_id = a.id
WHERE a.plan_id = ? AND a.archived_at IS NULL AND o.archived_at IS NULL AND pl.archived_at IS NULL
GROUP BY o.pillar_id, r.progress, a.currency`, d.Plan.ID).Scan(&groups).Error
	if err != nil {
		return err
	}
	for _, g := range groups {
		s := byPillar[g.PillarID]
		if s == nil {
			continue
		}
		status := DashboardNoReport
		if g.Status != nil {
			status = *g.Status
		}
		s.Activities += g.N
		s.ByStatus[status] += g.N
		if g.Currency == d.Plan.Currency {
			s.Budget += g.Budget
			s.Spent += g.Spent
		} else {
			s.OtherCurrency += g.N
		}
	}
	return nil
}

// loadIndicators rates every indicator of the plan at the rated period k
// from its roll-up of that period (figures.Word with the plan's thresholds),
// counts them per pillar and per reporting organisation, and reads the
// ones furthest off track.
func (d *Dashboard) loadIndicators(db *gorm.DB, periods []domain.ReportingPeriod, k int, due bool, byPillar map[int64]*PillarSummary) error {
	periodID := int64(0)
	if k >= 0 {
		periodID = periods[k].ID
	}
	var rows []indicatorState
	err := db.Raw(`SELECT pl.id AS pillar_id, i.id AS indicator_id, i.reporting_org_id, r.indicator_id IS NOT NULL AS reported,
 r.actual, COALESCE(r.small, ?) AS small, COALESCE(r.withheld, ?) AS withheld, r.target, r.progress
FROM indicators i
LEFT JOIN activities a ON a.id = i.activity_id
JOIN objectives o ON o.id = COALESCE(i.objective_id, a.objective_id)
JOIN pillars pl ON pl.id = o.pillar_id
LEFT JOIN indicator_rollups r ON r.indicator_id = i.id AND r.period_id = ?
WHERE i.plan_id = ? AND i.archived_at IS NULL AND o.archived_at IS NULL AND pl.archived_at IS NULL
AND (i.activity_id IS NULL OR a.archived_at IS NULL)`, false, false, periodID, d.Plan.ID).Scan(&rows).Error
	if err != nil {
		return err
	}
	th := d.Plan.Thresholds()
	var rated []int // positions in rows of indicators rated from a shown figure
	rag := make([]string, len(rows))
	for i, r := range rows {
		rag[i] = figures.Word(r.Reported, r.Small || r.Withheld, r.Progress, th, due)
		d.Ratings[r.IndicatorID] = figures.Cell{Period: k, Rating: rag[i]}
		if s := byPillar[r.PillarID]; s != nil {
			s.Indicators++
			s.ByRAG[rag[i]]++
		}
		if d.OrgRAG[r.ReportingOrgID] == nil {
			d.OrgRAG[r.ReportingOrgID] = map[string]int{}
		}
		d.OrgRAG[r.ReportingOrgID][rag[i]]++
		if r.Progress != nil && r.Actual != nil {
			rated = append(rated, i)
		}
	}
	sort.SliceStable(rated, func(a, b int) bool {
		ra, rb := rows[rated[a]], rows[rated[b]]
		if *ra.Progress != *rb.Progress {
			return *ra.Progress < *rb.Progress
		}
		return ra.IndicatorID < rb.IndicatorID
	})
	rated = rated[:min(len(rated), DashboardOffTrackSize)]
	if len(rated) == 0 {
		return nil
	}
	ids := make([]int64, len(rated))
	for i, at := range rated {
		ids[i] = rows[at].IndicatorID
	}
	var inds []domain.Indicator
	if err := db.Where("id IN ?", ids).Find(&inds).Error; err != nil {
		return err
	}
	byID := map[int64]domain.Indicator{}
	for _, ind := range inds {
		byID[ind.ID] = ind
	}
	for _, at := range rated {
		r := rows[at]
		o := OffTrackIndicator{Indicator: byID[r.IndicatorID], Actual: *r.Actual, Target: r.Target, Progress: *r.Progress, RAG: rag[at],
			Period: periods[k].Label}
		if s := byPillar[r.PillarID]; s != nil {
			o.Pillar = s.Pillar
		}
		d.OffTrack = append(d.OffTrack, o)
	}
	return nil
}
