package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// presentPage is the workshop presentation: every slide in one page, shown
// one at a time by static/js/present.js (one after another without it). The
// same template renders live slides and a snapshot's frozen ones.
type presentPage struct {
	Page
	S *review.Slides
	// Deck is the slides as shown, long lists continued on follow-on
	// slides (2a, 2b…) so that each fits the screen (present_deck.go).
	Deck []deckSlide
	// Snapshot is set when presenting a review snapshot.
	Snapshot *review.ReviewSnapshot
	// Review is what moved since the plan's last review snapshot (live
	// presentations of a plan that has one).
	Review *review.ReviewChanges
	// Periods feed the range form of the live presentation.
	Periods   []domain.ReportingPeriod
	Decisions []review.DecisionRow
	CanDecide bool
	Form      decisionForm
	Targets   []choice
	Orgs      []choice
	// Start is the slide to open at (1-based), the decisions slide after a refused form.
	Start int
	// Back is the presentation's address, where the decision form returns.
	Back string
	Now  time.Time
}

// decisionForm is the decision form as typed, with its messages.
type decisionForm struct {
	Values formValues
	Errors map[string]string
}

// Slide numbers: the overview, one per pillar, compliance, key
// indicators, funding, decisions. A slide continued on follow-on slides
// keeps its number (2a, 2b…), so the numbers, and the decisions slide's
// address, do not depend on how long the lists are.

// Total is the number of slides, follow-on slides not counted.
func (p presentPage) Total() int {
	if p.Review != nil {
		return len(p.S.Pillars) + 6
	}
	return len(p.S.Pillars) + 5
}

// ReviewNo is the number of the since-the-last-review slide, after the
// decisions (so that adding it moves no other slide).
func (p presentPage) ReviewNo() int { return decisionsSlide(len(p.S.Pillars)) + 1 }

// PillarNo is the slide number of the pillar with index i.
func (p presentPage) PillarNo(i int) int { return i + 2 }

// ComplianceNo is the compliance slide's number.
func (p presentPage) ComplianceNo() int { return len(p.S.Pillars) + 2 }

// KeyNo is the key-indicator slide's number.
func (p presentPage) KeyNo() int { return len(p.S.Pillars) + 3 }

// FundingNo is the funding slide's number.
func (p presentPage) FundingNo() int { return len(p.S.Pillars) + 4 }

// DecisionsNo is the decisions slide's number.
func (p presentPage) DecisionsNo() int { return decisionsSlide(len(p.S.Pillars)) }

// decisionsSlide is the number of the decisions slide, the last one: after
// the overview, a slide per pillar, compliance, key indicators and funding.
func decisionsSlide(pillars int) int { return pillars + 5 }

// segment is one part of a stacked bar, in percent of its width.
type segment struct{ Key, X, W string }

// Segments lays counts out as the parts of a stacked bar of total.
func (p presentPage) Segments(counts []review.Count, total int) []segment {
	var out []segment
	x := 0.0
	for _, c := range counts {
		if c.N <= 0 || total <= 0 {
			continue
		}
		w := float64(c.N) * 100 / float64(total)
		out = append(out, segment{Key: c.Key, X: strconv.FormatFloat(x, 'f', 2, 64), W: strconv.FormatFloat(w, 'f', 2, 64)})
		x += w
	}
	return out
}

// MoneyBar is spent as a percentage of budget, capped at 100.
func (p presentPage) MoneyBar(spent, budget float64) string {
	if budget <= 0 || spent <= 0 {
		return "0"
	}
	return strconv.FormatFloat(min(spent*100/budget, 100), 'f', 1, 64)
}

// Ratio is spent ÷ budget as a fraction (0 without a budget).
func (p presentPage) Ratio(spent, budget float64) float64 {
	if budget <= 0 {
		return 0
	}
	return spent / budget
}

// RAGWord is a rating's word in the viewer's language.
func (p presentPage) RAGWord(rag string) string { return p.L.T("report.rag." + rag) }

// StatusWord is an activity status's word in the viewer's language.
func (p presentPage) StatusWord(status string) string {
	if status == review.NoReport {
		return p.L.T("present.no_report")
	}
	return p.L.T("progress." + status)
}

// Present shows the live presentation of a plan's approved data for the
// range chosen by the from and to query parameters (period labels; by
// default the year of the last period that has started).
func (h *Handler) Present(c echo.Context) error {
	// Slides show approved data only: a repeated request costs a 304.
	if done, err := h.planNotModified(c); done || err != nil {
		return err
	}
	p, err := h.presentData(c, c.Param("plan"), 0, c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "present", p)
}

// PresentSnapshot shows the presentation a review snapshot froze, exactly
// as it was, whatever happened to the live data since.
func (h *Handler) PresentSnapshot(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if done, err := h.planNotModified(c); done || err != nil {
		return err
	}
	p, err := h.presentData(c, c.Param("plan"), id, "", "")
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "present", p)
}

// presentData loads a presentation: the snapshot's slides when snapshotID
// is not 0, else the live slides of the range from..to.
func (h *Handler) presentData(c echo.Context, planCode string, snapshotID int64, from, to string) (presentPage, error) {
	ctx, now := c.Request().Context(), h.Now().UTC()
	p := presentPage{Page: h.page(c), Now: now, Start: 1, Form: decisionForm{Values: formValues{}}}
	filter := review.DecisionFilter{}
	if snapshotID != 0 {
		plan, err := planning.FindPlan(ctx, h.DB, planCode)
		if err != nil {
			return p, err
		}
		if p.Snapshot, err = review.FindSnapshot(ctx, h.DB, plan.ID, snapshotID); err != nil {
			return p, err
		}
		if p.S, err = p.Snapshot.Slides(); err != nil {
			return p, err
		}
		filter.SnapshotID = snapshotID
		p.Back = "/plans/" + url.PathEscape(plan.Code) + "/snapshots/" + strconv.FormatInt(snapshotID, 10) + "/present"
	} else {
		var err error
		if p.S, err = review.LoadSlides(ctx, h.DB, planCode, from, to, now); err != nil {
			return p, err
		}
		if p.Periods, err = reporting.PlanPeriods(ctx, h.DB, p.S.PlanID); err != nil {
			return p, err
		}
		filter.PlanID, filter.OpenOnly = p.S.PlanID, true
		p.Back = "/plans/" + url.PathEscape(p.S.PlanCode) + "/present?" + url.Values{"from": {p.S.From}, "to": {p.S.To}}.Encode()
	}
	var err error
	if p.Decisions, err = review.ListDecisions(ctx, h.DB, filter); err != nil {
		return p, err
	}
	if who := PrincipalOf(c); who != nil && domain.ScopeOf(&who.User).CanRecordDecisions() {
		p.CanDecide = true
		orgs, err := review.ActiveOrganisations(ctx, h.DB)
		if err != nil {
			return p, err
		}
		for _, o := range orgs {
			p.Orgs = append(p.Orgs, choice{Value: strconv.FormatInt(o.ID, 10), Label: o.Acronym + " — " + o.Name})
		}
		p.Targets = decisionTargets(p)
	}
	if snapshotID == 0 {
		// What moved since the last review, on a slide of its own.
		plan, err := planning.FindPlan(ctx, h.DB, p.S.PlanCode)
		if err != nil {
			return p, err
		}
		if p.Review, err = review.LoadReviewChanges(ctx, h.DB, *plan, 0, now, nil); err != nil {
			return p, err
		}
	}
	p.Deck = p.buildDeck()
	return p, nil
}

// decisionTargets lists what a decision can be attached to: the plan, each
// pillar and each activity of the slides.
func decisionTargets(p presentPage) []choice {
	lang := p.L.Lang
	out := []choice{{Value: "plan", Label: p.L.T("present.decision.whole_plan")}}
	for _, ps := range p.S.Pillars {
		out = append(out, choice{Value: "pillar:" + ps.Code, Label: p.S.Tier1In(lang) + " " + ps.Code + " — " + ps.TitleIn(lang)})
		for _, a := range ps.Activities {
			out = append(out, choice{Value: "activity:" + a.Code, Label: "  " + p.S.Tier3In(lang) + " " + a.Code + " — " + a.TitleIn(lang)})
		}
	}
	return out
}
