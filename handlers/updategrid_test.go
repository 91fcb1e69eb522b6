package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/seed"
)

// TestUpdateGridSavesEachRowOnItsOwn posts MOLSW's activity-update grid of
// the open quarter with one good row, one invalid row and one row changed
// meanwhile through the API: the good row is saved, the invalid one comes
// back with its message and the stale one with both versions; after
// correcting them, "submit all" submits every row. Another ministry gets 403.
func TestUpdateGridSavesEachRowOnItsOwn(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	period := currentPeriod()
	path := "/plans/" + seed.DemoPlanCode + "/organisations/MOLSW/updates"
	q := "?from=" + period + "&to=" + period
	g, err := reporting.LoadUpdateGrid(context.Background(), env.App.DB, domain.Scope{Role: domain.RoleSecretariat}, seed.DemoPlanCode, "MOLSW", period, "", time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	var rows []reporting.UpdateRow
	for _, r := range g.Rows {
		if r.Editable() {
			rows = append(rows, r)
		}
	}
	if len(rows) < 3 {
		t.Fatalf("the demo's MOLSW update grid has %d editable rows", len(rows))
	}
	good, bad, stale := rows[0], rows[1], rows[2]
	molsw := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	page := molsw.Get(path + q)
	mustStatus(t, page, http.StatusOK)
	for _, r := range g.Rows {
		if !strings.Contains(page.Body, `name="ver:`+r.Key()+`"`) && r.Editable() {
			t.Errorf("the grid has no input row for %s", r.Key())
		}
	}

	api := env.APIClient(t, env.User(t, domain.RoleSecretariat, ""))
	apiPath := fmt.Sprintf("/api/v1/plans/%s/activities/%s/updates/%s", seed.DemoPlanCode, stale.Activity.Code, period)
	mustStatus(t, api.JSON(http.MethodPut, apiPath, fmt.Sprintf(`{"progress": "delayed", "percent_complete": 10, "version": %d}`, stale.Version())), http.StatusOK)

	set := func(form url.Values, r reporting.UpdateRow, version int, progress, pct, spent, achieved string) {
		k := r.Key()
		form.Set("ver:"+k, strconv.Itoa(version))
		form.Set("p:"+k, progress)
		form.Set("pc:"+k, pct)
		form.Set("x:"+k, spent)
		form.Set("achievements:"+k, achieved)
	}
	form := url.Values{"action": {"save"}}
	set(form, good, good.Version(), domain.ProgressOnTrack, "40", "1 250,5", "Two trainings held")
	set(form, bad, bad.Version(), domain.ProgressCompleted, "50", "", "Done?")
	set(form, stale, stale.Version(), domain.ProgressOnTrack, "60", "", "Mine")
	frUser := env.User(t, domain.RoleFocalPoint, "MOLSW")
	if err := env.App.DB.Model(frUser).Update("language", "fr").Error; err != nil {
		t.Fatal(err)
	}
	fr := env.SignedIn(t, frUser)
	r := fr.Post(path+q, form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	stored := func(a reporting.UpdateRow) *domain.ActivityUpdate {
		t.Helper()
		g, err := reporting.LoadUpdateGrid(context.Background(), env.App.DB, domain.Scope{Role: domain.RoleSecretariat}, seed.DemoPlanCode, "MOLSW", period, "", time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range g.Rows {
			if x.Key() == a.Key() {
				return x.Update
			}
		}
		t.Fatalf("no row %s", a.Key())
		return nil
	}
	if u := stored(good); u == nil || u.Status != domain.StatusDraft || u.PercentComplete != 40 || u.Expenditure != 1250.5 {
		t.Errorf("the good row was not saved as typed in French: %+v", u)
	}
	if u := stored(bad); u != nil && u.Progress == domain.ProgressCompleted {
		t.Errorf("the invalid row was saved: %+v", u)
	}
	if u := stored(stale); u.Progress != "delayed" {
		t.Errorf("the stale row overwrote the API's edit: %+v", u)
	}
	for _, want := range []string{"Quelqu’un d’autre a modifié cette mise à jour", "Done?", `value="50"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the refused grid lacks %q", want)
		}
	}

	// Correct both and submit all.
	form = url.Values{"action": {"submit"}}
	set(form, good, good.Version()+1, domain.ProgressOnTrack, "40", "1250.5", "Two trainings held")
	set(form, bad, bad.Version(), domain.ProgressCompleted, "100", "", "Done")
	set(form, stale, stale.Version()+1, domain.ProgressOnTrack, "60", "", "Mine")
	mustStatus(t, molsw.Post(path+q, form), http.StatusSeeOther)
	for _, a := range []reporting.UpdateRow{good, bad, stale} {
		if u := stored(a); u == nil || u.Status != domain.StatusSubmitted {
			t.Errorf("%s was not submitted: %+v", a.Key(), u)
		}
	}
	if p := molsw.Get(path + q); strings.Contains(p.Body, `name="ver:`+good.Key()+`"`) {
		t.Errorf("a submitted row is still editable")
	}

	mops := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOPS"))
	mustStatus(t, mops.Get(path+q), http.StatusForbidden)
	mustStatus(t, mops.Post(path+q, form), http.StatusForbidden)
	mustStatus(t, molsw.Get(path+"?from=1999-Q1"), http.StatusNotFound)
}
