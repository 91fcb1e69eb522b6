package handlers

import (
	"net/url"
	"strconv"

	"naptracker/figures"
	"naptracker/i18n"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// FiguresCSV is every indicator's figures for a period or a range as CSV,
// with the filters of GET /api/v1/plans/{plan}/figures (from, to,
// include_unapproved): one row per indicator and period, one for the
// range, and one per breakdown cell, each number as the caller's audience
// may see it (models.LoadPlanFigures: the figures package's disclosure).
func (h *Handler) FiguresCSV(c echo.Context) error {
	pf, err := h.planFigures(c)
	if err != nil {
		return err
	}
	l := h.Localizer(c)
	t := &csvTable{header: []string{l.T("csv.col.indicator"), l.T("csv.col.name"), l.T("csv.col.breakdown"), l.T("csv.col.period"),
		l.T("csv.col.target"), l.T("csv.col.actual"), l.T("csv.col.unapproved"), l.T("csv.col.progress"), l.T("csv.col.rating"), l.T("csv.col.audience"), l.T("csv.col.rating_code")}}
	rangeLabel := pf.Range.First().Label + "–" + pf.Range.Last().Label
	yes := func(b bool) string {
		if b {
			return l.T("csv.yes")
		}
		return ""
	}
	for _, it := range pf.Indicators {
		a, ind := it.Assessment, it.Indicator
		name := csvText(l.Text(ind.Name, ind.NameI18n))
		row := func(period string, c figures.Cell) {
			t.add(csvText(ind.Code), name, "", period, csvNumber(c.Target), csvFigure(l, c.Actual), yes(c.Actual.Unapproved),
				csvNumber(c.Progress), ratingWord(l, c.Rating), it.Audience.String(), c.Rating)
		}
		for _, c := range a.Periods {
			row(pf.Periods[c.Period].Label, c)
		}
		row(rangeLabel, a.Range)
		if a.Breakdown == nil {
			continue
		}
		for i, cell := range it.Cells {
			for k, f := range a.Breakdown[i][1:] {
				t.add(csvText(ind.Code), name, csvText(cell), pf.Periods[pf.Range.From+k].Label, "", csvFigure(l, f), yes(f.Unapproved), "", "", it.Audience.String(), "")
			}
			t.add(csvText(ind.Code), name, csvText(cell), rangeLabel, "", csvFigure(l, a.Breakdown[i][0]), yes(a.Breakdown[i][0].Unapproved), "", "", it.Audience.String(), "")
		}
	}
	return sendCSV(c, "naptracker-"+pf.Plan.Code+"-figures-"+pf.Range.First().Label+"-"+pf.Range.Last().Label+".csv", t)
}

// ratingWord is a rating as the pages show it, in the reader's language
// (report.rag.*); the code (on_track, withheld…) is in its own column for
// machines.
func ratingWord(l *i18n.Localizer, code string) string {
	if code == "" {
		return ""
	}
	return l.T("report.rag." + code)
}

// QueueCSV is the validation queue as CSV, with the page's filters
// (period, pillar, org). The queue is the secretariat's: every figure in
// it is internal.
func (h *Handler) QueueCSV(c echo.Context) error {
	f := reporting.QueueFilter{Period: c.QueryParam("period"), Pillar: c.QueryParam("pillar"), Org: c.QueryParam("org")}
	q, err := reporting.LoadQueue(c.Request().Context(), h.DB, c.Param("plan"), f)
	if err != nil {
		return err
	}
	l := h.Localizer(c)
	t := &csvTable{header: []string{l.T("csv.col.kind"), l.T("csv.col.code"), l.T("csv.col.name"), l.T("csv.col.pillar"),
		l.T("csv.col.organisation"), l.T("csv.col.period"), l.T("csv.col.due"), l.T("csv.col.submitted"), l.T("csv.col.late"),
		l.T("csv.col.value"), l.T("csv.col.target"), l.T("csv.col.previous"), l.T("csv.col.progress"), l.T("csv.col.text"), l.T("csv.col.version")}}
	for _, it := range q.Items {
		late := ""
		if it.Late() {
			late = l.T("csv.yes")
		}
		progress := ""
		if it.Kind == reporting.ItemActivity {
			progress = strconv.Itoa(it.Percent)
		}
		t.add(it.Kind, csvText(it.Code), csvText(l.Text(it.Name, it.NameI18n)), csvText(it.PillarCode), csvText(it.Org), csvText(it.Period),
			it.DueDate.Format("2006-01-02"), it.SubmittedAt.UTC().Format("2006-01-02 15:04"), late,
			csvNumber(it.Value), csvNumber(it.Target), csvNumber(it.Previous), progress, csvText(it.Text), strconv.Itoa(it.Version))
	}
	return sendCSV(c, "naptracker-"+c.Param("plan")+"-queue.csv", t)
}

// CSVLink is the address of the queue's CSV with the page's filters.
func (p queuePage) CSVLink() string {
	s := "/plans/" + url.PathEscape(p.Queue.Plan.Code) + "/queue.csv"
	if p.Query != "" {
		s += "?" + p.Query
	}
	return s
}
