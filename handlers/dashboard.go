package handlers

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/handlers/chart"
	"naptracker/pagegzip"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// dashboardPage is a plan's dashboard: approved data only, the same for
// every role, drawn from the roll-ups.
type dashboardPage struct {
	Page
	Plan domain.Plan
	D    *review.Dashboard
	// Charts across the pillars (a row per pillar and one for the plan).
	StatusChart, RAGChart, MoneyChart template.HTML
	Statuses, RAGs                    []word
	Pillars                           []pillarView
	Total                             pillarView
	OffTrack                          []offTrackView
	Orgs                              []orgView
	Changes                           []changeView
	// Review is what moved since a review snapshot (nil without one);
	// Snapshots are the plan's snapshots to compare with.
	Review    *review.ReviewChanges
	Snapshots []review.SnapshotSummary
	// Figures and ChangesHTML are the page's parts that do not depend on the
	// reader, rendered once with the figures they show.
	Figures, ChangesHTML *pagegzip.Part
	// RatingLabel names the rating period; the spans size the table's header groups.
	RatingLabel         string
	StatusSpan, RAGSpan int
}

// word is an enum value with its word in the page's language.
type word struct{ Key, Word string }

// count is how many items are in one status or rating.
type count struct {
	word
	N int
}

// pillarView is one pillar's figures and its own two charts.
type pillarView struct {
	ID, Code, Title       string
	Summary               review.PillarSummary
	Statuses, RAGs        []count
	StatusChart, RAGChart template.HTML
}

// offTrackView is a line of the indicators furthest off track.
type offTrackView struct {
	Code, Pillar, Period     string
	Name                     template.HTML // in the page's language, else marked with the plan's
	Actual, Target, Progress string
	RAG                      word
}

// orgView is one organisation's completeness in the rating period and its
// indicators by rating.
type orgView struct {
	reporting.OrgCompleteness
	Rate string
	RAGs []count
}

// changeView is one recent change in words.
type changeView struct {
	When, Who, What, Item string
}

// Dashboard shows a plan's overall and per-pillar progress (activities by
// status, indicators by rating, budget and expenditure), the completeness
// of the latest due period per organisation, the indicators furthest off
// track and the recent changes, from approved data only.
func (h *Handler) Dashboard(c echo.Context) error {
	ctx := c.Request().Context()
	plan, err := planning.FindPlan(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	// Approved data only, for every role: a repeated request costs a 304.
	if h.notModified(c, plan, true) {
		return nil
	}
	now := h.Now().UTC()
	// The figures and their charts are the same for every reader in a
	// language, and change only with the plan's data (its data version) and
	// the date (ratings "not due", what is overdue): read and drawn once,
	// then kept until one of them changes. They are never modified once
	// built; each request gets its own copy of the page around them.
	pg := h.page(c)
	slot := strconv.FormatInt(plan.ID, 10) + "/" + pg.L.Lang
	key := strconv.FormatInt(plan.DataVersion, 10) + "/" + now.Format(time.DateOnly)
	built, ok := h.dashboards.get(slot, key)
	if !ok {
		d, err := review.LoadDashboard(ctx, h.DB, *plan, now)
		if err != nil {
			return err
		}
		if built, err = buildDashboardPage(pg, d); err != nil {
			return err
		}
		// The figures and the changes, the bulk of the page, are rendered
		// once too: a room of readers then costs the page around them.
		if built.Figures, err = keepFragment(c, "dashboard", "dashboard_figures", built); err != nil {
			return err
		}
		if built.ChangesHTML, err = keepFragment(c, "dashboard", "dashboard_changes", built); err != nil {
			return err
		}
		h.dashboards.put(slot, key, built)
	}
	p := *built
	p.Page = pg
	d := p.D
	// Since the last review (or the snapshot chosen with ?since=ID).
	since, err := sinceParam(c)
	if err != nil {
		return err
	}
	if d.Period != nil {
		if p.Review, err = review.LoadReviewChanges(ctx, h.DB, *plan, since, now, d.Ratings); err != nil {
			return err
		}
		if p.Review != nil {
			if p.Snapshots, err = review.ListSnapshots(ctx, h.DB, plan.ID); err != nil {
				return err
			}
		}
	}
	return renderWithParts(c, "dashboard", p, p.Figures, p.ChangesHTML)
}

// buildDashboardPage turns the dashboard's figures into words and charts.
func buildDashboardPage(pg Page, d *review.Dashboard) (*dashboardPage, error) {
	L := pg.L
	p := &dashboardPage{Page: pg, Plan: d.Plan, D: d, RatingLabel: periodLabel(d),
		StatusSpan: len(review.DashboardStatuses) + 1, RAGSpan: len(domain.RAGs) + 1}
	for _, s := range review.DashboardStatuses {
		p.Statuses = append(p.Statuses, word{s, L.T("dashboard.status." + s)})
	}
	for _, r := range domain.RAGs {
		p.RAGs = append(p.RAGs, word{r, L.T("report.rag." + r)})
	}
	statusSeries, ragSeries := series(p.Statuses), series(p.RAGs)
	money := []chart.Series{{Key: "budget", Label: L.T("dashboard.budget")}, {Key: "spent", Label: L.T("dashboard.spent")}}
	num := chart.Number(func(f float64) string { return L.Num(f) })
	cur := chart.Number(func(f float64) string { return L.Money(f, d.Plan.Currency) })
	statusAll := chart.Stacked{ID: "ch-status", Title: L.T("dashboard.chart.status"), Series: statusSeries, TotalLabel: L.T("dashboard.total"), Number: num}
	ragAll := chart.Stacked{ID: "ch-rag", Title: L.T("dashboard.chart.rag", L.T("dashboard.rag_at", periodLabel(d))), Series: ragSeries, TotalLabel: L.T("dashboard.total"), Number: num}
	moneyAll := chart.Grouped{ID: "ch-money", Title: L.T("dashboard.chart.money", d.Plan.Currency), Series: money, Number: cur}
	all := append(append([]review.PillarSummary{}, d.Pillars...), d.Total)
	var err error
	for i, s := range all {
		v := pillarView{Summary: s, Statuses: counts(p.Statuses, s.ByStatus), RAGs: counts(p.RAGs, s.ByRAG)}
		label := L.T("dashboard.whole_plan")
		if i < len(d.Pillars) {
			v.ID, v.Code, v.Title = "p-"+s.Pillar.Code, s.Pillar.Code, s.Pillar.TitleIn(L.Lang)
			label = d.Plan.Tier1In(L.Lang) + " " + s.Pillar.Code
			one := chart.Stacked{ID: "ch-s-" + s.Pillar.Code, Title: L.T("dashboard.chart.status_of", label), Series: statusSeries,
				TotalLabel: L.T("dashboard.total"), Number: num, Rows: []chart.StackedRow{{Label: L.T("dashboard.activities"), Values: values(v.Statuses)}}}
			if v.StatusChart, err = one.SVG(); err != nil {
				return nil, err
			}
			one = chart.Stacked{ID: "ch-r-" + s.Pillar.Code, Title: L.T("dashboard.chart.rag_of", label), Series: ragSeries,
				TotalLabel: L.T("dashboard.total"), Number: num, Rows: []chart.StackedRow{{Label: L.T("dashboard.indicators"), Values: values(v.RAGs)}}}
			if v.RAGChart, err = one.SVG(); err != nil {
				return nil, err
			}
			p.Pillars = append(p.Pillars, v)
		} else {
			p.Total = v
		}
		statusAll.Rows = append(statusAll.Rows, chart.StackedRow{Label: label, Values: values(v.Statuses)})
		ragAll.Rows = append(ragAll.Rows, chart.StackedRow{Label: label, Values: values(v.RAGs)})
		moneyAll.Rows = append(moneyAll.Rows, chart.GroupedRow{Label: label, Values: []float64{s.Budget, s.Spent}})
	}
	if p.StatusChart, err = statusAll.SVG(); err != nil {
		return nil, err
	}
	if p.RAGChart, err = ragAll.SVG(); err != nil {
		return nil, err
	}
	if p.MoneyChart, err = moneyAll.SVG(); err != nil {
		return nil, err
	}
	for _, o := range d.OffTrack {
		v := offTrackView{Code: o.Indicator.Code, Name: L.Content(o.Indicator.Name, o.Indicator.NameI18n, d.Plan.Language), Pillar: o.Pillar.Code, Period: o.Period,
			Actual: L.Num(o.Actual), Target: L.Num(o.Target), Progress: L.Pct(o.Progress), RAG: word{o.RAG, L.T("report.rag." + o.RAG)}}
		p.OffTrack = append(p.OffTrack, v)
	}
	if d.Completeness != nil {
		for _, r := range d.Completeness.Rows {
			v := orgView{OrgCompleteness: r, Rate: "–", RAGs: counts(p.RAGs, d.OrgRAG[r.Organisation.ID])}
			if rate := r.CompletenessRate(); rate != nil {
				v.Rate = L.Pct(*rate)
			}
			p.Orgs = append(p.Orgs, v)
		}
	}
	for _, ch := range d.Changes {
		item := ch.Code
		if ch.Period != "" {
			item += " · " + ch.Period
		}
		p.Changes = append(p.Changes, changeView{When: L.DateTime(ch.OccurredAt), Who: ch.Who, What: L.T("dashboard.action." + ch.Action), Item: item})
	}
	return p, nil
}

// periodLabel names the rating period, or "–" for a plan without periods.
func periodLabel(d *review.Dashboard) string {
	if d.Period == nil {
		return "–"
	}
	return d.Period.Label
}

func series(ws []word) []chart.Series {
	out := make([]chart.Series, len(ws))
	for i, w := range ws {
		out[i] = chart.Series{Key: w.Key, Label: w.Word}
	}
	return out
}

func counts(ws []word, m map[string]int) []count {
	out := make([]count, len(ws))
	for i, w := range ws {
		out[i] = count{word: w, N: m[w.Key]}
	}
	return out
}

func values(cs []count) []float64 {
	out := make([]float64, len(cs))
	for i, c := range cs {
		out[i] = float64(c.N)
	}
	return out
}

// sinceParam reads ?since=ID, the review snapshot to compare with (0: the latest).
func sinceParam(c echo.Context) (int64, error) {
	s := strings.TrimSpace(c.QueryParam("since"))
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		v := &domain.ValidationError{}
		v.AddKey("since", "err.snapshot_id")
		return 0, v
	}
	return id, nil
}
