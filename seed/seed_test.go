package seed_test

import (
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/seed"
)

func TestDemoContent(t *testing.T) {
	t.Parallel()
	today := lateInYear()
	db, sum := loadDemo(t, today)
	d := load(t, db, sum.PlanID)

	p := d.plan
	if p.Code != seed.DemoPlanCode || !p.Demo || p.Country != "Lao PDR (demonstration)" || p.Frequency != domain.Quarterly ||
		!strings.Contains(p.Title, "(demonstration data)") || !strings.Contains(strings.ToLower(p.Description), "fictitious") {
		t.Errorf("plan is not clearly marked as a quarterly demonstration plan: %+v", p)
	}
	if p.StartYear != 2023 || p.EndYear != 2027 || p.GreenThreshold != 0.85 || p.RedThreshold != 0.5 || p.Currency != "USD" || p.Language != "en" {
		t.Errorf("plan years, thresholds or currency: %+v", p)
	}
	types := map[string]int{}
	for _, o := range d.orgs {
		types[o.Type]++
	}
	if types[domain.OrgMinistry]+types[domain.OrgAgency] < 12 || types[domain.OrgPartner] < 3 {
		t.Errorf("organisations by type: %v", types)
	}
	if len(d.pillars) != 5 || len(d.activities) < 40 || len(d.indicators) < 60 || len(d.periods) != 20 {
		t.Errorf("pillars %d, activities %d, indicators %d, periods %d", len(d.pillars), len(d.activities), len(d.indicators), len(d.periods))
	}
	perPillar := map[int64]int{}
	for _, o := range d.objectives {
		perPillar[o.PillarID]++
	}
	for _, pl := range d.pillars {
		if n := perPillar[pl.ID]; n < 2 || n > 4 {
			t.Errorf("pillar %s has %d objectives", pl.Code, n)
		}
	}
	got := seed.Summary{PlanID: p.ID, Organisations: sum.Organisations, Pillars: len(d.pillars), Objectives: len(d.objectives),
		Activities: len(d.activities), Indicators: len(d.indicators), Periods: len(d.periods), Values: len(d.values), Updates: len(d.updates)}
	if got != *sum {
		t.Errorf("summary %+v, database has %+v", *sum, got)
	}

	// Activities: a government lead, supporters that are not the lead, funding within budget.
	actByID := map[int64]domain.Activity{}
	for _, a := range d.activities {
		actByID[a.ID] = a
		if ty := d.orgs[a.LeadOrgID].Type; ty != domain.OrgMinistry && ty != domain.OrgAgency {
			t.Errorf("activity %s is led by a %s", a.Code, ty)
		}
		if a.StartDate.Year() < p.StartYear || a.EndDate.Year() > p.EndYear || a.EndDate.Before(a.StartDate) {
			t.Errorf("activity %s runs %s–%s", a.Code, a.StartDate, a.EndDate)
		}
	}
	withSup := map[int64]bool{}
	for _, s := range d.supporters {
		withSup[s.ActivityID] = true
		if actByID[s.ActivityID].LeadOrgID == s.OrganisationID {
			t.Errorf("activity %s lists its lead as a supporter", actByID[s.ActivityID].Code)
		}
	}
	funded := map[int64]float64{}
	for _, f := range d.funding {
		funded[f.ActivityID] += f.Amount
		if !d.orgs[f.FunderID].IsFunder() {
			t.Errorf("funding line from %s", d.orgs[f.FunderID].Acronym)
		}
	}
	for id, amount := range funded {
		if amount > actByID[id].Budget {
			t.Errorf("activity %s: funding %.0f above budget %.0f", actByID[id].Code, amount, actByID[id].Budget)
		}
	}
	if len(withSup) < 20 || len(funded) < 10 {
		t.Errorf("%d activities with supporters, %d with funding", len(withSup), len(funded))
	}

	// Indicators: variety.
	seen := map[string]int{}
	hasTargets := map[int64]bool{}
	for _, tg := range d.targets {
		hasTargets[tg.IndicatorID] = true
	}
	for _, ind := range d.indicators {
		seen["unit:"+ind.UnitType]++
		seen["dir:"+ind.Direction]++
		seen["acc:"+ind.Accumulation]++
		seen["level:"+ind.Level()]++
		if ind.DisaggregationSetID != nil {
			seen["disaggregated"]++
			seen["set:"+d.sets[*ind.DisaggregationSetID].Code]++
		}
		if ind.Sensitive {
			seen["sensitive"]++
		}
		switch {
		case ind.BaselineValue == nil:
			seen["no baseline"]++
		case *ind.BaselineValue == 0:
			seen["zero baseline"]++
		}
		if ind.BaselineYear != nil && *ind.BaselineYear != p.StartYear-1 {
			t.Errorf("indicator %s: baseline year %d", ind.Code, *ind.BaselineYear)
		}
		if !hasTargets[ind.ID] {
			seen["no targets"]++
		}
		if ind.EndTarget == nil {
			seen["no end target"]++
		}
		if ind.MeansOfVerification == "" {
			t.Errorf("indicator %s has no means of verification", ind.Code)
		}
		if ind.ActivityID != nil && actByID[*ind.ActivityID].LeadOrgID != ind.ReportingOrgID {
			seen["reported by another organisation"]++
		}
	}
	for _, k := range []string{"unit:number", "unit:percentage", "unit:yes_no", "unit:milestone", "dir:increase", "dir:maintain",
		"acc:sum", "acc:cumulative", "acc:latest", "level:outcome", "level:output", "no baseline", "zero baseline",
		"no targets", "reported by another organisation"} {
		if seen[k] == 0 {
			t.Errorf("no indicator with %s", k)
		}
	}
	if seen["dir:decrease"] < 3 || seen["dir:maintain"] > 2 || seen["disaggregated"] < 8 || seen["set:sex-age"] < 4 ||
		seen["sensitive"] < 4 || seen["no targets"] > 2 || seen["no end target"] > 4 {
		t.Errorf("indicator variety: %v", seen)
	}
	if len(d.evidence) < 5 || len(d.notes) < 10 {
		t.Errorf("%d evidence links, %d contribution notes", len(d.evidence), len(d.notes))
	}
	for _, e := range d.evidence {
		if e.Kind != domain.EvidenceLink || !strings.HasPrefix(e.URL, "https://") || e.Title == "" {
			t.Errorf("evidence %+v", e)
		}
	}
	var audits []domain.AuditEntry
	must(t, db.Where("plan_id = ?", p.ID).Find(&audits).Error)
	if len(audits) != 1 || audits[0].Action != "seed.demo" || audits[0].Actor != "system" {
		t.Errorf("audit entries: %+v", audits)
	}
	t.Logf("demo: %+v, indicator variety %v", *sum, seen)
}

func TestDemoValuesAndBreakdowns(t *testing.T) {
	t.Parallel()
	db, sum := loadDemo(t, lateInYear())
	d := load(t, db, sum.PlanID)
	indByID := map[int64]domain.Indicator{}
	for _, ind := range d.indicators {
		indByID[ind.ID] = ind
	}
	smallCell, smallTotal := false, false
	for _, v := range d.values {
		ind := indByID[v.IndicatorID]
		if v.Value == nil {
			t.Fatalf("value of %s has no number", ind.Code)
		}
		x := *v.Value
		switch ind.UnitType {
		case domain.UnitYesNo, domain.UnitMilestone:
			if x != 0 && x != 1 {
				t.Errorf("%s: %s value %v", ind.Code, ind.UnitType, x)
			}
			if ind.UnitType == domain.UnitMilestone && v.TextValue == "" {
				t.Errorf("%s: milestone value without its state", ind.Code)
			}
		case domain.UnitPercentage:
			if x < 0 || x > 100 {
				t.Errorf("%s: percentage %v", ind.Code, x)
			}
		default:
			if ind.Accumulation != domain.AccumulateLatest && x != math.Trunc(x) || x < 0 {
				t.Errorf("%s: count %v", ind.Code, x)
			}
		}
		if ind.DisaggregationSetID == nil {
			if len(v.Breakdown) != 0 {
				t.Errorf("%s: breakdown on an indicator without a set", ind.Code)
			}
			continue
		}
		cells := d.sets[*ind.DisaggregationSetID].Cells()
		if len(v.Breakdown) != len(cells) {
			t.Errorf("%s: %d breakdown cells, want %d", ind.Code, len(v.Breakdown), len(cells))
		}
		total := 0.0
		for _, b := range v.Breakdown {
			if !slices.Contains(cells, b.Cell) {
				t.Errorf("%s: cell %q is not in the set", ind.Code, b.Cell)
			}
			total += b.Value
			if ind.Sensitive && b.Value >= 1 && b.Value <= 4 {
				smallCell = true
			}
		}
		if total != x {
			t.Errorf("%s: breakdown adds up to %v, total is %v", ind.Code, total, x)
		}
	}
	for _, v := range d.values {
		if ind := indByID[v.IndicatorID]; ind.Sensitive && *v.Value >= 1 && *v.Value <= 4 {
			smallTotal = true
		}
	}
	if !smallCell || !smallTotal {
		t.Errorf("no small victim counts to suppress: cells %v, totals %v", smallCell, smallTotal)
	}
}

func TestDemoWorkflow(t *testing.T) {
	t.Parallel()
	for _, today := range []time.Time{lateInYear(), earlyInYear()} {
		t.Run(today.Format(time.DateOnly), func(t *testing.T) {
			db, sum := loadDemo(t, today)
			d := load(t, db, sum.PlanID)
			cur := d.current(today)
			if cur < 2 {
				t.Fatalf("today %s is in period %d", today, cur)
			}
			if st := d.periods[cur].State(today, nil); st != domain.PeriodOpen {
				t.Errorf("current period %s is %s", d.periods[cur].Label, st)
			}
			idx := d.periodIndex()
			n := len(d.indicators)
			type tally struct {
				status        map[string]int
				count, late   int
				holders       map[int64]bool
				reportedItems map[int64]bool
			}
			byPeriod := make([]tally, len(d.periods))
			for k := range byPeriod {
				byPeriod[k] = tally{status: map[string]int{}, holders: map[int64]bool{}, reportedItems: map[int64]bool{}}
			}
			indByID := map[int64]domain.Indicator{}
			for _, ind := range d.indicators {
				indByID[ind.ID] = ind
			}
			check := func(what string, k int, w domain.Workflow) {
				p := d.periods[k]
				byPeriod[k].status[w.Status]++
				byPeriod[k].count++
				if w.Version != 1 || w.CreatedAt.After(w.UpdatedAt) || !w.UpdatedAt.Before(today) {
					t.Errorf("%s %s: version %d, created %s, updated %s", what, p.Label, w.Version, w.CreatedAt, w.UpdatedAt)
				}
				if (w.SubmittedAt == nil) != (w.Status == domain.StatusDraft) {
					t.Errorf("%s %s: %s with submitted_at %v", what, p.Label, w.Status, w.SubmittedAt)
				}
				if w.SubmittedAt != nil && !w.SubmittedAt.AddDate(0, 0, -1).Before(p.DueDate) {
					byPeriod[k].late++
				}
				if (w.ApprovedAt != nil) != (w.Status == domain.StatusApproved) || (w.ReturnedAt != nil) != (w.Status == domain.StatusReturned) {
					t.Errorf("%s %s: %s with approved_at %v, returned_at %v", what, p.Label, w.Status, w.ApprovedAt, w.ReturnedAt)
				}
				for _, at := range []*time.Time{w.ApprovedAt, w.ReturnedAt} {
					if at != nil && (at.Before(*w.SubmittedAt) || !at.Before(today)) {
						t.Errorf("%s %s: validated at %s, submitted %s", what, p.Label, at, w.SubmittedAt)
					}
				}
				if (w.ReturnComment != "") != (w.Status == domain.StatusReturned) {
					t.Errorf("%s %s: %s with comment %q", what, p.Label, w.Status, w.ReturnComment)
				}
			}
			for _, v := range d.values {
				k := idx[v.PeriodID]
				check(indByID[v.IndicatorID].Code, k, v.Workflow)
				if v.Status == domain.StatusReturned {
					byPeriod[k].holders[indByID[v.IndicatorID].ReportingOrgID] = true
				}
			}
			for k := range d.periods {
				b := byPeriod[k]
				switch {
				case k < cur-2:
					if b.status[domain.StatusApproved] != n {
						t.Errorf("%s: %v of %d indicators, want all approved", d.periods[k].Label, b.status, n)
					}
				case k == cur-2:
					if b.count != n || b.status[domain.StatusSubmitted] == 0 || b.status[domain.StatusReturned] < 2 || b.status[domain.StatusDraft] != 0 {
						t.Errorf("P-2 %s: %v", d.periods[k].Label, b.status)
					}
				case k == cur-1:
					for _, st := range []string{domain.StatusDraft, domain.StatusSubmitted, domain.StatusReturned, domain.StatusApproved} {
						if b.status[st] == 0 {
							t.Errorf("P-1 %s has no %s value: %v", d.periods[k].Label, st, b.status)
						}
					}
					if b.count >= n || b.late == 0 {
						t.Errorf("P-1 %s: %d of %d indicators reported, %d late", d.periods[k].Label, b.count, n, b.late)
					}
				case k == cur:
					if b.count == 0 || b.status[domain.StatusDraft] != b.count {
						t.Errorf("current period %s: %v", d.periods[k].Label, b.status)
					}
				default:
					if b.count != 0 {
						t.Errorf("future period %s has %d values", d.periods[k].Label, b.count)
					}
				}
			}
			lateHistory := 0
			for k := 0; k < cur-2; k++ {
				lateHistory += byPeriod[k].late
			}
			if lateHistory == 0 {
				t.Errorf("no late submissions before P-2")
			}

			// Exceptions: organisations holding returned items of a locked period may still correct them.
			exc := map[[2]int64]domain.PeriodException{}
			for _, e := range d.exceptions {
				exc[[2]int64{e.PeriodID, e.OrganisationID}] = e
				if !e.UntilDate.Equal(today.AddDate(0, 0, 14)) || e.Reason == "" || e.GrantedByID != nil {
					t.Errorf("exception %+v", e)
				}
			}
			for _, k := range []int{cur - 2, cur - 1} {
				p := d.periods[k]
				for org := range byPeriod[k].holders {
					e, ok := exc[[2]int64{p.ID, org}]
					switch {
					case today.Before(p.LocksAt()):
						if st := p.State(today, nil); st != domain.PeriodOverdue {
							t.Errorf("%s is %s without a lock", p.Label, st)
						}
					case !ok:
						t.Errorf("%s is locked but %s, holding returned values, has no exception", p.Label, d.orgs[org].Acronym)
					case p.State(today, &e.UntilDate) == domain.PeriodClosed:
						t.Errorf("%s stays closed for %s despite the exception", p.Label, d.orgs[org].Acronym)
					}
				}
			}

			// Activity updates.
			actByID := map[int64]domain.Activity{}
			for _, a := range d.activities {
				actByID[a.ID] = a
			}
			ups := make([]tally, len(d.periods))
			for k := range ups {
				ups[k] = tally{status: map[string]int{}}
			}
			byPeriod = ups
			progress := map[string]int{}
			cancelled := map[int64]bool{}
			last := map[int64]domain.ActivityUpdate{}
			sorted := slices.Clone(d.updates)
			sort.SliceStable(sorted, func(i, j int) bool { return idx[sorted[i].PeriodID] < idx[sorted[j].PeriodID] })
			for _, u := range sorted {
				a, k := actByID[u.ActivityID], idx[u.PeriodID]
				check("activity "+a.Code, k, u.Workflow)
				progress[u.Progress]++
				if u.Progress == domain.ProgressNotStarted && !d.periods[k].EndDate.Before(a.StartDate) {
					t.Errorf("activity %s not started in %s although it starts %s", a.Code, d.periods[k].Label, a.StartDate)
				}
				if u.Progress == domain.ProgressCancelled {
					cancelled[a.ID] = true
				}
				if prev, ok := last[a.ID]; ok && (u.PercentComplete < prev.PercentComplete || u.Expenditure < prev.Expenditure) {
					t.Errorf("activity %s: progress went back in %s", a.Code, d.periods[k].Label)
				}
				if u.Expenditure > a.Budget {
					t.Errorf("activity %s: expenditure %.0f above budget %.0f", a.Code, u.Expenditure, a.Budget)
				}
				last[a.ID] = u
			}
			for k := range d.periods {
				b := byPeriod[k]
				switch {
				case k < cur-2 && b.status[domain.StatusApproved] != b.count:
					t.Errorf("updates of %s: %v, want all approved", d.periods[k].Label, b.status)
				case k == cur-1:
					for _, st := range []string{domain.StatusDraft, domain.StatusSubmitted, domain.StatusReturned, domain.StatusApproved} {
						if b.status[st] == 0 {
							t.Errorf("P-1 %s has no %s update: %v", d.periods[k].Label, st, b.status)
						}
					}
				case k == cur && b.status[domain.StatusDraft] != b.count:
					t.Errorf("updates of the current period: %v", b.status)
				case k > cur && b.count != 0:
					t.Errorf("updates in future period %s", d.periods[k].Label)
				}
			}
			if len(cancelled) != 1 || progress[domain.ProgressCompleted] == 0 || progress[domain.ProgressNotStarted] == 0 ||
				progress[domain.ProgressDelayed] == 0 || progress[domain.ProgressOnTrack] == 0 {
				t.Errorf("activity progress: %v, %d cancelled", progress, len(cancelled))
			}
		})
	}
}
