package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"naptracker/models"
	"naptracker/models/modelstest"
	"naptracker/seed"

	"gorm.io/gorm"
)

// peDemo is a database with the demo plan as of 15 May 2026 (it runs 2023–2027).
func peDemo(t *testing.T) (*gorm.DB, *models.Plan) {
	t.Helper()
	db := modelstest.Demo(t, models.Date(2026, 5, 15))
	ctx := context.Background()
	plan, err := models.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	return db, plan
}

var peActor = models.Actor{Name: "editor@test.example"}

func peLabels(t *testing.T, db *gorm.DB, planID int64) string {
	t.Helper()
	var labels []string
	if err := db.Model(&models.ReportingPeriod{}).Where("plan_id = ?", planID).Order("start_date").Pluck("label", &labels).Error; err != nil {
		t.Fatal(err)
	}
	return strings.Join(labels, " ")
}

func peFields(err error) map[string]string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

func TestPlanPeriodsFollowTheYearsAndFrequency(t *testing.T) {
	t.Parallel()
	db := modelstest.New(t)
	ctx, now := context.Background(), time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	in := models.PlanInput{Code: "P-1", Title: "Plan", StartYear: 2026, EndYear: 2027, Frequency: models.Quarterly,
		Tier1Label: "Pillar", Tier2Label: "Objective", Tier3Label: "Activity", GreenThreshold: 0.85, RedThreshold: 0.5,
		Language: "en", Currency: "USD", DueDays: 30, GraceDays: 15}
	plan, err := models.CreatePlan(ctx, db, peActor, in, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := peLabels(t, db, plan.ID); got != "2026-Q1 2026-Q2 2026-Q3 2026-Q4 2027-Q1 2027-Q2 2027-Q3 2027-Q4" {
		t.Fatalf("periods %s", got)
	}
	// One more year adds its periods with the form's due and grace days.
	in.EndYear, in.Version, in.DueDays = 2028, 1, 20
	if err := models.UpdatePlan(ctx, db, peActor, "P-1", in, now); err != nil {
		t.Fatal(err)
	}
	var q1 models.ReportingPeriod
	db.Where("plan_id = ? AND label = ?", plan.ID, "2028-Q1").Take(&q1)
	if q1.DueDate != models.Date(2028, 4, 20) {
		t.Errorf("2028-Q1 due %s, want 2028-04-20", q1.DueDate)
	}
	// A new frequency replaces the periods while nothing was reported.
	in.Frequency, in.Version = models.HalfYearly, 2
	if err := models.UpdatePlan(ctx, db, peActor, "P-1", in, now); err != nil {
		t.Fatal(err)
	}
	if got := peLabels(t, db, plan.ID); got != "2026-H1 2026-H2 2027-H1 2027-H2 2028-H1 2028-H2" {
		t.Errorf("after switching to half-yearly: %s", got)
	}
	var e models.AuditEntry
	db.Where("action = ? AND entity_id = ?", "plan.update", plan.ID).Order("id DESC").Take(&e)
	if !strings.Contains(e.NewValue, `"periods_added":["2026-H1"`) || !strings.Contains(e.NewValue, `"periods_removed":["2026-Q1"`) {
		t.Errorf("the audit row does not record the periods: %s", e.NewValue)
	}
	// A stale form is refused.
	if err := models.UpdatePlan(ctx, db, peActor, "P-1", in, now); !errors.Is(err, models.ErrStale) {
		t.Errorf("stale plan form: %v", err)
	}
}

func TestPlanYearsCannotDropReportedPeriods(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	in := models.PlanInput{Title: plan.Title, StartYear: plan.StartYear + 1, EndYear: plan.EndYear, Frequency: plan.Frequency,
		Tier1Label: "P", Tier2Label: "O", Tier3Label: "A", GreenThreshold: 0.85, RedThreshold: 0.5, Language: "en", Currency: "USD", Version: plan.Version}
	err := models.UpdatePlan(ctx, db, peActor, plan.Code, in, time.Now())
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
		got, err := models.SuggestCode(ctx, db, plan.ID, tt.kind, tt.parent)
		if err != nil || got != tt.want {
			t.Errorf("next %s under %q = %q, %v; want %q", tt.kind, tt.parent, got, err, tt.want)
		}
	}
}

func TestDeleteNamesWhatDependsOnIt(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	id, err := models.EntityID(ctx, db, "objective", plan.ID, "2.1")
	if err != nil {
		t.Fatal(err)
	}
	err = models.DeleteEntity(ctx, db, peActor, models.EntityRef{Kind: "objective", ID: id, PlanID: &plan.ID, Version: 1})
	var inUse *models.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, models.ErrConflict) {
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
	err = models.ArchiveEntity(ctx, db, peActor, models.EntityRef{Kind: "objective", ID: id, PlanID: &plan.ID, Version: 9}, true, time.Now())
	if !errors.Is(err, models.ErrStale) {
		t.Errorf("archiving from a stale version: %v", err)
	}
	if err := models.ArchiveEntity(ctx, db, peActor, models.EntityRef{Kind: "objective", ID: id, PlanID: &plan.ID, Version: 1}, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	tree, _ := models.LoadPlanTree(ctx, db, plan.Code)
	for _, p := range tree.Pillars {
		for _, o := range p.Objectives {
			if o.Code == "2.1" {
				t.Error("the archived objective is still in the plan tree")
			}
		}
	}
	archived, _ := models.ArchivedItems(ctx, db, plan.ID)
	if len(archived) != 1 || archived[0].Code != "2.1" || archived[0].Version != 2 {
		t.Errorf("archived items %+v", archived)
	}
}

func TestStaleEditNamesWhoChangedIt(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	who := models.Actor{Name: "Khamla <khamla@test.example>"}
	in := models.NodeInput{Title: "Renamed", Version: 1}
	if err := models.UpdateNode(ctx, db, who, plan, "pillar", "3", in, time.Now()); err != nil {
		t.Fatal(err)
	}
	in.Title = "Again"
	err := models.UpdateNode(ctx, db, peActor, plan, "pillar", "3", in, time.Now())
	var se *models.StaleError
	if !errors.As(err, &se) || se.Current != 2 || se.ChangedBy != who.Name {
		t.Errorf("stale edit: %v %+v", err, se)
	}
}

func TestExceptionsAreReplacedNotDuplicated(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx := context.Background()
	molsw, _ := models.FindOrganisationByAcronym(ctx, db, "MOLSW")
	for _, until := range []time.Time{models.Date(2026, 6, 30), models.Date(2026, 7, 31)} {
		err := models.GrantException(ctx, db, peActor, plan, "2026-Q1", models.ExceptionInput{OrganisationID: molsw.ID, Until: until, Reason: "Floods"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	p, _ := models.PeriodByLabel(ctx, db, plan.ID, "2026-Q1")
	rows, _ := models.PeriodExceptions(ctx, db, p.ID)
	if len(rows) != 1 || rows[0].Acronym != "MOLSW" || rows[0].UntilDate != models.Date(2026, 7, 31) {
		t.Errorf("exceptions %+v", rows)
	}
	err := models.GrantException(ctx, db, peActor, plan, "2026-Q1", models.ExceptionInput{OrganisationID: molsw.ID, Until: models.Date(2025, 1, 1)}, time.Now())
	if f := peFields(err); f["until"] == "" || f["reason"] == "" {
		t.Errorf("an exception ending before the period with no reason: %v", err)
	}
}

func TestDeletingAnUnusedActivityTakesItsFundingAndTargets(t *testing.T) {
	t.Parallel()
	db, plan := peDemo(t)
	ctx, now := context.Background(), time.Now().UTC()
	o, err := models.FindCoded[models.Objective](ctx, db, plan.ID, "2.2")
	if err != nil {
		t.Fatal(err)
	}
	lead, _ := models.FindOrganisationByAcronym(ctx, db, "MOLSW")
	mops, _ := models.FindOrganisationByAcronym(ctx, db, "MOPS")
	apjp, _ := models.FindOrganisationByAcronym(ctx, db, "APJP")
	in := models.ActivityInput{NodeInput: models.NodeInput{Code: "2.2.9", Title: "Short-lived"}, StartDate: models.Date(2026, 1, 1),
		EndDate: models.Date(2026, 6, 30), LeadOrgID: lead.ID, SupporterIDs: []int64{mops.ID}, Budget: 10, Currency: "USD"}
	a, err := models.CreateActivity(ctx, db, peActor, plan, o, in, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateFunding(ctx, db, peActor, plan, a, models.FundingInput{FunderID: apjp.ID, Amount: 5, Currency: "USD", Status: models.FundingPledged}, now); err != nil {
		t.Fatal(err)
	}
	ind, err := models.CreateIndicator(ctx, db, peActor, plan, models.IndicatorParent{Activity: a}, models.IndicatorInput{Code: "2.2.9.a", Name: "Counted",
		UnitType: models.UnitNumber, Direction: models.Increase, Accumulation: models.AccumulateSum, Targets: map[int]float64{2026: 3}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if ind.ReportingOrgID != lead.ID {
		t.Errorf("an output indicator without a reporter reports for org %d, want the lead %d", ind.ReportingOrgID, lead.ID)
	}
	ref := models.EntityRef{Kind: "activity", ID: a.ID, PlanID: &plan.ID, Version: 1}
	if err := models.DeleteEntity(ctx, db, peActor, ref); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("deleting an activity with an indicator: %v", err)
	}
	if err := models.DeleteEntity(ctx, db, peActor, models.EntityRef{Kind: "indicator", ID: ind.ID, PlanID: &plan.ID, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := models.DeleteEntity(ctx, db, peActor, ref); err != nil {
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
	var e models.AuditEntry
	db.Where("action = ? AND entity_id = ?", "activity.delete", a.ID).Take(&e)
	if !strings.Contains(e.OldValue, `"funding_lines":1`) {
		t.Errorf("the delete's audit row: %s", e.OldValue)
	}
}
