package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/planedit"
	"naptracker/planning"
	"naptracker/seed"
)

func TestStaleEditsConflict(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.User(t, domain.RoleAdmin, "")
	a, s := env.SignedIn(t, admin), env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	demo := "/plans/" + seed.DemoPlanCode
	molsw := umOrgID(t, env, "MOLSW")
	tests := []struct {
		name, page, post string
		form             url.Values
	}{
		{"pillar", demo + "/pillars/2/edit", demo + "/pillars/2", url.Values{"title": {"Prevention (renamed)"}, "position": {"2"}}},
		{"activity", demo + "/activities/2.1.1/edit", demo + "/activities/2.1.1", url.Values{"title": {"Campaigns (renamed)"},
			"start_date": {fmt.Sprintf("%d-01-01", time.Now().Year())}, "end_date": {fmt.Sprintf("%d-06-30", time.Now().Year())}, "lead": {molsw}, "budget": {"1000"}, "currency": {"USD"}}},
		{"organisation", "/organisations/" + molsw, "/organisations/" + molsw, url.Values{"acronym": {"MOLSW"}, "name": {"Ministry of Labour (renamed)"}, "type": {domain.OrgMinistry}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Both managers open the form; the administrator saves first.
			v := peVersion(t, a.Get(tt.page))
			if peVersion(t, s.Get(tt.page)) != v {
				t.Fatal("the two managers see different versions")
			}
			tt.form.Set("version", v)
			pePost(t, a, tt.post, tt.form)
			tt.form.Set("title", "Overwritten")
			tt.form.Set("name", "Overwritten")
			tt.form.Del("csrf_token")
			r := s.Post(tt.post, tt.form)
			mustStatus(t, r, http.StatusConflict)
			peSays(t, r, "Someone else changed this")
			if strings.Contains(a.Get(tt.page).Body, "Overwritten") {
				t.Error("the stale form overwrote the first change")
			}
			peAudited(t, env, admin.ID, tt.name+".update", "renamed")
		})
	}
}

func TestDeleteIsRefusedWhileInUseAndArchiveKeepsTheData(t *testing.T) {
	t.Parallel()
	env, sec, b := newSignedIn(t, domain.RoleSecretariat, "")
	demo := "/plans/" + seed.DemoPlanCode
	var values int64
	valuesOf := func() int64 {
		var n int64
		env.App.DB.Model(&domain.IndicatorValue{}).Where("indicator_id = (SELECT id FROM indicators WHERE code = '2.1.1.b')").Count(&n)
		return n
	}
	if values = valuesOf(); values == 0 {
		t.Fatal("the demo indicator 2.1.1.b has no reported values to protect")
	}

	// An indicator with reported values cannot be deleted; the page says why and offers to archive.
	v := peVersion(t, b.Get(demo+"/indicators/2.1.1.b/edit"))
	r := b.Post(demo+"/indicators/2.1.1.b/delete", url.Values{"version": {v}})
	mustStatus(t, r, http.StatusConflict)
	peSays(t, r, "Indicator 2.1.1.b cannot be deleted because other records depend on it", fmt.Sprintf("%d values reported", values),
		"Archive it instead")
	if strings.Contains(r.Body, `action="`+demo+`/indicators/2.1.1.b/delete"`) {
		t.Error("the refusal still offers the delete button")
	}

	// Archiving hides it from the plan and keeps its values.
	pePost(t, b, demo+"/indicators/2.1.1.b/archive", url.Values{"version": {v}})
	if strings.Contains(b.Get(demo).Body, ">2.1.1.b<") {
		t.Error("the archived indicator still shows on the plan page")
	}
	if valuesOf() != values {
		t.Error("archiving lost reported values")
	}
	home := b.Get(demo + "/edit")
	peSays(t, home, "Archived items", "2.1.1.b")
	peAudited(t, env, sec.ID, "indicator.archive", "2.1.1.b")
	next := fmt.Sprint(mustAtoi(t, v) + 1)
	pePost(t, b, demo+"/indicators/2.1.1.b/unarchive", url.Values{"version": {next}})
	if !strings.Contains(b.Get(demo).Body, ">2.1.1.b<") {
		t.Error("the restored indicator is not back on the plan page")
	}
	peAudited(t, env, sec.ID, "indicator.unarchive", "2.1.1.b")

	// An unused indicator can be deleted.
	pePost(t, b, demo+"/activities/2.1.1/indicators", url.Values{"code": {"2.1.1.x"}, "name": {"Unused indicator"}, "unit_type": {domain.UnitNumber},
		"direction": {domain.Increase}, "accumulation": {domain.AccumulateSum}, "version": {"0"}})
	loc := pePost(t, b, demo+"/indicators/2.1.1.x/delete", url.Values{"version": {"1"}})
	peSays(t, b.Get(loc), "Deleted.")
	var left int64
	env.App.DB.Model(&domain.Indicator{}).Where("code = '2.1.1.x'").Count(&left)
	if left != 0 {
		t.Error("the unused indicator was not deleted")
	}
	peAudited(t, env, sec.ID, "indicator.delete", "Unused indicator")

	// A pillar with objectives, and an organisation that leads activities, are refused too.
	r = b.Post(demo+"/pillars/1/delete", url.Values{"version": {"1"}})
	mustStatus(t, r, http.StatusConflict)
	peSays(t, r, "objectives")
	molsw := umOrgID(t, env, "MOLSW")
	r = b.Post("/organisations/"+molsw+"/delete", url.Values{"version": {"1"}})
	mustStatus(t, r, http.StatusConflict)
	peSays(t, r, "activities it leads", "indicators it reports")

	// A new organisation nothing refers to can be deleted; an archived one disappears from the choices.
	loc = pePost(t, b, "/organisations", url.Values{"acronym": {"TPF"}, "name": {"Test Partner Foundation"}, "type": {domain.OrgPartner}, "version": {"0"}})
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/organisations/")
	pePost(t, b, "/organisations/"+id+"/archive", url.Values{"version": {"1"}})
	if strings.Contains(b.Get(demo+"/activities/2.1.1/edit").Body, "Test Partner Foundation") {
		t.Error("an archived organisation is still offered as a funder")
	}
	pePost(t, b, "/organisations/"+id+"/unarchive", url.Values{"version": {"2"}})
	pePost(t, b, "/organisations/"+id+"/delete", url.Values{"version": {"3"}})
	peAudited(t, env, sec.ID, "organisation.archive", "TPF")
	peAudited(t, env, sec.ID, "organisation.delete", "TPF")

	// A funding line can always be removed.
	pePost(t, b, demo+"/activities/2.1.1/funding", url.Values{"funder": {umOrgID(t, env, "APJP")}, "amount": {"500"}, "currency": {"USD"}, "status": {domain.FundingPledged}, "version": {"0"}})
	var line domain.FundingLine
	env.App.DB.Where("amount = 500").Take(&line)
	pePost(t, b, fmt.Sprintf("%s/activities/2.1.1/funding/%d/delete", demo, line.ID), url.Values{"version": {"1"}})
	peAudited(t, env, sec.ID, "funding.delete", "APJP")

	// An archived activity disappears from the plan page with what hangs under it.
	v = peVersion(t, b.Get(demo+"/activities/2.1.2/edit"))
	pePost(t, b, demo+"/activities/2.1.2/archive", url.Values{"version": {v}})
	if page := b.Get(demo).Body; strings.Contains(page, "h-a-2.1.2") || strings.Contains(page, ">2.1.2.a<") {
		t.Error("the archived activity or its indicators still show on the plan page")
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIndicatorMeasureCannotChangeOnceReported(t *testing.T) {
	t.Parallel()
	env, _, b := newSignedIn(t, domain.RoleSecretariat, "")
	ctx := context.Background()
	plan, _ := planning.FindPlan(ctx, env.App.DB, seed.DemoPlanCode)
	ind, err := planedit.FindCoded[domain.Indicator](ctx, env.App.DB, plan.ID, "2.1.1.b")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"name": {ind.Name}, "unit_type": {domain.UnitPercentage}, "direction": {ind.Direction}, "accumulation": {ind.Accumulation},
		"reporting_org": {fmt.Sprint(ind.ReportingOrgID)}, "version": {fmt.Sprint(ind.Version)}}
	r := b.Post("/plans/"+seed.DemoPlanCode+"/indicators/2.1.1.b", form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	peSays(t, r, "The unit cannot change", "values have already been reported for this indicator", "archive this indicator and create a new one")
	if ind.DisaggregationSetID != nil {
		peSays(t, r, "The breakdown cannot change")
	}
	// The same form with its unit unchanged saves.
	form.Set("unit_type", ind.UnitType)
	if ind.DisaggregationSetID != nil {
		form.Set("disaggregation_set", fmt.Sprint(*ind.DisaggregationSetID))
	}
	pePost(t, b, "/plans/"+seed.DemoPlanCode+"/indicators/2.1.1.b", form)
}

// peValue writes a value through the API.
func peValue(c *apptest.Client, plan, code, period string, value float64, version int) *apptest.Response {
	return c.JSON(http.MethodPut, fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", plan, code, period),
		fmt.Sprintf(`{"value": %g, "version": %d}`, value, version))
}

func TestPeriodLocksAndExceptions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, now := context.Background(), env.Clock.Now().UTC()
	sec := env.User(t, domain.RoleSecretariat, "")
	db, who := env.App.DB, domain.Caller{Actor: domain.SystemActor, Now: now}
	plan, err := planedit.CreatePlan(ctx, db, who, planedit.PlanInput{Code: "LOCKS", Title: "Locks", StartYear: now.Year(), EndYear: now.Year() + 1,
		Frequency: domain.Quarterly, Tier1Label: "P", Tier2Label: "O", Tier3Label: "A", GreenThreshold: 0.85, RedThreshold: 0.5,
		Language: "en", Currency: "USD", DueDays: 30, GraceDays: 15})
	if err != nil {
		t.Fatal(err)
	}
	p, err := planedit.CreatePillar(ctx, db, who, plan, planedit.NodeInput{Code: "1", Title: "P"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := planedit.CreateObjective(ctx, db, who, plan, p, planedit.NodeInput{Code: "1.1", Title: "O"})
	if err != nil {
		t.Fatal(err)
	}
	lead := mustID(t, umOrgID(t, env, "MOLSW"))
	a, err := planedit.CreateActivity(ctx, db, who, plan, o, planedit.ActivityInput{NodeInput: planedit.NodeInput{Code: "1.1.1", Title: "A"},
		StartDate: domain.Date(now.Year(), 1, 1), EndDate: domain.Date(now.Year(), 12, 31), LeadOrgID: lead, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	in := planedit.IndicatorInput{Name: "Counted", UnitType: domain.UnitNumber, Direction: domain.Increase, Accumulation: domain.AccumulateSum}
	in.Code = "1.1.1.a"
	if _, err := planedit.CreateIndicator(ctx, db, who, plan, planedit.IndicatorParent{Activity: a}, in); err != nil {
		t.Fatal(err)
	}
	in.Code, in.ReportingOrgID = "1.1.1.b", mustID(t, umOrgID(t, env, "MOPS"))
	if _, err := planedit.CreateIndicator(ctx, db, who, plan, planedit.IndicatorParent{Activity: a}, in); err != nil {
		t.Fatal(err)
	}
	label := domain.CurrentPeriodLabel(*plan, now)
	molsw := env.APIClient(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	mops := env.APIClient(t, env.User(t, domain.RoleFocalPoint, "MOPS"))
	b := env.SignedIn(t, sec)
	page := "/plans/LOCKS/periods/" + label

	// Locked by the secretariat: nobody can report; back to automatic: reporting works again.
	pePost(t, b, page+"/lock", url.Values{"lock": {domain.LockLocked}, "version": {peVersion(t, b.Get(page))}})
	peSays(t, b.Get("/plans/LOCKS/periods"), "locked by the secretariat")
	mustStatus(t, peValue(molsw, "LOCKS", "1.1.1.a", label, 5, 0), http.StatusLocked)
	pePost(t, b, page+"/lock", url.Values{"lock": {domain.LockAuto}, "version": {"2"}})
	mustStatus(t, peValue(molsw, "LOCKS", "1.1.1.a", label, 5, 0), http.StatusOK)

	// Once the period has locked by itself, an exception lets only its organisation report.
	env.Clock.Advance(150 * 24 * time.Hour)
	b = env.SignedIn(t, sec)
	mustStatus(t, peValue(molsw, "LOCKS", "1.1.1.a", label, 6, 1), http.StatusLocked)
	until := env.Clock.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	pePost(t, b, page+"/exceptions", url.Values{"organisation": {umOrgID(t, env, "MOLSW")}, "until": {until}, "reason": {"Data delayed by floods"}})
	peSays(t, b.Get(page), "MOLSW", "Data delayed by floods")
	mustStatus(t, peValue(molsw, "LOCKS", "1.1.1.a", label, 6, 1), http.StatusOK)
	mustStatus(t, peValue(mops, "LOCKS", "1.1.1.b", label, 3, 0), http.StatusLocked)

	// A lock by the secretariat holds even against an exception; removing the exception closes the period again.
	pePost(t, b, page+"/lock", url.Values{"lock": {domain.LockLocked}, "version": {"3"}})
	mustStatus(t, peValue(molsw, "LOCKS", "1.1.1.a", label, 7, 2), http.StatusLocked)
	pePost(t, b, page+"/lock", url.Values{"lock": {domain.LockAuto}, "version": {"4"}})
	mustStatus(t, peValue(molsw, "LOCKS", "1.1.1.a", label, 7, 2), http.StatusOK)
	var exc domain.PeriodException
	db.Where("reason = ?", "Data delayed by floods").Take(&exc)
	pePost(t, b, fmt.Sprintf("%s/exceptions/%d/delete", page, exc.ID), nil)
	mustStatus(t, peValue(molsw, "LOCKS", "1.1.1.a", label, 8, 3), http.StatusLocked)

	// The due date and grace days can change.
	pePost(t, b, page, url.Values{"due_date": {domain.Date(now.Year()+1, 3, 1).Format(time.DateOnly)}, "grace_days": {"5"}, "version": {"5"}})
	peSays(t, b.Get(page), domain.Date(now.Year()+1, 3, 1).Format(time.DateOnly))
	for _, action := range []string{"period.update", "period.lock", "period.auto_lock", "period.exception_grant", "period.exception_remove"} {
		peAudited(t, env, sec.ID, action, label)
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	return int64(mustAtoi(t, s))
}

// TestPlanEditingWordsAreInTheCatalogue checks the keys the plan-editing
// handlers build from values (the template scan cannot see them); the
// kinds of dependents are checked in planedit (TestDependentKindsAreInTheCatalogue).
func TestPlanEditingWordsAreInTheCatalogue(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for prefix, values := range map[string][]string{
		"pe.orgtype.": domain.OrgTypes,
		"pe.lang.":    planedit.PlanLanguages,
		"pe.lock.":    {domain.LockAuto, domain.LockLocked, domain.LockUnlocked},
		"unit.":       planedit.UnitTypes, "direction.": planedit.Directions, "accumulation.": planedit.Accumulations,
		"frequency.": planedit.Frequencies, "funding.": planedit.FundingStatuses,
		"flash.pe_": {"saved", "created", "plan_created", "deleted", "archived", "unarchived", "funding_saved", "funding_deleted",
			"period_saved", "lock_saved", "exception_granted", "exception_removed"},
	} {
		for _, v := range values {
			keys = append(keys, prefix+v)
		}
	}
	for _, k := range keys {
		if !b.Has(i18n.Default, k) {
			t.Errorf("key %q is missing from the catalogue", k)
		}
	}
}
