package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"
)

var queueItem = regexp.MustCompile(`name="item" value="([^"]+)" form="bulk"`)

func TestValidationQueue(t *testing.T) {
	t.Parallel()
	env, _, sec := newSignedIn(t, domain.RoleSecretariat, "")
	base := "/plans/" + seed.DemoPlanCode + "/queue"
	page := sec.Get(base)
	mustStatus(t, page, http.StatusOK)
	all := queueItem.FindAllStringSubmatch(page.Body, -1)
	var submitted int64
	env.App.DB.Model(&domain.IndicatorValue{}).Where("status = ?", domain.StatusSubmitted).Count(&submitted)
	var updates int64
	env.App.DB.Model(&domain.ActivityUpdate{}).Where("status = ?", domain.StatusSubmitted).Count(&updates)
	if int64(len(all)) != submitted+updates || len(all) < 3 {
		t.Fatalf("the queue shows %d items; the database has %d submitted values and %d updates", len(all), submitted, updates)
	}

	// Filters restrict the list.
	filtered := queueItem.FindAllStringSubmatch(sec.Get(base+"?org=MOLSW").Body, -1)
	if len(filtered) == 0 || len(filtered) >= len(all) {
		t.Errorf("filtering by MOLSW left %d of %d items", len(filtered), len(all))
	}

	// Return one with a comment: the comment is required.
	first := all[0][1]
	r := sec.Post(base, url.Values{"action": {"return"}, "item": {first}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	r = sec.Post(base, url.Values{"action": {"return"}, "item": {first}, "comment": {"Figures do not match the register"}})
	mustStatus(t, r, http.StatusSeeOther)

	// Bulk approve the rest, with one stale reference that must be skipped, not applied.
	rest := url.Values{"action": {"approve"}}
	for _, m := range all[1:] {
		rest.Add("item", m[1])
	}
	rest.Add("item", first) // returned meanwhile: its version moved on
	r = sec.Post(base, rest)
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.Contains(loc, fmt.Sprintf("done=%d", len(all)-1)) || !strings.Contains(loc, "skipped=1") {
		t.Errorf("bulk approval reported %s", loc)
	}
	after := sec.Get(base)
	if n := len(queueItem.FindAllString(after.Body, -1)); n != 0 {
		t.Errorf("%d items still in the queue", n)
	}
	var returned int64
	env.App.DB.Model(&domain.Comment{}).Where("body = ?", "Figures do not match the register").Count(&returned)
	if returned != 1 {
		t.Error("the return comment is not in the value's thread")
	}
	// Focal points cannot use the queue.
	mustStatus(t, env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW")).Get(base), http.StatusForbidden)
}

func TestQueueQueriesDoNotGrow(t *testing.T) {
	t.Parallel()
	env, _ := newWithLargePlan(t)
	// Give the large plan a queue as long as its size suggests: submit 300 of its values.
	env.App.DB.Exec("UPDATE indicator_values SET status = 'submitted', approved_at = NULL, approved_by_id = NULL WHERE id IN (SELECT v.id FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN plans p ON p.id = i.plan_id WHERE p.code = 'BIG' ORDER BY v.id LIMIT 300)")
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	counter := storetest.CountQueries(env.App.DB)
	count := func(plan string) (int64, int) {
		sec.Get("/plans/" + plan + "/queue")
		counter.Reset()
		r := sec.Get("/plans/" + plan + "/queue")
		mustStatus(t, r, http.StatusOK)
		return counter.N(), len(queueItem.FindAllString(r.Body, -1))
	}
	demo, demoItems := count(seed.DemoPlanCode)
	big, bigItems := count("BIG")
	if demo != big || bigItems < 300 {
		t.Errorf("queue: %d queries for %d items (demo), %d queries for %d items (large plan)", demo, demoItems, big, bigItems)
	}
}

// TestQueueValidatesWithContext submits one value that jumped (with a
// comment in its thread) and one disaggregated value that did not: the
// queue row shows the breakdown by category and the comment count, the
// jump filter keeps the jumped value alone, the value page keeps showing the
// breakdown once submitted, and after approval the secretariat reopens it
// by page, where a reason is required.
func TestQueueValidatesWithContext(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	var jumper *reporting.GridRow
	for i := range f.plain {
		if r := &f.plain[i]; r.Previous != nil && r.Previous.Value != nil && *r.Previous.Value > 0 {
			jumper = r
			break
		}
	}
	if jumper == nil {
		t.Fatal("no MOLSW row with a previous value in the demo")
	}
	// A disaggregated row that does not jump: 9 against nothing or 7–13.
	var split reporting.GridRow
	for _, r := range f.split {
		if r.Previous == nil || r.Previous.Value == nil || (*r.Previous.Value >= 7 && *r.Previous.Value <= 13) {
			split = r
			break
		}
	}
	if split.Set == nil {
		t.Fatal("no MOLSW disaggregated row without a previous value or near 9")
	}
	cells := split.Set.Cells()
	focal := f.env.APIClient(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	api := func(code string) string {
		return fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, code, f.period)
	}
	mustStatus(t, focal.JSON(http.MethodPut, api(jumper.Indicator.Code), fmt.Sprintf(`{"value": %v, "version": %d}`, *jumper.Previous.Value*10, jumper.Version())), http.StatusOK)
	apiAct(t, focal, api(jumper.Indicator.Code), "submit", jumper.Version()+1, http.StatusOK)
	body := fmt.Sprintf(`{"value": 9, "disaggregation": {%q: 7, %q: 2}, "version": %d}`, cells[0], cells[1], split.Version())
	mustStatus(t, focal.JSON(http.MethodPut, api(split.Indicator.Code), body), http.StatusOK)
	apiAct(t, focal, api(split.Indicator.Code), "submit", split.Version()+1, http.StatusOK)

	molsw := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	valuePath := "/plans/" + seed.DemoPlanCode + "/indicators/" + split.Indicator.Code + "/values/" + f.period
	mustStatus(t, molsw.Post(valuePath+"/comments", url.Values{"comment": {"Register of the shelters attached"}}), http.StatusSeeOther)
	labels := map[string]string{}
	for _, d := range split.Set.Dimensions {
		for _, c := range d.Categories {
			labels[d.Code+"="+c.Code] = c.Label
		}
	}
	label := func(cell string) string {
		var parts []string
		for _, p := range strings.Split(cell, ";") {
			parts = append(parts, labels[p])
		}
		return strings.Join(parts, " · ")
	}
	if p := molsw.Get(valuePath); !strings.Contains(p.Body, `<th scope="row">`+label(cells[0])+`</th><td class="num">7</td>`) {
		t.Errorf("the value page hides the breakdown once submitted")
	}

	sec := f.env.SignedIn(t, f.env.User(t, domain.RoleSecretariat, ""))
	queue := "/plans/" + seed.DemoPlanCode + "/queue?org=MOLSW&period=" + f.period
	r := sec.Get(queue)
	mustStatus(t, r, http.StatusOK)
	queueRow := func(body, code string) string {
		_, rest, ok := strings.Cut(body, `value="indicator|`+code+`|`)
		if !ok {
			return ""
		}
		row, _, _ := strings.Cut(rest, "</tr>\n")
		return row
	}
	row := queueRow(r.Body, split.Indicator.Code)
	for _, want := range []string{
		"2 cells",
		`<th scope="row">` + label(cells[0]) + `</th><td class="num">7</td>`,
		`<th scope="row">` + label(cells[1]) + `</th><td class="num">2</td>`,
		`values/` + f.period + `#comments">1</a>`,
	} {
		if !strings.Contains(row, want) {
			t.Errorf("the queue row of %s lacks %q: %s", split.Indicator.Code, want, row)
		}
	}
	if queueRow(r.Body, jumper.Indicator.Code) == "" {
		t.Fatalf("the jumped value %s is not in the queue", jumper.Indicator.Code)
	}
	jumps := sec.Get(queue + "&jump=1")
	if queueRow(jumps.Body, jumper.Indicator.Code) == "" || queueRow(jumps.Body, split.Indicator.Code) != "" || strings.Contains(jumps.Body, `value="activity|`) {
		t.Errorf("the jump filter does not keep the jumped value alone")
	}
	if !strings.Contains(jumps.Body, `name="jump" value="1" checked`) {
		t.Errorf("the jump filter is not shown as applied")
	}

	// Approve, then reopen by page: a reason is required, and kept.
	ref := fmt.Sprintf("indicator|%s|%s|%d", split.Indicator.Code, f.period, split.Version()+2)
	mustStatus(t, sec.Post("/plans/"+seed.DemoPlanCode+"/queue", url.Values{"action": {"approve"}, "item": {ref}}), http.StatusSeeOther)
	approved := sec.Get(valuePath)
	if !strings.Contains(approved.Body, `action="`+valuePath+`/reopen"`) {
		t.Fatalf("the approved value's page offers the secretariat no reopen form")
	}
	if strings.Contains(molsw.Get(valuePath).Body, `/reopen"`) {
		t.Errorf("the focal point is offered the reopen form")
	}
	version := fmt.Sprint(split.Version() + 3)
	mustStatus(t, molsw.Post(valuePath+"/reopen", url.Values{"version": {version}, "reason": {"mine"}}), http.StatusForbidden)
	noReason := sec.Post(valuePath+"/reopen", url.Values{"version": {version}, "reason": {"  "}})
	mustStatus(t, noReason, http.StatusUnprocessableEntity)
	if !strings.Contains(noReason.Body, `id="reopen-error"`) {
		t.Errorf("reopening without a reason says nothing beside the field")
	}
	mustStatus(t, sec.Post(valuePath+"/reopen", url.Values{"version": {version}, "reason": {"The shelter register was revised"}}), http.StatusSeeOther)
	if v := f.stored(t, split.Indicator.Code); v.Status != domain.StatusReturned || v.ReturnComment != "The shelter register was revised" {
		t.Errorf("after reopening by page: %s %q", v.Status, v.ReturnComment)
	}
}
