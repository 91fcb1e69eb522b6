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

// gridFixture is a running demo with MOLSW's grid for the open quarter.
type gridFixture struct {
	env    *apptest.Env
	period string
	path   string
	grid   *reporting.ValueGrid
	plain  []reporting.GridRow // editable rows without a breakdown
	split  []reporting.GridRow // editable rows with a breakdown
}

func newGridFixture(t *testing.T) *gridFixture {
	t.Helper()
	env := apptest.New(t)
	f := &gridFixture{env: env, period: currentPeriod()}
	f.path = fmt.Sprintf("/plans/%s/organisations/MOLSW/values/%s", seed.DemoPlanCode, f.period)
	g, err := reporting.LoadValueGrid(context.Background(), env.App.DB, domain.Scope{Role: domain.RoleSecretariat}, seed.DemoPlanCode, "MOLSW", f.period, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	f.grid = g
	for _, r := range g.Rows {
		if !r.Editable(g.Open()) || r.Indicator.UnitType != domain.UnitNumber {
			continue
		}
		if r.Set == nil {
			f.plain = append(f.plain, r)
		} else {
			f.split = append(f.split, r)
		}
	}
	if len(f.plain) < 2 || len(f.split) < 1 {
		t.Fatalf("the demo's MOLSW grid has %d plain and %d disaggregated editable rows", len(f.plain), len(f.split))
	}
	return f
}

// row adds one row's inputs to a grid form.
func row(form url.Values, r reporting.GridRow, value, narrative string, cells map[string]string) {
	c := r.Indicator.Code
	form.Set("ver:"+c, strconv.Itoa(r.Version()))
	form.Set("v:"+c, value)
	form.Set("n:"+c, narrative)
	for k, v := range cells {
		form.Set("c:"+c+":"+k, v)
	}
}

// stored reads a value as the database holds it now.
func (f *gridFixture) stored(t *testing.T, code string) *domain.IndicatorValue {
	t.Helper()
	g, err := reporting.LoadValueGrid(context.Background(), f.env.App.DB, domain.Scope{Role: domain.RoleSecretariat}, seed.DemoPlanCode, "MOLSW", f.period, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range g.Rows {
		if r.Indicator.Code == code {
			return r.Value
		}
	}
	t.Fatalf("no row %s", code)
	return nil
}

func TestGridAnotherMinistryCannotSave(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	mops := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOPS"))
	donor := f.env.SignedIn(t, f.env.User(t, domain.RoleDonor, "APJP"))
	a := f.plain[0]
	form := url.Values{"action": {"save"}}
	row(form, a, "4321", "not ours", nil)
	mustStatus(t, mops.Get(f.path), http.StatusForbidden)
	mustStatus(t, mops.Post(f.path, form), http.StatusForbidden)
	mustStatus(t, donor.Post(f.path, form), http.StatusForbidden)
	if v := f.stored(t, a.Indicator.Code); v != nil && v.Value != nil && *v.Value == 4321 {
		t.Errorf("another ministry's grid post was written: %+v", v)
	}
	molsw := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	r := molsw.Get(f.path)
	mustStatus(t, r, http.StatusOK)
	for _, row := range f.grid.Rows {
		if !strings.Contains(r.Body, `id="row-`+row.Indicator.Code+`"`) {
			t.Errorf("the grid has no row for %s", row.Indicator.Code)
		}
	}
}

func TestGridSavesEachRowOnItsOwn(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	molsw := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	api := f.env.APIClient(t, f.env.User(t, domain.RoleSecretariat, ""))
	stale, fresh, split := f.plain[0], f.plain[1], f.split[0]

	// Someone edits the first row through the API after the page was read.
	apiPath := fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, stale.Indicator.Code, f.period)
	mustStatus(t, api.JSON(http.MethodPut, apiPath, fmt.Sprintf(`{"value": 777, "narrative": "theirs", "version": %d}`, stale.Version())), http.StatusOK)

	cells := split.Set.Cells()
	wrong := map[string]string{cells[0]: "3", cells[1]: "4"} // 7, not 10
	form := url.Values{"action": {"save"}}
	row(form, stale, "111", "mine", nil)
	row(form, fresh, "222", "saved anyway", nil)
	row(form, split, "10", "", wrong)
	r := molsw.Post(f.path, form)
	mustStatus(t, r, http.StatusUnprocessableEntity)

	if v := f.stored(t, fresh.Indicator.Code); v == nil || v.Value == nil || *v.Value != 222 || v.Version != fresh.Version()+1 {
		t.Errorf("the valid row was not saved with its own version: %+v", v)
	}
	if v := f.stored(t, stale.Indicator.Code); v == nil || *v.Value != 777 {
		t.Errorf("the stale row overwrote the other edit: %+v", v)
	}
	if v := f.stored(t, split.Indicator.Code); v != nil && v.Value != nil && *v.Value == 10 {
		t.Errorf("the row with a wrong breakdown was saved: %+v", v)
	}
	// The page shows the conflict with both values, and the refused sum
	// naming its row, with what was typed kept.
	for _, want := range []string{"777", `value="111"`, "mine", split.Indicator.Code + ": The breakdown adds up to 7, not to the total 10.", `value="3"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestGridReadsFrenchNumbersSubmitsAndWithdraws(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	u := f.env.User(t, domain.RoleFocalPoint, "MOLSW")
	if err := f.env.App.DB.Model(u).Update("language", "fr").Error; err != nil {
		t.Fatal(err)
	}
	molsw := f.env.SignedIn(t, u)
	sec := f.env.APIClient(t, f.env.User(t, domain.RoleSecretariat, ""))
	a, b := f.plain[0], f.plain[1]

	// "1,234" could be either reading: refused, the row kept as typed.
	form := url.Values{"action": {"save"}}
	row(form, b, "1,234", "", nil)
	r := molsw.Post(f.path, form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "peut se lire de deux façons") || !strings.Contains(r.Body, `value="1,234"`) {
		t.Errorf("the ambiguous number is not refused with its message: %.2000s", r.Body)
	}

	// French "62,5" is 62.5, and "submit all" submits the complete row.
	form = url.Values{"action": {"submit"}}
	row(form, a, "62,5", "Soixante-deux et demi", nil)
	mustStatus(t, molsw.Post(f.path, form), http.StatusSeeOther)
	v := f.stored(t, a.Indicator.Code)
	if v == nil || v.Value == nil || *v.Value != 62.5 || v.Status != domain.StatusSubmitted {
		t.Fatalf("after submitting 62,5: %+v", v)
	}
	// The grid shows it back in French notation.
	if page := molsw.Get(f.path); !strings.Contains(page.Body, "62,5") {
		t.Errorf("the grid does not show 62,5")
	}

	// Withdrawn before the secretariat acts: a draft again.
	withdraw := fmt.Sprintf("/plans/%s/indicators/%s/values/%s/withdraw", seed.DemoPlanCode, a.Indicator.Code, f.period)
	mustStatus(t, molsw.Post(withdraw, url.Values{"version": {strconv.Itoa(v.Version)}}), http.StatusSeeOther)
	w := f.stored(t, a.Indicator.Code)
	if w.Status != domain.StatusDraft || w.Version != v.Version+1 {
		t.Fatalf("after withdrawing: %s v%d", w.Status, w.Version)
	}

	// Submitted again and returned: withdrawing is refused, and the
	// correction needs a reason.
	api := fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, a.Indicator.Code, f.period)
	focal := f.env.APIClient(t, u)
	apiAct(t, focal, api, "submit", w.Version, http.StatusOK)
	mustStatus(t, sec.JSON(http.MethodPost, api+"/return", fmt.Sprintf(`{"version": %d, "comment": "Vérifiez le registre"}`, w.Version+1)), http.StatusOK)
	mustStatus(t, molsw.Post(withdraw, url.Values{"version": {strconv.Itoa(w.Version + 2)}}), http.StatusLocked)

	returned := f.stored(t, a.Indicator.Code)
	ga := a
	ga.Value = returned
	form = url.Values{"action": {"save"}}
	row(form, ga, "63", "corrigé", nil)
	r = molsw.Post(f.path, form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "indiquez pourquoi vous la modifiez") {
		t.Errorf("no message asks for the reason")
	}
	form.Set("r:"+a.Indicator.Code, "Registre recompté")
	mustStatus(t, molsw.Post(f.path, form), http.StatusSeeOther)
	if v := f.stored(t, a.Indicator.Code); *v.Value != 63 || v.Status != domain.StatusDraft {
		t.Errorf("the correction with a reason was not saved: %+v", v)
	}
}

func TestQueueShowsTargetPreviousValueAndJump(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	var a *reporting.GridRow
	for i := range f.plain {
		if r := &f.plain[i]; r.Previous != nil && r.Previous.Value != nil && *r.Previous.Value > 0 && r.Target != nil {
			a = r
			break
		}
	}
	if a == nil {
		t.Fatal("no MOLSW row with a previous value and a target in the demo")
	}
	focal := f.env.APIClient(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	api := fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, a.Indicator.Code, f.period)
	ten := *a.Previous.Value * 10
	mustStatus(t, focal.JSON(http.MethodPut, api, fmt.Sprintf(`{"value": %v, "version": %d}`, ten, a.Version())), http.StatusOK)
	apiAct(t, focal, api, "submit", a.Version()+1, http.StatusOK)

	sec := f.env.SignedIn(t, f.env.User(t, domain.RoleSecretariat, ""))
	r := sec.Get("/plans/" + seed.DemoPlanCode + "/queue?org=MOLSW&period=" + f.period)
	mustStatus(t, r, http.StatusOK)
	_, rest, _ := strings.Cut(r.Body, `value="indicator|`+a.Indicator.Code+`|`)
	rowHTML, _, _ := strings.Cut(rest, "</tr>")
	l := f.env.App.I18n.For("en")
	for _, want := range []string{l.Num(a.Target), l.Num(a.Previous.Value) + ` <span class="meta">(` + f.grid.PreviousLabel + `)</span>`, "× 10: check"} {
		if !strings.Contains(rowHTML, want) {
			t.Errorf("the queue row of %s lacks %q: %s", a.Indicator.Code, want, rowHTML)
		}
	}
}

// TestRangeWarningOnDraft saves a draft far outside the range its target
// makes likely, on the grid and on the value form: both pages say so while
// the value is still a draft, and say nothing for a value within the range.
func TestRangeWarningOnDraft(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	molsw := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	var withRange []reporting.GridRow
	for _, r := range append(f.plain, f.split...) {
		if r.Range != nil && r.Set == nil {
			withRange = append(withRange, r)
		}
	}
	if len(withRange) < 2 {
		t.Fatalf("the demo's MOLSW grid has %d plain rows with a target", len(withRange))
	}
	far, near := withRange[0], withRange[1]
	farValue := strconv.FormatFloat(far.Range.High*10+100, 'f', 0, 64)
	nearValue := strconv.FormatFloat(*near.Target, 'f', -1, 64)
	if near.Range.Outside(near.Target) {
		t.Fatalf("the target %v of %s is outside its own range %+v", *near.Target, near.Indicator.Code, *near.Range)
	}
	form := url.Values{"action": {"save"}}
	row(form, far, farValue, "slip", nil)
	row(form, near, nearValue, "fine", nil)
	mustStatus(t, molsw.Post(f.path, form), http.StatusSeeOther)
	if v := f.stored(t, far.Indicator.Code); v == nil || v.Status != domain.StatusDraft {
		t.Fatalf("the far value was not saved as a draft: %+v", v)
	}

	warning := "outside the range the plan makes likely"
	page := molsw.Get(f.path)
	mustStatus(t, page, http.StatusOK)
	rowHTML := func(code string) string {
		_, after, _ := strings.Cut(page.Body, `id="row-`+code+`"`)
		before, _, _ := strings.Cut(after, "</tr>")
		return before
	}
	if r := rowHTML(far.Indicator.Code); !strings.Contains(r, warning) {
		t.Errorf("the grid row %s (%s, range %+v) has no range warning: %.2000s", far.Indicator.Code, farValue, *far.Range, r)
	}
	if r := rowHTML(near.Indicator.Code); strings.Contains(r, warning) {
		t.Errorf("the grid row %s warns about its own target %s", near.Indicator.Code, nearValue)
	}

	base := "/plans/" + seed.DemoPlanCode + "/indicators/"
	valuePage := molsw.Get(base + far.Indicator.Code + "/values/" + f.period)
	mustStatus(t, valuePage, http.StatusOK)
	if !strings.Contains(valuePage.Body, warning) {
		t.Errorf("the value page of the draft %s has no range warning", far.Indicator.Code)
	}
	// The single form warns after its own draft save too.
	r := molsw.Post(base+near.Indicator.Code+"/values/"+f.period, url.Values{"action": {"save"}, "value": {farValue}, "version": {"1"}})
	mustStatus(t, r, http.StatusSeeOther)
	if p := molsw.Get(base + near.Indicator.Code + "/values/" + f.period); !strings.Contains(p.Body, warning) || !strings.Contains(p.Body, "Draft") {
		t.Errorf("after a draft save on the value form, no range warning on the draft")
	}
}

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
