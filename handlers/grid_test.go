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
