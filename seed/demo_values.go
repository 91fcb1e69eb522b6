package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"naptracker/domain"
)

// Streams of random numbers of the demo, apart from the values themselves
// (seeded per indicator) so that the numbers do not depend on today.
const (
	streamAssign   = 0xa551
	streamValueWF  = 0xf100
	streamUpdates  = 0xac70
	streamUpdateWF = 0xf110
)

// valueReturnComments are what the secretariat writes when returning a value.
var valueReturnComments = []string{
	"Please attach the supporting documents for {period} as evidence.",
	"The figure differs from the one in the ministry's quarterly report; please confirm or correct.",
	"The narrative mentions Bokeo but the figure does not seem to include it; please clarify.",
}

// returnComment picks a comment that fits the value being returned: a
// disaggregated value is questioned on its breakdown against its source.
func returnComment(rng *rand.Rand, set *domain.DisaggregationSet, source, label string) string {
	c := pick(rng, valueReturnComments)
	if set != nil && len(set.Dimensions) > 0 && source != "" {
		dim := strings.ToLower(set.Dimensions[len(set.Dimensions)-1].Name)
		c = fmt.Sprintf("The breakdown by %s does not match the %s; please check the {period} figures.",
			dim, strings.ToLower(source[:1])+source[1:])
	}
	return strings.ReplaceAll(c, "{period}", label)
}

// updateReturnComments are what the secretariat writes when returning an activity update.
var updateReturnComments = []string{
	"Expenditure is higher than the amount disbursed; please check against the finance report.",
	"Please describe what was achieved in {period} rather than the plan for the year.",
	"Percent complete does not match the achievements described; please review.",
}

// exceptionReasons explain the late-reporting exceptions of the two last closed periods.
var exceptionReasons = [2]string{
	"Returned items to be corrected before the mid-year review",
	"Late and returned reports accepted before the next review workshop",
}

// currentPeriod is the index of the period containing today.
func currentPeriod(periods []domain.ReportingPeriod, today time.Time) int {
	for k, p := range periods {
		if !today.Before(p.StartDate) && !today.After(p.EndDate) {
			return k
		}
	}
	return -1
}

// reportSlot gives the state of a report in period k: every period before
// P-2 approved (a tenth late), the three last ones as assigned, none after.
func reportSlot(rng *rand.Rand, k, cur int, assigned [3][]slot, i int) slot {
	if k < cur-2 {
		return slot{state: domain.StatusApproved, late: rng.Float64() < 0.1}
	}
	return assigned[k-(cur-2)][i]
}

// needsException reports whether an organisation holding a report in this
// state still has something to hand in.
func needsException(st string) bool {
	return st == "" || st == domain.StatusDraft || st == domain.StatusReturned
}

// createReports inserts the values, breakdowns, evidence, activity updates,
// contribution notes and period exceptions of the demo plan.
func (l *demoLoad) createReports() error {
	cur := currentPeriod(l.periods, l.today)
	if cur < 2 {
		return fmt.Errorf("seed: today %s is not inside the demo plan", l.today.Format(time.DateOnly))
	}
	clk := clock{today: l.today}
	ar := rand.New(rand.NewPCG(demoSeed, streamAssign))
	// Reports go missing by organisation: the slow ones most, some others a little.
	lag := map[int64]float64{}
	for _, o := range demoOrgs {
		lag[l.orgs[o.acronym]] = 0.5 * ar.Float64()
	}
	for _, acr := range slowOrgs {
		lag[l.orgs[acr]] = 1
	}
	acronym := map[int64]string{}
	for acr, id := range l.orgs {
		acronym[id] = acr
	}
	holders := [2]map[int64]bool{{}, {}} // organisations owing reports in P-2 and P-1

	// Indicator values.
	n := len(l.indicators)
	bias := make([]float64, n)
	for i, ind := range l.indicators {
		bias[i] = lag[ind.model.ReportingOrgID]
	}
	assigned := [3][]slot{
		assign(ar, bias, []quota{{domain.StatusReturned, 2, 0.3}, {domain.StatusSubmitted, n / 8, 0.3}}, domain.StatusApproved, false),
		assign(ar, bias, []quota{{"", n / 7, 0}, {domain.StatusDraft, n / 8, 0}, {domain.StatusReturned, max(2, n/25), 0.3},
			{domain.StatusSubmitted, n / 4, 0.4}}, domain.StatusApproved, true),
		assign(ar, make([]float64, n), []quota{{domain.StatusDraft, 6, 0}}, "", false),
	}
	var values []domain.IndicatorValue
	var valueCells [][]float64
	var cellNames [][]string
	var withEvidence []int
	for i, ind := range l.indicators {
		wr := rand.New(rand.NewPCG(demoSeed^streamValueWF, uint64(i)+1))
		var cells []string
		var set *domain.DisaggregationSet
		if ind.model.DisaggregationSetID != nil {
			s := l.sets[ind.spec.set]
			set, cells = &s, s.Cells()
		}
		for k := 0; k <= cur; k++ {
			p := l.periods[k]
			sl := reportSlot(wr, k, cur, assigned, i)
			if k >= cur-2 && k < cur && needsException(sl.state) {
				holders[k-(cur-2)][ind.model.ReportingOrgID] = true
			}
			if sl.state == "" {
				continue
			}
			comment := returnComment(wr, set, ind.spec.mov, p.Label)
			if sl.state != domain.StatusReturned {
				comment = ""
			}
			draftFrom := p.EndDate.AddDate(0, 0, -10)
			if k == cur {
				draftFrom = p.StartDate
			}
			pt := ind.points[k]
			v := pt.value
			values = append(values, domain.IndicatorValue{IndicatorID: ind.model.ID, PeriodID: p.ID, Value: &v,
				TextValue: pt.text, Narrative: pick(wr, valueNarratives),
				Workflow: clk.workflow(wr, p, sl.state, sl.late, comment, draftFrom)})
			valueCells, cellNames = append(valueCells, pt.cells), append(cellNames, cells)
			if i%6 == 0 && k == cur-3 {
				withEvidence = append(withEvidence, len(values)-1)
			}
		}
	}
	if err := insert(l.tx, values, 500); err != nil {
		return err
	}
	var breakdowns []domain.ValueBreakdown
	for j, cs := range valueCells {
		for c, v := range cs {
			breakdowns = append(breakdowns, domain.ValueBreakdown{ValueID: values[j].ID, Cell: cellNames[j][c], Value: v})
		}
	}
	if err := insert(l.tx, breakdowns, 1000); err != nil {
		return err
	}
	var evidence []domain.Evidence
	indByID := map[int64]*demoIndicator{}
	for _, ind := range l.indicators {
		indByID[ind.model.ID] = ind
	}
	for _, j := range withEvidence {
		v := values[j]
		ind := indByID[v.IndicatorID]
		label := l.periods[cur-3].Label
		acr := strings.ToLower(acronym[ind.model.ReportingOrgID])
		evidence = append(evidence, domain.Evidence{IndicatorValueID: &values[j].ID, Kind: domain.EvidenceLink,
			Title: ind.spec.mov + ", " + label,
			URL: fmt.Sprintf("https://%s.example.gov.la/reports/%s-%s.pdf", acr,
				strings.ReplaceAll(ind.spec.code, ".", "-"), strings.ToLower(label)),
			CreatedAt: *v.SubmittedAt})
	}
	if err := insert(l.tx, evidence, 100); err != nil {
		return err
	}
	l.sum.Values = len(values)

	if err := l.createUpdates(clk, ar, lag, cur, &holders); err != nil {
		return err
	}
	return l.createExceptions(cur, holders)
}

// createUpdates inserts the activity updates and the supporters' contribution notes.
func (l *demoLoad) createUpdates(clk clock, ar *rand.Rand, lag map[int64]float64, cur int, holders *[2]map[int64]bool) error {
	// pts[j][k] is activity j's update for period k, when it has one.
	pts := make([]map[int]actPoint, len(l.activities))
	for j, a := range l.activities {
		s := a.spec
		ap := activityPlan{from: s.from, to: s.to, cancel: s.cancel, pace: s.pace, budget: s.budget, did: s.did, cancelNote: s.cancelNote}
		if ap.pace == 0 {
			ap.pace = 1
		}
		pts[j] = map[int]actPoint{}
		for _, pt := range ap.generate(rand.New(rand.NewPCG(demoSeed^streamUpdates, uint64(j)+1)), len(l.periods), false) {
			pts[j][pt.k] = pt
		}
	}
	// The last three periods: spread the states over the activities due to report.
	var assigned [3][]slot
	var due [3][]int
	for d := range 3 {
		k := cur - 2 + d
		var bias []float64
		for j, a := range l.activities {
			if _, ok := pts[j][k]; ok {
				due[d] = append(due[d], j)
				bias = append(bias, lag[a.model.LeadOrgID])
			}
		}
		m := len(bias)
		switch d {
		case 0:
			assigned[d] = assign(ar, bias, []quota{{domain.StatusReturned, 1, 0}, {domain.StatusSubmitted, m / 8, 0.3}}, domain.StatusApproved, false)
		case 1:
			assigned[d] = assign(ar, bias, []quota{{"", m / 7, 0}, {domain.StatusDraft, m / 8, 0}, {domain.StatusReturned, max(1, m/30), 0.3},
				{domain.StatusSubmitted, m / 4, 0.4}}, domain.StatusApproved, true)
		default:
			assigned[d] = assign(ar, make([]float64, m), []quota{{domain.StatusDraft, 4, 0}}, "", false)
		}
	}
	var updates []domain.ActivityUpdate
	var notes []domain.ContributionNote
	for j, a := range l.activities {
		wr := rand.New(rand.NewPCG(demoSeed^streamUpdateWF, uint64(j)+1))
		for k := 0; k <= cur; k++ {
			pt, ok := pts[j][k]
			if !ok {
				continue
			}
			p := l.periods[k]
			var sl slot
			if k < cur-2 {
				sl = slot{state: domain.StatusApproved, late: wr.Float64() < 0.1}
			} else {
				d := k - (cur - 2)
				sl = assigned[d][slices.Index(due[d], j)]
				if k < cur && needsException(sl.state) {
					holders[d][a.model.LeadOrgID] = true
				}
			}
			if sl.state == "" {
				continue
			}
			comment := strings.ReplaceAll(pick(wr, updateReturnComments), "{period}", p.Label)
			if sl.state != domain.StatusReturned {
				comment = ""
			}
			draftFrom := p.EndDate.AddDate(0, 0, -10)
			if k == cur {
				draftFrom = p.StartDate
			}
			w := clk.workflow(wr, p, sl.state, sl.late, comment, draftFrom)
			updates = append(updates, domain.ActivityUpdate{ActivityID: a.model.ID, PeriodID: p.ID, UpdateContent: pt.content(), Workflow: w})
			if w.SubmittedAt == nil || pt.progress == domain.ProgressNotStarted {
				continue
			}
			for _, org := range a.supporters {
				if wr.Float64() < 0.3 {
					at := between(wr, w.SubmittedAt.AddDate(0, 0, -7), *w.SubmittedAt)
					notes = append(notes, domain.ContributionNote{ActivityID: a.model.ID, PeriodID: p.ID, OrganisationID: org,
						Note: pick(wr, contributionNotes), Version: 1, CreatedAt: at, UpdatedAt: at})
				}
			}
		}
	}
	if err := insert(l.tx, updates, 500); err != nil {
		return err
	}
	l.sum.Updates = len(updates)
	return insert(l.tx, notes, 500)
}

// createExceptions lets the organisations that still owe reports for P-2 or
// P-1 correct them for two more weeks, when those periods are already locked.
func (l *demoLoad) createExceptions(cur int, holders [2]map[int64]bool) error {
	var out []domain.PeriodException
	for d := range 2 {
		p := l.periods[cur-2+d]
		if l.today.Before(p.LocksAt()) {
			continue
		}
		orgs := make([]int64, 0, len(holders[d]))
		for id := range holders[d] {
			orgs = append(orgs, id)
		}
		slices.Sort(orgs)
		for _, id := range orgs {
			out = append(out, domain.PeriodException{PeriodID: p.ID, OrganisationID: id, UntilDate: l.today.AddDate(0, 0, 14),
				Reason: exceptionReasons[d], CreatedAt: l.today.Add(-15 * time.Hour)})
		}
	}
	return insert(l.tx, out, 100)
}
