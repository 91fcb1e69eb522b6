package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"
)

var auditRowID = regexp.MustCompile(`<tr id="e(\d+)">`)

// auditIDs returns the ids of the entries a page of the audit log shows, in order.
func auditIDs(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	mustStatus(t, r, http.StatusOK)
	var out []string
	for _, m := range auditRowID.FindAllStringSubmatch(r.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// auditLink returns the address of a pager link ("" when absent).
func auditLink(r *apptest.Response, rel string) string {
	m := regexp.MustCompile(`<a href="([^"]+)" rel="` + rel + `">`).FindStringSubmatch(r.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestAuditLogBrowsing shows the audit log newest first, fifty entries a
// page, paging both ways without gaps or repeats even when entries are
// added meanwhile, filtering by plan, user, action prefix, entity type and
// dates, cutting long values short with the whole of them pretty-printed
// behind a details view, and refusing bad dates with 422 — with the same
// number of queries on every page after the first.
func TestAuditLogBrowsing(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	db := env.App.DB
	sec := env.User(t, domain.RoleSecretariat, "")
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	plan := mustPlan(t, env)
	// 120 value changes by the focal point in the demo plan, one of them long,
	// and a failed sign-in.
	long := map[string]string{"narrative": strings.Repeat("A long narrative. ", 40)}
	for i := range 120 {
		id := int64(i + 1)
		nv := map[string]any{"value": i}
		if i == 60 {
			nv = map[string]any{"value": i, "extra": long}
		}
		auditMust(t, domain.Audit(db, domain.Actor{UserID: &fp.ID, Name: fp.Email, RequestID: fmt.Sprintf("req-%03d", i)}, "value.save", "indicator_value", &id, &plan.ID,
			map[string]any{"value": i - 1}, nv, ""))
	}
	env.Client(t).Login(fp.Email, "wrong password")
	browser := env.SignedIn(t, sec)

	// Newest first: the failed sign-in, then the value changes from the last.
	first := browser.Get("/audit")
	ids := auditIDs(t, first)
	if len(ids) != account.AuditLogPageSize {
		t.Fatalf("first page shows %d entries, want %d", len(ids), account.AuditLogPageSize)
	}
	if !strings.Contains(first.Body, "login.failure") || strings.Index(first.Body, "login.failure") > strings.Index(first.Body, "req-119") {
		t.Error("the failed sign-in is not listed before the older value changes")
	}
	if auditLink(first, "prev") != "" || auditLink(first, "next") == "" {
		t.Error("the first page should link to older entries only")
	}

	// Page through the value changes by user and action: 120 entries, three
	// pages, no gap, no repeat, even with an entry added while paging.
	filter := url.Values{"user": {strings.ToUpper(fp.Email)}, "action": {"Value."}, "plan": {seed.DemoPlanCode}}
	counter := storetest.CountQueries(db)
	counter.Reset()
	p1 := browser.Get("/audit?" + filter.Encode())
	perPage := counter.N()
	seen := map[string]bool{}
	var pages [][]string
	next := p1
	for next != nil {
		got := auditIDs(t, next)
		pages = append(pages, got)
		for _, id := range got {
			if seen[id] {
				t.Errorf("entry %s shown twice", id)
			}
			seen[id] = true
		}
		if len(pages) == 1 {
			auditMust(t, domain.Audit(db, domain.Actor{UserID: &fp.ID, Name: fp.Email}, "value.save", "indicator_value", nil, &plan.ID, nil, nil, "added while paging"))
		}
		link := auditLink(next, "next")
		if link == "" {
			break
		}
		counter.Reset()
		next = browser.Get(link)
		// A page after the first also asks whether newer entries exist.
		if n := counter.N(); n != perPage+1 {
			t.Errorf("page %d cost %d queries, page 1 %d", len(pages)+1, n, perPage)
		}
	}
	if len(seen) != 120 || len(pages) != 3 || len(pages[2]) != 20 {
		t.Errorf("paged through %d entries in %d pages (%v), want 120 in 50+50+20", len(seen), len(pages), len(pages[len(pages)-1]))
	}
	if !strings.Contains(p1.Body, "req-119") || strings.Contains(p1.Body, "login.failure") {
		t.Error("the filtered first page should start with the last value change and hold no sign-in")
	}
	// Back from the last page: the newer page is the second one again.
	if auditLink(next, "next") != "" {
		t.Error("the last page links to older entries")
	}
	back := browser.Get(auditLink(next, "prev"))
	if got := auditIDs(t, back); strings.Join(got, ",") != strings.Join(pages[1], ",") {
		t.Errorf("newer from the last page shows %v, want the second page %v", got, pages[1])
	}

	// The long value is cut short with the whole of it, pretty-printed, behind <details>.
	page2 := browser.Get("/audit?" + filter.Encode() + "&before=" + pages[1][0])
	if !strings.Contains(page2.Body, "<details><summary><code>") || !strings.Contains(page2.Body, "\n    &#34;narrative&#34;: &#34;A long narrative.") {
		t.Error("a long value is not cut short with a pretty-printed details view")
	}
	if !strings.Contains(page2.Body, `<code>{&#34;value&#34;:59}</code>`) {
		t.Error("a short old value is not shown whole on one line")
	}

	// Other filters.
	for q, want := range map[string]func(body string) bool{
		"entity=security":               func(b string) bool { return strings.Contains(b, "login.failure") && !strings.Contains(b, "value.save") },
		"action=login.":                 func(b string) bool { return strings.Contains(b, "login.failure") && !strings.Contains(b, "value.save") },
		"user=nobody@example.org":       func(b string) bool { return strings.Contains(b, "No entry matches") },
		"from=2000-01-01&to=2000-12-31": func(b string) bool { return strings.Contains(b, "No entry matches") },
		"from=" + env.Clock.Now().UTC().Format(time.DateOnly) + "&action=value.": func(b string) bool {
			return strings.Contains(b, "req-119") && strings.Contains(b, `rel="next"`)
		},
		"action=value%25": func(b string) bool { return strings.Contains(b, "No entry matches") }, // % is not a wildcard
	} {
		r := browser.Get("/audit?" + q)
		mustStatus(t, r, http.StatusOK)
		if !want(r.Body) {
			t.Errorf("/audit?%s does not show what it should", q)
		}
	}
	for _, q := range []string{"from=yesterday", "to=2024-02-30", "from=2024-03-02&to=2024-03-01", "plan=NOPE"} {
		r := browser.Get("/audit?" + q)
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, `class="field-error"`) || strings.Contains(r.Body, `<tr id="e`) {
			t.Errorf("/audit?%s: want the filter with its message and no entries", q)
		}
	}
	for role, org := range map[string]string{domain.RoleFocalPoint: "MOLSW", domain.RoleDonor: "APJP", domain.RoleFacilitator: ""} {
		mustStatus(t, env.SignedIn(t, env.User(t, role, org)).Get("/audit"), http.StatusForbidden)
	}
}

func auditMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
