package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/seed"
)

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
