package models_test

import (
	"context"
	"testing"
	"time"

	"naptracker/models"
	"naptracker/models/modelstest"
	"naptracker/seed"

	"gorm.io/gorm"
)

// tinyPlan is a plan built by hand whose completeness is worked out on paper
// in TestCompletenessHandComputed.
type tinyPlan struct {
	plan        models.Plan
	a, b        models.Organisation
	p1, p2      models.ReportingPeriod
	ind         map[string]models.Indicator
	act         map[string]models.Activity
	p1Due       time.Time
	beforeP2Due time.Time
}

func newTinyPlan(t *testing.T, db *gorm.DB) *tinyPlan {
	t.Helper()
	at := models.Date(2023, 12, 1)
	tp := &tinyPlan{ind: map[string]models.Indicator{}, act: map[string]models.Activity{}}
	tp.a = models.Organisation{Acronym: "AAA", Name: "Ministry A", Type: models.OrgMinistry, Version: 1, CreatedAt: at, UpdatedAt: at}
	tp.b = models.Organisation{Acronym: "BBB", Name: "Ministry B", Type: models.OrgMinistry, Version: 1, CreatedAt: at, UpdatedAt: at}
	must(t, db.Create(&tp.a).Error)
	must(t, db.Create(&tp.b).Error)
	tp.plan = models.Plan{Code: "TINY", Title: "Tiny plan", StartYear: 2024, EndYear: 2024, Frequency: models.Quarterly,
		Tier1Label: "Pillar", Tier2Label: "Objective", Tier3Label: "Activity", GreenThreshold: 0.85, RedThreshold: 0.5,
		Language: "en", Currency: "USD", Version: 1, CreatedAt: at, UpdatedAt: at}
	must(t, db.Create(&tp.plan).Error)
	pillar := models.Pillar{PlanID: tp.plan.ID, Code: "1", Title: "Pillar", Version: 1, CreatedAt: at, UpdatedAt: at}
	must(t, db.Create(&pillar).Error)
	obj := models.Objective{PlanID: tp.plan.ID, PillarID: pillar.ID, Code: "1.1", Title: "Objective", Version: 1, CreatedAt: at, UpdatedAt: at}
	must(t, db.Create(&obj).Error)
	tp.p1 = models.ReportingPeriod{PlanID: tp.plan.ID, Label: "2024-Q1", StartDate: models.Date(2024, 1, 1), EndDate: models.Date(2024, 3, 31),
		DueDate: models.Date(2024, 4, 30), GraceDays: 15, Version: 1, CreatedAt: at, UpdatedAt: at}
	tp.p2 = models.ReportingPeriod{PlanID: tp.plan.ID, Label: "2024-Q2", StartDate: models.Date(2024, 4, 1), EndDate: models.Date(2024, 6, 30),
		DueDate: models.Date(2024, 7, 30), GraceDays: 15, Version: 1, CreatedAt: at, UpdatedAt: at}
	must(t, db.Create(&tp.p1).Error)
	must(t, db.Create(&tp.p2).Error)
	// Activities of A: act1 runs in Q1 only, act2 in Q1 and Q2, act3 is archived,
	// act4 runs all year but was reported cancelled (approved) in Q1.
	mkAct := func(code string, lead int64, from, to time.Time, archived bool) {
		a := models.Activity{PlanID: tp.plan.ID, ObjectiveID: obj.ID, Code: code, Title: "Activity " + code, LeadOrgID: lead,
			StartDate: from, EndDate: to, Currency: "USD", Version: 1, CreatedAt: at, UpdatedAt: at}
		if archived {
			a.ArchivedAt = &at
		}
		must(t, db.Create(&a).Error)
		tp.act[code] = a
	}
	mkAct("1.1.1", tp.a.ID, models.Date(2024, 1, 1), models.Date(2024, 3, 31), false)
	mkAct("1.1.2", tp.a.ID, models.Date(2024, 2, 1), models.Date(2024, 5, 31), false)
	mkAct("1.1.3", tp.a.ID, models.Date(2024, 1, 1), models.Date(2024, 12, 31), true)
	mkAct("1.1.4", tp.a.ID, models.Date(2024, 1, 1), models.Date(2024, 12, 31), false)
	// Indicators: A reports i1, i2 and the archived i3; B reports i4.
	mkInd := func(code string, org int64, archived bool) {
		i := models.Indicator{PlanID: tp.plan.ID, ObjectiveID: &obj.ID, Code: code, Name: "Indicator " + code, UnitType: models.UnitNumber,
			Direction: models.Increase, Accumulation: models.AccumulateSum, ReportingOrgID: org, Version: 1, CreatedAt: at, UpdatedAt: at}
		if archived {
			i.ArchivedAt = &at
		}
		must(t, db.Create(&i).Error)
		tp.ind[code] = i
	}
	mkInd("1.1.a", tp.a.ID, false)
	mkInd("1.1.b", tp.a.ID, false)
	mkInd("1.1.c", tp.a.ID, true)
	mkInd("1.1.d", tp.b.ID, false)
	tp.p1Due = models.Date(2024, 5, 1) // the instant 30 April ends
	tp.beforeP2Due = models.Date(2024, 7, 10)
	return tp
}

func (tp *tinyPlan) value(t *testing.T, db *gorm.DB, ind string, p models.ReportingPeriod, status string, submitted *time.Time) {
	t.Helper()
	v := models.IndicatorValue{IndicatorID: tp.ind[ind].ID, PeriodID: p.ID, Value: ptr(1.0),
		Workflow: workflow(status, submitted, p.StartDate)}
	must(t, db.Create(&v).Error)
}

func (tp *tinyPlan) update(t *testing.T, db *gorm.DB, act string, p models.ReportingPeriod, status, progress string, submitted *time.Time) {
	t.Helper()
	u := models.ActivityUpdate{ActivityID: tp.act[act].ID, PeriodID: p.ID, Progress: progress, Workflow: workflow(status, submitted, p.StartDate)}
	must(t, db.Create(&u).Error)
}

func workflow(status string, submitted *time.Time, created time.Time) models.Workflow {
	w := models.Workflow{Status: status, Version: 1, SubmittedAt: submitted, CreatedAt: created, UpdatedAt: created}
	switch status {
	case models.StatusApproved:
		w.ApprovedAt = submitted
	case models.StatusReturned:
		w.ReturnedAt, w.ReturnComment = submitted, "Please check the figure."
	}
	return w
}

// TestCompletenessHandComputed checks Completeness and CompletenessItems on
// a plan small enough to count on paper, including the edges of the due
// date (the last second of it is on time, midnight after it is late).
func TestCompletenessHandComputed(t *testing.T) {
	t.Parallel()
	db := modelstest.New(t)
	ctx := context.Background()
	tp := newTinyPlan(t, db)
	onDueDay := tp.p1Due.Add(-time.Second)
	afterDue := tp.p1Due
	// Q1 (due date passed): i1 submitted in the last second of the due date,
	// i2 approved but submitted at midnight after it, the archived i3 reported
	// (ignored), act1 only a draft, act2 nothing, act4 approved as cancelled
	// on time; B's i4 returned after an on-time submission.
	tp.value(t, db, "1.1.a", tp.p1, models.StatusSubmitted, &onDueDay)
	tp.value(t, db, "1.1.b", tp.p1, models.StatusApproved, &afterDue)
	tp.value(t, db, "1.1.c", tp.p1, models.StatusSubmitted, &onDueDay)
	tp.update(t, db, "1.1.1", tp.p1, models.StatusDraft, models.ProgressOnTrack, nil)
	early := models.Date(2024, 4, 10)
	tp.update(t, db, "1.1.4", tp.p1, models.StatusApproved, models.ProgressCancelled, &early)
	tp.value(t, db, "1.1.d", tp.p1, models.StatusReturned, &early)
	// Q2 (not due yet): i1 a draft, i2 submitted; act1 (ended in Q1) has a
	// stray update that is not expected; act2 nothing; act4 is cancelled.
	early2 := models.Date(2024, 7, 2)
	tp.value(t, db, "1.1.a", tp.p2, models.StatusDraft, nil)
	tp.value(t, db, "1.1.b", tp.p2, models.StatusSubmitted, &early2)
	tp.update(t, db, "1.1.1", tp.p2, models.StatusSubmitted, models.ProgressCompleted, &early2)

	counter := modelstest.CountQueries(db)
	now := tp.beforeP2Due
	rep, err := models.Completeness(ctx, db, tp.plan, []models.ReportingPeriod{tp.p1, tp.p2}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.N(); n != 4 {
		t.Errorf("Completeness ran %d queries, want 4", n)
	}
	type want struct {
		org string
		c   models.CompletenessCounts
	}
	expect := [][]want{
		{ // Q1, worst first: B has nothing complete, A half.
			{"BBB", models.CompletenessCounts{Expected: 1, OnTime: 1, Returned: 1}},
			{"AAA", models.CompletenessCounts{Expected: 5, OnTime: 2, Late: 1, Missing: 2, Submitted: 1, Approved: 2}},
		},
		{ // Q2: B owes i4 (not due), A owes i1 and act2 (not due) and handed in i2.
			{"BBB", models.CompletenessCounts{Expected: 1, NotDue: 1}},
			{"AAA", models.CompletenessCounts{Expected: 3, OnTime: 1, NotDue: 2, Submitted: 1}},
		},
	}
	if len(rep.Periods) != 2 {
		t.Fatalf("%d periods, want 2", len(rep.Periods))
	}
	for k, pc := range rep.Periods {
		if len(pc.Rows) != len(expect[k]) {
			t.Fatalf("%s: %d rows, want %d: %+v", pc.Period.Label, len(pc.Rows), len(expect[k]), pc.Rows)
		}
		var total models.CompletenessCounts
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
	only, err := models.Completeness(ctx, db, tp.plan, []models.ReportingPeriod{tp.p1}, tp.b.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if rows := only.Periods[0].Rows; len(rows) != 1 || rows[0].Organisation.ID != tp.b.ID {
		t.Errorf("filtered on B: %+v", rows)
	}

	// Item by item: the same states, with names, and outstanding ones only on request.
	items, err := models.CompletenessItems(ctx, db, tp.plan, []models.ReportingPeriod{tp.p1}, models.ItemFilter{OrgID: tp.a.ID}, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range items {
		got[it.Code] = it.State
	}
	wantStates := map[string]string{"1.1.a": models.ItemOnTime, "1.1.b": models.ItemLate, "1.1.1": models.ItemMissing, "1.1.2": models.ItemMissing, "1.1.4": models.ItemOnTime}
	if len(got) != len(wantStates) {
		t.Errorf("A's Q1 items: %v, want %v", got, wantStates)
	}
	for code, st := range wantStates {
		if got[code] != st {
			t.Errorf("item %s: %q, want %q", code, got[code], st)
		}
	}
	if items[0].Kind != models.ItemValue || items[len(items)-1].Kind != models.ItemUpdate {
		t.Errorf("values should come before updates: %+v", items)
	}
	owed, err := models.CompletenessItems(ctx, db, tp.plan, []models.ReportingPeriod{tp.p1, tp.p2}, models.ItemFilter{Outstanding: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, it := range owed {
		codes = append(codes, it.Code+"@"+it.State)
		if it.Status == models.StatusReturned && it.ReturnComment != "Please check the figure." {
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
	later, err := models.Completeness(ctx, db, tp.plan, []models.ReportingPeriod{tp.p2}, 0, models.Date(2024, 8, 1))
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
	db := modelstest.Demo(t, today)
	ctx := context.Background()
	plan, err := models.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	periods, err := models.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := models.Completeness(ctx, db, *plan, periods, 0, today)
	if err != nil {
		t.Fatal(err)
	}
	items, err := models.CompletenessItems(ctx, db, *plan, periods, models.ItemFilter{}, today)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ org, period int64 }
	fromItems := map[key]*models.CompletenessCounts{}
	for _, it := range items {
		k := key{it.OrgID, it.PeriodID}
		c := fromItems[k]
		if c == nil {
			c = &models.CompletenessCounts{}
			fromItems[k] = c
		}
		c.Expected++
		switch it.State {
		case models.ItemOnTime:
			c.OnTime++
		case models.ItemLate:
			c.Late++
		case models.ItemMissing:
			c.Missing++
		case models.ItemNotDue:
			c.NotDue++
		}
		switch it.Status {
		case models.StatusSubmitted:
			c.Submitted++
		case models.StatusReturned:
			c.Returned++
		case models.StatusApproved:
			c.Approved++
		}
	}
	var all models.CompletenessCounts
	rows := 0
	for _, pc := range rep.Periods {
		var sum models.CompletenessCounts
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
	plan := models.Plan{StartYear: 2024, EndYear: 2025, Frequency: models.Quarterly}
	periods := models.GeneratePeriods(plan, 30, 15)
	labels := func(ps []models.ReportingPeriod) (out []string) {
		for _, p := range ps {
			out = append(out, p.Label)
		}
		return out
	}
	for now, want := range map[time.Time]string{
		models.Date(2024, 5, 15): "[2024-Q1 2024-Q2]",         // Q1 due 30 April has passed; Q2 is open
		models.Date(2024, 7, 15): "[2024-Q1 2024-Q2 2024-Q3]", // Q2 not due until 30 July; Q3 started
		models.Date(2024, 7, 31): "[2024-Q2 2024-Q3]",
		models.Date(2023, 6, 1):  "[]",
	} {
		if got := labels(models.DefaultCompletenessPeriods(periods, now)); fmtList(got) != want {
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
