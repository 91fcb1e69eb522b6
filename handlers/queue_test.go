package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"naptracker/domain"
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
