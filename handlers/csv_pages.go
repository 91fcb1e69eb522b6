package handlers

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"naptracker/account"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// The CSV downloads of the completeness page, the audit log and the lists
// of workshop decisions: each with the filters of its page and for the
// roles of its page (see Routes). None of them holds an indicator figure:
// completeness counts items owed, not people, and is the secretariat's.

// CompletenessCSV is the completeness page as CSV, with its filters
// (?period=P, repeatable, by default the page's; ?org=ACRONYM): per period
// a row per organisation, worst first as on the page, then the period's
// total. Rates are fractions (0.85 for 85 %), blank when there is none.
func (h *Handler) CompletenessCSV(c echo.Context) error {
	f, err := h.readCompletenessFilter(c)
	if err != nil {
		return err
	}
	ctx, now := c.Request().Context(), h.Now().UTC()
	rep, err := reporting.CompletenessFromRollups(ctx, h.DB, *f.plan, f.selected, f.orgID(), now)
	if err != nil {
		return err
	}
	l := h.Localizer(c)
	t := &csvTable{header: []string{l.T("csv.col.period"), l.T("csv.col.period_state"), l.T("csv.col.due"), l.T("csv.col.code"),
		l.T("completeness.organisation"), l.T("completeness.expected"), l.T("completeness.on_time"), l.T("completeness.late"),
		l.T("completeness.missing"), l.T("completeness.not_due"), l.T("completeness.returned"), l.T("completeness.approved"),
		l.T("completeness.rate"), l.T("completeness.timeliness")}}
	for _, pc := range rep.Periods {
		per := pc.Period
		row := func(code, name string, n reporting.CompletenessCounts) {
			t.add(csvText(per.Label), l.T("period.state."+per.State(rep.At, nil)), per.DueDate.Format("2006-01-02"), code, name,
				strconv.Itoa(n.Expected), strconv.Itoa(n.OnTime), strconv.Itoa(n.Late), strconv.Itoa(n.Missing),
				strconv.Itoa(n.NotDue), strconv.Itoa(n.Returned), strconv.Itoa(n.Approved),
				csvRate(n.CompletenessRate()), csvRate(n.TimelinessRate()))
		}
		for _, r := range pc.Rows {
			row(csvText(r.Organisation.Acronym), csvText(r.Organisation.Name), r.CompletenessCounts)
		}
		row("", l.T("csv.total"), pc.Total)
	}
	name := "naptracker-" + f.plan.Code + "-completeness"
	if f.org != nil {
		name += "-" + f.org.Acronym
	}
	return sendCSV(c, name+".csv", t)
}

// csvRate writes a rate as a fraction rounded to four places.
func csvRate(r *float64) string {
	if r == nil {
		return ""
	}
	x := math.Round(*r*10000) / 10000
	return csvNumber(&x)
}

// CSVLink is the address of the page's CSV with its filters.
func (p completenessPage) CSVLink() string {
	v := url.Values{}
	for _, ch := range p.Choices {
		if ch.Selected {
			v.Add("period", ch.Label)
		}
	}
	if p.Org != "" {
		v.Set("org", p.Org)
	}
	s := "/plans/" + url.PathEscape(p.Plan.Code) + "/completeness.csv"
	if len(v) > 0 {
		s += "?" + v.Encode()
	}
	return s
}

// auditCSVMax bounds the audit log's CSV: the newest auditCSVMax entries
// matching the filter (older than ?before=ID when given). When more match,
// the file ends with a row saying so and giving the address of the next
// part, and the answer carries the header X-CSV-Truncated: true.
const auditCSVMax = 10000

// AuditCSV is the audit log as CSV: every entry matching the page's filter
// (plan, user, action, entity, from, to), newest first, not only one page
// of it, up to auditCSVMax entries (see there). Values are as recorded
// (JSON), whole. An invalid filter shows the page with its messages (422).
func (h *Handler) AuditCSV(c echo.Context) error {
	f, p, err := h.readAuditRequest(c)
	if p == nil || err != nil {
		return err
	}
	page, err := account.BrowseAuditLog(c.Request().Context(), h.DB, f, auditCSVMax)
	if err != nil {
		return err
	}
	l := p.L
	t := &csvTable{header: []string{l.T("csv.col.id"), l.T("csv.col.time_utc"), l.T("audit.who"), l.T("csv.col.email"),
		l.T("csv.col.client_ip"), l.T("audit.action"), l.T("audit.entity"), l.T("csv.col.entity_id"), l.T("audit.plan"),
		l.T("csv.col.old"), l.T("csv.col.new"), l.T("audit.reason"), l.T("audit.request")}}
	for _, r := range auditRowsOf(page, p.Plans) {
		entity := ""
		if r.EntityID != nil {
			entity = strconv.FormatInt(*r.EntityID, 10)
		}
		t.add(strconv.FormatInt(r.ID, 10), r.OccurredAt.UTC().Format("2006-01-02 15:04:05"), csvText(r.Who), csvText(r.WhoEmail),
			csvText(r.ClientIP), csvText(r.Action), csvText(r.EntityType), entity, csvText(r.Plan),
			csvText(r.OldValue), csvText(r.NewValue), csvText(r.Reason), csvText(r.RequestID))
	}
	if n := len(page.Entries); page.HasOlder && n > 0 {
		v := p.Form.values()
		v.Set("before", strconv.FormatInt(page.Entries[n-1].ID, 10))
		// As wide as the others, as RFC 4180 asks.
		note := make([]string, len(t.header))
		note[0] = csvText(l.T("csv.audit.truncated", auditCSVMax, "/audit.csv?"+v.Encode()))
		t.add(note...)
		c.Response().Header().Set("X-CSV-Truncated", "true")
	}
	return sendCSV(c, "naptracker-audit.csv", t)
}

// DecisionsCSV is a list of workshop decisions as CSV, with the filters of
// the pages that list them: ?org=ACRONYM (the organisation page's: that
// organisation's decisions) and ?open=1 (the plan page's: open ones only),
// in the pages' order (open first, then by due date).
func (h *Handler) DecisionsCSV(c echo.Context) error {
	ctx, now := c.Request().Context(), h.Now().UTC()
	plan, err := planning.FindPlan(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	f := review.DecisionFilter{PlanID: plan.ID, OpenOnly: truthy(c.QueryParam("open"))}
	name := "naptracker-" + plan.Code + "-decisions"
	if acr := strings.TrimSpace(c.QueryParam("org")); acr != "" {
		org, err := planning.FindOrganisationByAcronym(ctx, h.DB, acr)
		if err != nil {
			return err
		}
		f.OrgID, name = org.ID, name+"-"+org.Acronym
	}
	rows, err := review.ListDecisions(ctx, h.DB, f)
	if err != nil {
		return err
	}
	l := h.Localizer(c)
	t := &csvTable{header: []string{l.T("csv.col.id"), l.T("present.decision.text"), l.T("present.decision.target"), l.T("csv.col.code"),
		l.T("csv.col.title"), l.T("present.decision.organisation"), l.T("csv.col.due"), l.T("csv.col.status"), l.T("csv.col.overdue"),
		l.T("csv.col.recorded_by"), l.T("csv.col.recorded_at"), l.T("csv.col.done_by"), l.T("csv.col.done_at")}}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return csvText(*s)
	}
	for _, r := range rows {
		about := l.T("present.decision.whole_plan")
		switch r.TargetKind() {
		case review.DecisionOnPillar:
			about = plan.Tier1In(l.Lang)
		case review.DecisionOnActivity:
			about = plan.Tier3In(l.Lang)
		}
		status, overdue := l.T("present.decision.done"), ""
		if r.Status == review.DecisionOpen {
			status = l.T("present.decision.open")
		}
		if r.Overdue(now) {
			overdue = l.T("csv.yes")
		}
		due, done := "", ""
		if r.DueDate != nil {
			due = r.DueDate.Format("2006-01-02")
		}
		if r.DoneAt != nil {
			done = r.DoneAt.UTC().Format("2006-01-02 15:04")
		}
		t.add(strconv.FormatInt(r.ID, 10), csvText(r.Text), csvText(about), csvText(r.TargetCode()), csvText(r.TargetTitle(l.Lang)),
			str(r.OrgAcronym), due, status, overdue, str(r.CreatedByName), r.CreatedAt.UTC().Format("2006-01-02 15:04"),
			str(r.DoneByName), done)
	}
	return sendCSV(c, name+".csv", t)
}

// decisionsCSVLink is the address of a decisions list's CSV.
func decisionsCSVLink(plan, org string, openOnly bool) string {
	v := url.Values{}
	if org != "" {
		v.Set("org", org)
	}
	if openOnly {
		v.Set("open", "1")
	}
	s := "/plans/" + url.PathEscape(plan) + "/decisions.csv"
	if len(v) > 0 {
		s += "?" + v.Encode()
	}
	return s
}

// CSVMax is the most entries one CSV of the audit log holds.
func (auditPage) CSVMax() int { return auditCSVMax }
