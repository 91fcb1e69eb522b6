package reporting_test

import (
	"context"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// tinyPlan is a plan built by hand whose completeness is worked out on paper
// in TestCompletenessHandComputed.
type tinyPlan struct {
	plan        domain.Plan
	a, b        domain.Organisation
	p1, p2      domain.ReportingPeriod
	ind         map[string]domain.Indicator
	act         map[string]domain.Activity
	p1Due       time.Time
	beforeP2Due time.Time
}

func newTinyPlan(t *testing.T, db *gorm.DB) *tinyPlan {
	t.Helper()
	at := domain.Date(2023, 12, 1)
	tp := &tinyPlan{ind: map[string]domain.Indicator{}, act: map[string]domain.Activity{}}
	tp.a = domain.Organisation{Acronym: "AAA", Name: "Ministry A", Type: domain.OrgMinistry, Version: 1, CreatedAt: at, UpdatedAt: at}
	tp.b = domain.Organisation{Acronym: "BBB", Name: "Ministry B", Type: domain.OrgMinistry, Version: 1, CreatedAt: at, UpdatedAt: at}
	storetest.Must(t, db.Create(&tp.a).Error)
	storetest.Must(t, db.Create(&tp.b).Error)
	tp.plan = domain.Plan{Code: "TINY", Title: "Tiny plan", StartYear: 2024, EndYear: 2024, Frequency: domain.Quarterly,
		Tier1Label: "Pillar", Tier2Label: "Objective", Tier3Label: "Activity", GreenThreshold: 0.85, RedThreshold: 0.5,
		Language: "en", Currency: "USD", Version: 1, CreatedAt: at, UpdatedAt: at}
	storetest.Must(t, db.Create(&tp.plan).Error)
	pillar := domain.Pillar{PlanID: tp.plan.ID, Code: "1", Title: "Pillar", Version: 1, CreatedAt: at, UpdatedAt: at}
	storetest.Must(t, db.Create(&pillar).Error)
	obj := domain.Objective{PlanID: tp.plan.ID, PillarID: pillar.ID, Code: "1.1", Title: "Objective", Version: 1, CreatedAt: at, UpdatedAt: at}
	storetest.Must(t, db.Create(&obj).Error)
	tp.p1 = domain.ReportingPeriod{PlanID: tp.plan.ID, Label: "2024-Q1", StartDate: domain.Date(2024, 1, 1), EndDate: domain.Date(2024, 3, 31),
		DueDate: domain.Date(2024, 4, 30), GraceDays: 15, Version: 1, CreatedAt: at, UpdatedAt: at}
	tp.p2 = domain.ReportingPeriod{PlanID: tp.plan.ID, Label: "2024-Q2", StartDate: domain.Date(2024, 4, 1), EndDate: domain.Date(2024, 6, 30),
		DueDate: domain.Date(2024, 7, 30), GraceDays: 15, Version: 1, CreatedAt: at, UpdatedAt: at}
	storetest.Must(t, db.Create(&tp.p1).Error)
	storetest.Must(t, db.Create(&tp.p2).Error)
	// Activities of A: act1 runs in Q1 only, act2 in Q1 and Q2, act3 is archived,
	// act4 runs all year but was reported cancelled (approved) in Q1.
	mkAct := func(code string, lead int64, from, to time.Time, archived bool) {
		a := domain.Activity{PlanID: tp.plan.ID, ObjectiveID: obj.ID, Code: code, Title: "Activity " + code, LeadOrgID: lead,
			StartDate: from, EndDate: to, Currency: "USD", Version: 1, CreatedAt: at, UpdatedAt: at}
		if archived {
			a.ArchivedAt = &at
		}
		storetest.Must(t, db.Create(&a).Error)
		tp.act[code] = a
	}
	mkAct("1.1.1", tp.a.ID, domain.Date(2024, 1, 1), domain.Date(2024, 3, 31), false)
	mkAct("1.1.2", tp.a.ID, domain.Date(2024, 2, 1), domain.Date(2024, 5, 31), false)
	mkAct("1.1.3", tp.a.ID, domain.Date(2024, 1, 1), domain.Date(2024, 12, 31), true)
	mkAct("1.1.4", tp.a.ID, domain.Date(2024, 1, 1), domain.Date(2024, 12, 31), false)
	// Indicators: A reports i1, i2 and the archived i3; B reports i4.
	mkInd := func(code string, org int64, archived bool) {
		i := domain.Indicator{PlanID: tp.plan.ID, ObjectiveID: &obj.ID, Code: code, Name: "Indicator " + code, UnitType: domain.UnitNumber,
			Direction: domain.Increase, Accumulation: domain.AccumulateSum, ReportingOrgID: org, Version: 1, CreatedAt: at, UpdatedAt: at}
		if archived {
			i.ArchivedAt = &at
		}
		storetest.Must(t, db.Create(&i).Error)
		tp.ind[code] = i
	}
	mkInd("1.1.a", tp.a.ID, false)
	mkInd("1.1.b", tp.a.ID, false)
	mkInd("1.1.c", tp.a.ID, true)
	mkInd("1.1.d", tp.b.ID, false)
	tp.p1Due = domain.Date(2024, 5, 1) // the instant 30 April ends
	tp.beforeP2Due = domain.Date(2024, 7, 10)
	return tp
}

func (tp *tinyPlan) value(t *testing.T, db *gorm.DB, ind string, p domain.ReportingPeriod, status string, submitted *time.Time) {
	t.Helper()
	v := domain.IndicatorValue{IndicatorID: tp.ind[ind].ID, PeriodID: p.ID, Value: new(1.0),
		Workflow: workflow(status, submitted, p.StartDate)}
	storetest.Must(t, db.Create(&v).Error)
}

func (tp *tinyPlan) update(t *testing.T, db *gorm.DB, act string, p domain.ReportingPeriod, status, progress string, submitted *time.Time) {
	t.Helper()
	u := domain.ActivityUpdate{ActivityID: tp.act[act].ID, PeriodID: p.ID, UpdateContent: domain.UpdateContent{Progress: progress}, Workflow: workflow(status, submitted, p.StartDate)}
	storetest.Must(t, db.Create(&u).Error)
}

func workflow(status string, submitted *time.Time, created time.Time) domain.Workflow {
	w := domain.Workflow{Status: status, Version: 1, SubmittedAt: submitted, CreatedAt: created, UpdatedAt: created}
	switch status {
	case domain.StatusApproved:
		w.ApprovedAt = submitted
	case domain.StatusReturned:
		w.ReturnedAt, w.ReturnComment = submitted, "Please check the figure."
	}
	return w
}

// TestCompletenessHandComputed checks Completeness and CompletenessItems on
// a plan small enough to count on paper, including the edges of the due
// date (the last second of it is on time, midnight after it is late).
func TestCompletenessHandComputed(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	tp := newTinyPlan(t, db)
	onDueDay := tp.p1Due.Add(-time.Second)
	afterDue := tp.p1Due
	// Q1 (due date passed): i1 submitted in the last second of the due date,
	// i2 approved but submitted at midnight after it, the archived i3 reported
	// (ignored), act1 only a draft, act2 nothing, act4 approved as cancelled
	// on time; B's i4 returned after an on-time submission.
	tp.value(t, db, "1.1.a", tp.p1, domain.StatusSubmitted, &onDueDay)
	tp.value(t, db, "1.1.b", tp.p1, domain.StatusApproved, &afterDue)
	tp.value(t, db, "1.1.c", tp.p1, domain.StatusSubmitted, &onDueDay)
	tp.update(t, db, "1.1.1", tp.p1, domain.StatusDraft, domain.ProgressOnTrack, nil)
	early := domain.Date(2024, 4, 10)
	tp.update(t, db, "1.1.4", tp.p1, domain.StatusApproved, domain.ProgressCancelled, &early)
	tp.value(t, db, "1.1.d", tp.p1, domain.StatusReturned, &early)
	// Q2 (not due yet): i1 a draft, i2 submitted; act1 (ended in Q1) has a
	// stray update that is not expected; act2 nothing; act4 is cancelled.
	early2 := domain.Date(2024, 7, 2)
	tp.value(t, db, "1.1.a", tp.p2, domain.StatusDraft, nil)
	tp.value(t, db, "1.1.b", tp.p2, domain.StatusSubmitted, &early2)
	tp.update(t, db, "1.1.1", tp.p2, domain.StatusSubmitted, domain.ProgressCompleted, &early2)

	counter := storetest.CountQueries(db)
	now := tp.beforeP2Due
	rep, err := reporting.Completeness(ctx, db, tp.plan, []domain.ReportingPeriod{tp.p1, tp.p2}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.N(); n != 4 {
		t.Errorf("Completeness ran %d queries, want 4", n)
	}
	type want struct {
		org string
		c   reporting.CompletenessCounts
	}
	expect := [][]want{
		{ // Q1, worst first: B has nothing complete, A half.
			{"BBB", reporting.CompletenessCounts{Expected: 1, OnTime: 1, Returned: 1}},
			{"AAA", reporting.CompletenessCounts{Expected: 5, OnTime: 2, Late: 1, Missing: 2, Submitted: 1, Approved: 2}},
		},
		{ // Q2: B owes i4 (not due), A owes i1 and act2 (not due) and handed in i2.
			{"BBB", reporting.CompletenessCounts{Expected: 1, NotDue: 1}},
			{"AAA", reporting.CompletenessCounts{Expected: 3, OnTime: 1, NotDue: 2, Submitted: 1}},
		},
	}
	if len(rep.Periods) != 2 {
		t.Fatalf("%d periods, want 2", len(rep.Periods))
	}
	for k, pc := range rep.Periods {
		if len(pc.Rows) != len(expect[k]) {
			t.Fatalf("%s: %d rows, want %d: %+v", pc.Period.Label, len(pc.Rows), len(expect[k]), pc.Rows)
		}
		var total reporting.CompletenessCounts
		for i, w := range expect[k] {
			got := pc.Rows[i]
			if got.Organisation.Acronym != w.org || got.CompletenessCounts != w.c {
				t.Errorf("%s row %d = %s %+v, want %s %+v", pc.Period.Label, i, got.Organisation.Acronym, got.CompletenessCounts, w.org, w.c)
			}
			total.Expected += w.c.Expected
		}
		if pc.Total.Expected != total.Expected {
			t.Errorf("%s total expected %d, want %d", pc.Period.Label, pc.Total.Expected, total.Expected)
		}
	}
	a1 := rep.Periods[0].Rows[1]
	if r := a1.CompletenessRate(); r == nil || *r != 0.6 {
		t.Errorf("A in Q1: completeness %v, want 3/5", r)
	}
	if r := a1.TimelinessRate(); r == nil || *r != 0.4 {
		t.Errorf("A in Q1: timeliness %v, want 2/5", r)
	}
	if r := rep.Periods[1].Rows[0].TimelinessRate(); r != nil {
		t.Errorf("B in Q2: timeliness %v, want none while nothing is due", *r)
	}
	if r := rep.Periods[1].Rows[1].TimelinessRate(); r == nil || *r != 1 {
		t.Errorf("A in Q2: timeliness %v, want 1 (its only item due or in was on time)", r)
	}

	// One organisation only.
	only, err := reporting.Completeness(ctx, db, tp.plan, []domain.ReportingPeriod{tp.p1}, tp.b.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if rows := only.Periods[0].Rows; len(rows) != 1 || rows[0].Organisation.ID != tp.b.ID {
		t.Errorf("filtered on B: %+v", rows)
	}

	// Item by item: the same states, with names, and outstanding ones only on request.
	items, err := reporting.CompletenessItems(ctx, db, tp.plan, []domain.ReportingPeriod{tp.p1}, reporting.ItemFilter{OrgID: tp.a.ID}, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range items {
		got[it.Code] = it.State
	}
	wantStates := map[string]string{"1.1.a": reporting.ItemOnTime, "1.1.b": reporting.ItemLate, "1.1.1": reporting.ItemMissing, "1.1.2": reporting.ItemMissing, "1.1.4": reporting.ItemOnTime}
	if len(got) != len(wantStates) {
		t.Errorf("A's Q1 items: %v, want %v", got, wantStates)
	}
	for code, st := range wantStates {
		if got[code] != st {
			t.Errorf("item %s: %q, want %q", code, got[code], st)
		}
	}
	if items[0].Kind != reporting.ItemValue || items[len(items)-1].Kind != reporting.ItemUpdate {
		t.Errorf("values should come before updates: %+v", items)
	}
	owed, err := reporting.CompletenessItems(ctx, db, tp.plan, []domain.ReportingPeriod{tp.p1, tp.p2}, reporting.ItemFilter{Outstanding: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, it := range owed {
		codes = append(codes, it.Code+"@"+it.State)
		if it.Status == domain.StatusReturned && it.ReturnComment != "Please check the figure." {
			t.Error("a returned item lacks its comment")
		}
	}
	wantOwed := []string{"1.1.a@not_due", "1.1.2@not_due", "1.1.1@missing", "1.1.2@missing", "1.1.d@on_time", "1.1.d@not_due"}
	if len(codes) != len(wantOwed) {
		t.Errorf("outstanding items %v, want (in some order) %v", codes, wantOwed)
	}
	for _, w := range wantOwed {
		found := false
		for _, c := range codes {
			found = found || c == w
		}
		if !found {
			t.Errorf("outstanding items %v lack %s", codes, w)
		}
	}

	// After Q2's due date, what was not due is missing.
	later, err := reporting.Completeness(ctx, db, tp.plan, []domain.ReportingPeriod{tp.p2}, 0, domain.Date(2024, 8, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range later.Periods[0].Rows {
		if r.NotDue != 0 || r.Missing == 0 {
			t.Errorf("after the due date %s still has %+v", r.Organisation.Acronym, r.CompletenessCounts)
		}
	}
}

// TestCompletenessOfTheDemoPlan checks the demo plan's numbers for
// consistency in every period: each row adds up, the totals are the sums of
// the rows, and the item-by-item list gives the same counts.
func TestCompletenessOfTheDemoPlan(t *testing.T) {
	t.Parallel()
	today := time.Now().UTC()
	db := storetest.Demo(t, today)
	ctx := context.Background()
	plan, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := reporting.Completeness(ctx, db, *plan, periods, 0, today)
	if err != nil {
		t.Fatal(err)
	}
	items, err := reporting.CompletenessItems(ctx, db, *plan, periods, reporting.ItemFilter{}, today)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ org, period int64 }
	fromItems := map[key]*reporting.CompletenessCounts{}
	for _, it := range items {
		k := key{it.OrgID, it.PeriodID}
		c := fromItems[k]
		if c == nil {
			c = &reporting.CompletenessCounts{}
			fromItems[k] = c
		}
		c.Expected++
		switch it.State {
		case reporting.ItemOnTime:
			c.OnTime++
		case reporting.ItemLate:
			c.Late++
		case reporting.ItemMissing:
			c.Missing++
		case reporting.ItemNotDue:
			c.NotDue++
		}
		switch it.Status {
		case domain.StatusSubmitted:
			c.Submitted++
		case domain.StatusReturned:
			c.Returned++
		case domain.StatusApproved:
			c.Approved++
		}
	}
	var all reporting.CompletenessCounts
	rows := 0
	for _, pc := range rep.Periods {
		var sum reporting.CompletenessCounts
		for _, r := range pc.Rows {
			rows++
			c := r.CompletenessCounts
			if c.Expected != c.OnTime+c.Late+c.Missing+c.NotDue {
				t.Errorf("%s %s: expected %d ≠ on time + late + missing + not due in %+v", pc.Period.Label, r.Organisation.Acronym, c.Expected, c)
			}
			if c.Submitted+c.Returned+c.Approved != c.OnTime+c.Late {
				t.Errorf("%s %s: handed in %d ≠ submitted + returned + approved in %+v", pc.Period.Label, r.Organisation.Acronym, c.OnTime+c.Late, c)
			}
			if fi := fromItems[key{r.Organisation.ID, pc.Period.ID}]; fi == nil || *fi != c {
				t.Errorf("%s %s: grouped %+v, item by item %+v", pc.Period.Label, r.Organisation.Acronym, c, fi)
			}
			if today.Before(pc.Period.DueBy()) && c.Missing+c.Late > 0 {
				t.Errorf("%s %s: missing or late before the due date: %+v", pc.Period.Label, r.Organisation.Acronym, c)
			}
			sum.Expected += c.Expected
			sum.OnTime += c.OnTime
			sum.Missing += c.Missing
		}
		if sum.Expected != pc.Total.Expected || sum.OnTime != pc.Total.OnTime || sum.Missing != pc.Total.Missing {
			t.Errorf("%s: total %+v is not the sum of the rows %+v", pc.Period.Label, pc.Total, sum)
		}
		for i := 1; i < len(pc.Rows); i++ {
			if a, b := pc.Rows[i-1].CompletenessRate(), pc.Rows[i].CompletenessRate(); *a > *b {
				t.Errorf("%s: %s (%.2f) listed before %s (%.2f): not worst first", pc.Period.Label, pc.Rows[i-1].Organisation.Acronym, *a, pc.Rows[i].Organisation.Acronym, *b)
			}
		}
		all.Expected += pc.Total.Expected
		all.OnTime += pc.Total.OnTime
		all.Late += pc.Total.Late
		all.Missing += pc.Total.Missing
		all.Returned += pc.Total.Returned
		all.Approved += pc.Total.Approved
	}
	if len(fromItems) != rows {
		t.Errorf("%d (organisation, period) pairs item by item, %d grouped", len(fromItems), rows)
	}
	// The demo shows every case: late reports in the past, returned ones
	// lately, and most things approved.
	if all.Late == 0 || all.Returned == 0 || all.Approved*2 < all.Expected || all.OnTime == 0 {
		t.Errorf("the demo plan's totals look wrong: %+v", all)
	}
	t.Logf("demo plan, %d periods: %+v", len(periods), all)
}

func TestDefaultCompletenessPeriods(t *testing.T) {
	t.Parallel()
	plan := domain.Plan{StartYear: 2024, EndYear: 2025, Frequency: domain.Quarterly}
	periods := domain.GeneratePeriods(plan, 30, 15)
	labels := func(ps []domain.ReportingPeriod) (out []string) {
		for _, p := range ps {
			out = append(out, p.Label)
		}
		return out
	}
	for now, want := range map[time.Time]string{
		domain.Date(2024, 5, 15): "[2024-Q1 2024-Q2]",         // Q1 due 30 April has passed; Q2 is open
		domain.Date(2024, 7, 15): "[2024-Q1 2024-Q2 2024-Q3]", // Q2 not due until 30 July; Q3 started
		domain.Date(2024, 7, 31): "[2024-Q2 2024-Q3]",
		domain.Date(2023, 6, 1):  "[]",
	} {
		if got := labels(reporting.DefaultCompletenessPeriods(periods, now)); fmtList(got) != want {
			t.Errorf("at %s: %v, want %s", now.Format(time.DateOnly), got, want)
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
