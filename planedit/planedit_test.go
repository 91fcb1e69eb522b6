package planedit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/planedit"
	"naptracker/planning"
	"naptracker/seed"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// peDemo is a database with the demo plan as of 15 May 2026 (it runs 2023–2027).
func peDemo(t *testing.T) (*gorm.DB, *domain.Plan) {
	t.Helper()
	db := storetest.Demo(t, domain.Date(2026, 5, 15))
	ctx := context.Background()
	plan, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	return db, plan
}

var peActor = domain.Actor{Name: "editor@test.example"}

// editor is the test's editor calling at now.
func editor(now time.Time) domain.Caller { return domain.Caller{Actor: peActor, Now: now} }

func peLabels(t *testing.T, db *gorm.DB, planID int64) string {
	t.Helper()
	var labels []string
	if err := db.Model(&domain.ReportingPeriod{}).Where("plan_id = ?", planID).Order("start_date").Pluck("label", &labels).Error; err != nil {
		t.Fatal(err)
	}
	return strings.Join(labels, " ")
}

func peFields(err error) map[string]string {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

func TestPlanPeriodsFollowTheYearsAndFrequency(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx, now := context.Background(), time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	in := planedit.PlanInput{Code: "P-1", Title: "Plan", StartYear: 2026, EndYear: 2027, Frequency: domain.Quarterly,
		Tier1Label: "Pillar", Tier2Label: "Objective", Tier3Label: "Activity", GreenThreshold: 0.85, RedThreshold: 0.5,
		Language: "en", Currency: "USD", DueDays: 30, GraceDays: 15}
	plan, err := planedit.CreatePlan(ctx, db, editor(now), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := peLabels(t, db, plan.ID); got != "2026-Q1 2026-Q2 2026-Q3 2026-Q4 2027-Q1 2027-Q2 2027-Q3 2027-Q4" {
		t.Fatalf("periods %s", got)
	}
	// One more year adds its periods with the form's due and grace days.
	in.EndYear, in.Version, in.DueDays = 2028, 1, 20
	if err := planedit.UpdatePlan(ctx, db, editor(now), "P-1", in); err != nil {
		t.Fatal(err)
	}
	var q1 domain.ReportingPeriod
	db.Where("plan_id = ? AND label = ?", plan.ID, "2028-Q1").Take(&q1)
	if q1.DueDate != domain.Date(2028, 4, 20) {
		t.Errorf("2028-Q1 due %s, want 2028-04-20", q1.DueDate)
	}
	// A new frequency replaces the periods while nothing was reported.
	in.Frequency, in.Version = domain.HalfYearly, 2
	if err := planedit.UpdatePlan(ctx, db, editor(now), "P-1", in); err != nil {
		t.Fatal(err)
	}
	if got := peLabels(t, db, plan.ID); got != "2026-H1 2026-H2 2027-H1 2027-H2 2028-H1 2028-H2" {
		t.Errorf("after switching to half-yearly: %s", got)
	}
	var e domain.AuditEntry
	db.Where("action = ? AND entity_id = ?", "plan.update", plan.ID).Order("id DESC").Take(&e)
	if !strings.Contains(e.NewValue, `"periods_added":["2026-H1"`) || !strings.Contains(e.NewValue, `"periods_removed":["2026-Q1"`) {
		t.Errorf("the audit row does not record the periods: %s", e.NewValue)
	}
	// A stale form is refused.
	if err := planedit.UpdatePlan(ctx, db, editor(now), "P-1", in); !errors.Is(err, domain.ErrStale) {
		t.Errorf("stale plan form: %v", err)
	}
}

func TestPlanYearsCannotDropReportedPeriods(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	in := planedit.PlanInput{Title: plan.Title, StartYear: plan.StartYear + 1, EndYear: plan.EndYear, Frequency: plan.Frequency,
		Tier1Label: "P", Tier2Label: "O", Tier3Label: "A", GreenThreshold: 0.85, RedThreshold: 0.5, Language: "en", Currency: "USD", Version: plan.Version}
	err := planedit.UpdatePlan(ctx, db, editor(time.Now()), plan.Code, in)
	msg := peFields(err)["start_year"]
	if !strings.Contains(msg, "2023-Q1") || !strings.Contains(msg, "already hold reports") {
		t.Errorf("dropping reported periods: %v %q", err, msg)
	}
	if !strings.Contains(msg, "activities run outside 2024–2027") {
		t.Errorf("the message does not mention the activities of 2023: %q", msg)
	}
	if got := peLabels(t, db, plan.ID); !strings.HasPrefix(got, "2023-Q1 ") {
		t.Errorf("a refused change removed periods: %s", got)
	}
}

func TestSuggestedCodes(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	for _, tt := range []struct{ kind, parent, want string }{
		{"pillar", "", "6"}, {"objective", "2", "2.4"}, {"activity", "2.1", "2.1.5"}, {"indicator", "2.1.1", "2.1.1.c"}, {"indicator", "2.2", "2.2.b"},
	} {
		got, err := planedit.SuggestCode(ctx, db, plan.ID, tt.kind, tt.parent)
		if err != nil || got != tt.want {
			t.Errorf("next %s under %q = %q, %v; want %q", tt.kind, tt.parent, got, err, tt.want)
		}
	}
}

func TestDeleteNamesWhatDependsOnIt(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	id, err := planedit.EntityID(ctx, db, "objective", plan.ID, "2.1")
	if err != nil {
		t.Fatal(err)
	}
	err = planedit.DeleteEntity(ctx, db, editor(time.Now()), domain.EntityRef{Kind: "objective", ID: id, PlanID: &plan.ID, Version: 1})
	var inUse *planedit.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("deleting an objective with activities: %v", err)
	}
	kinds := map[string]int64{}
	for _, d := range inUse.Dependents {
		kinds[d.Kind] = d.N
	}
	if kinds["activities"] != 4 || kinds["indicators"] == 0 {
		t.Errorf("dependents %v", inUse.Dependents)
	}
	// A stale version is refused before anything else.
	err = planedit.ArchiveEntity(ctx, db, editor(time.Now()), domain.EntityRef{Kind: "objective", ID: id, PlanID: &plan.ID, Version: 9}, true)
	if !errors.Is(err, domain.ErrStale) {
		t.Errorf("archiving from a stale version: %v", err)
	}
	if err := planedit.ArchiveEntity(ctx, db, editor(time.Now()), domain.EntityRef{Kind: "objective", ID: id, PlanID: &plan.ID, Version: 1}, true); err != nil {
		t.Fatal(err)
	}
	tree, _ := planning.LoadPlanTree(ctx, db, plan.Code)
	for _, p := range tree.Pillars {
		for _, o := range p.Objectives {
			if o.Code == "2.1" {
				t.Error("the archived objective is still in the plan tree")
			}
		}
	}
	archived, _ := planedit.ArchivedItems(ctx, db, plan.ID)
	if len(archived) != 1 || archived[0].Code != "2.1" || archived[0].Version != 2 {
		t.Errorf("archived items %+v", archived)
	}
}

func TestStaleEditNamesWhoChangedIt(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	who := domain.Actor{Name: "Khamla <khamla@test.example>"}
	in := planedit.NodeInput{Title: "Renamed", Version: 1}
	if err := planedit.UpdateNode(ctx, db, domain.Caller{Actor: who, Now: time.Now()}, plan, "pillar", "3", in); err != nil {
		t.Fatal(err)
	}
	in.Title = "Again"
	err := planedit.UpdateNode(ctx, db, editor(time.Now()), plan, "pillar", "3", in)
	var se *domain.StaleError
	if !errors.As(err, &se) || se.Current != 2 || se.ChangedBy != who.Name {
		t.Errorf("stale edit: %v %+v", err, se)
	}
}

func TestExceptionsAreReplacedNotDuplicated(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	molsw, _ := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
	for _, until := range []time.Time{domain.Date(2026, 6, 30), domain.Date(2026, 7, 31)} {
		err := planedit.GrantException(ctx, db, editor(time.Now()), plan, "2026-Q1", planedit.ExceptionInput{OrganisationID: molsw.ID, Until: until, Reason: "Floods"})
		if err != nil {
			t.Fatal(err)
		}
	}
	p, _ := planedit.PeriodByLabel(ctx, db, plan.ID, "2026-Q1")
	rows, _ := planedit.PeriodExceptions(ctx, db, p.ID)
	if len(rows) != 1 || rows[0].Acronym != "MOLSW" || rows[0].UntilDate != domain.Date(2026, 7, 31) {
		t.Errorf("exceptions %+v", rows)
	}
	err := planedit.GrantException(ctx, db, editor(time.Now()), plan, "2026-Q1", planedit.ExceptionInput{OrganisationID: molsw.ID, Until: domain.Date(2025, 1, 1)})
	if f := peFields(err); f["until"] == "" || f["reason"] == "" {
		t.Errorf("an exception ending before the period with no reason: %v", err)
	}
}

func TestDeletingAnUnusedActivityTakesItsFundingAndTargets(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx, now := context.Background(), time.Now().UTC()
	o, err := planedit.FindCoded[domain.Objective](ctx, db, plan.ID, "2.2")
	if err != nil {
		t.Fatal(err)
	}
	lead, _ := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
	mops, _ := planning.FindOrganisationByAcronym(ctx, db, "MOPS")
	apjp, _ := planning.FindOrganisationByAcronym(ctx, db, "APJP")
	in := planedit.ActivityInput{NodeInput: planedit.NodeInput{Code: "2.2.9", Title: "Short-lived"}, StartDate: domain.Date(2026, 1, 1),
		EndDate: domain.Date(2026, 6, 30), LeadOrgID: lead.ID, SupporterIDs: []int64{mops.ID}, Budget: 10, Currency: "USD"}
	a, err := planedit.CreateActivity(ctx, db, editor(now), plan, o, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := planedit.CreateFunding(ctx, db, editor(now), plan, a, planedit.FundingInput{FunderID: apjp.ID, Amount: 5, Currency: "USD", Status: domain.FundingPledged}); err != nil {
		t.Fatal(err)
	}
	ind, err := planedit.CreateIndicator(ctx, db, editor(now), plan, planedit.IndicatorParent{Activity: a}, planedit.IndicatorInput{Code: "2.2.9.a", Name: "Counted",
		UnitType: domain.UnitNumber, Direction: domain.Increase, Accumulation: domain.AccumulateSum, Targets: map[int]float64{2026: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if ind.ReportingOrgID != lead.ID {
		t.Errorf("an output indicator without a reporter reports for org %d, want the lead %d", ind.ReportingOrgID, lead.ID)
	}
	ref := domain.EntityRef{Kind: "activity", ID: a.ID, PlanID: &plan.ID, Version: 1}
	if err := planedit.DeleteEntity(ctx, db, editor(time.Now()), ref); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("deleting an activity with an indicator: %v", err)
	}
	if err := planedit.DeleteEntity(ctx, db, editor(time.Now()), domain.EntityRef{Kind: "indicator", ID: ind.ID, PlanID: &plan.ID, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := planedit.DeleteEntity(ctx, db, editor(time.Now()), ref); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"activity_supporters", "funding_lines", "indicator_targets"} {
		var n int64
		col := "activity_id"
		id := a.ID
		if table == "indicator_targets" {
			col, id = "indicator_id", ind.ID
		}
		db.Table(table).Where(col+" = ?", id).Count(&n)
		if n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	var e domain.AuditEntry
	db.Where("action = ? AND entity_id = ?", "activity.delete", a.ID).Take(&e)
	if !strings.Contains(e.OldValue, `"funding_lines":1`) {
		t.Errorf("the delete's audit row: %s", e.OldValue)
	}
}

// TestDependentKindsAreInTheCatalogue checks that every kind of dependent a
// refused delete can name has its words in the catalogue (the template
// scan cannot see keys built from values).
func TestDependentKindsAreInTheCatalogue(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	kinds := planedit.DependentKinds()
	if len(kinds) == 0 {
		t.Fatal("no dependent kinds")
	}
	for _, k := range kinds {
		if !b.Has(i18n.Default, "pe.dep."+k) {
			t.Errorf("key %q is missing from the catalogue", "pe.dep."+k)
		}
	}
}
