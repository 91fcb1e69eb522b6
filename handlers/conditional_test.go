package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/seed"
)

// TestConditionalGET checks the 304s of the dashboard, the slides, the
// indicator and the organisation pages: a repeated request for a page the
// reader holds costs a 304; a change to a value, another user, another
// session or another language gets the page again; and a reader who sees
// unapproved data on a page is never answered 304 there.
func TestConditionalGET(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, db := context.Background(), env.App.DB
	donorUser := env.User(t, domain.RoleDonor, "APJP")
	donor := env.SignedIn(t, donorUser)
	again := env.SignedIn(t, donorUser) // the same donor in another browser
	fac := env.SignedIn(t, env.User(t, domain.RoleFacilitator, ""))
	sec := env.User(t, domain.RoleSecretariat, "")

	// A submitted value of MOLSW, to approve later.
	var item struct{ Code, Label string }
	if err := db.Raw(`SELECT i.code, p.label FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
JOIN reporting_periods p ON p.id = v.period_id JOIN organisations o ON o.id = i.reporting_org_id
WHERE v.status = 'submitted' AND o.acronym = 'MOLSW' AND i.archived_at IS NULL ORDER BY p.start_date DESC, i.id LIMIT 1`).Scan(&item).Error; err != nil || item.Code == "" {
		t.Fatalf("no submitted MOLSW value in the demo plan: %v", err)
	}
	plan := "/plans/" + seed.DemoPlanCode
	pages := []string{plan + "/dashboard", plan + "/present", plan + "/indicators/" + item.Code, plan + "/organisations/MOLSW"}

	get := func(c *apptest.Client, path, etag, lang string) *apptest.Response {
		t.Helper()
		c.Header.Del("If-None-Match")
		c.Header.Del("Accept-Language")
		if etag != "" {
			c.Header.Set("If-None-Match", etag)
		}
		if lang != "" {
			c.Header.Set("Accept-Language", lang)
		}
		return c.Get(path)
	}
	tags, bodies := map[string]string{}, map[string]string{}
	for _, path := range pages {
		r := get(donor, path, "", "")
		mustStatus(t, r, http.StatusOK)
		bodies[path] = r.Body
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag for a donor", path)
		}
		tags[path] = etag
		if r := get(donor, path, etag, ""); r.StatusCode != http.StatusNotModified || r.Body != "" {
			t.Errorf("%s: the same request again = %d with %d bytes, want 304 and no body", path, r.StatusCode, len(r.Body))
		}
		for name, c := range map[string]*apptest.Client{"a facilitator": fac, "the donor's other session": again} {
			if r := get(c, path, etag, ""); r.StatusCode != http.StatusOK || r.Header.Get("ETag") == etag {
				t.Errorf("%s: %s sending the donor's ETag = %d (ETag %s), want 200 and its own", path, name, r.StatusCode, r.Header.Get("ETag"))
			}
		}
		if r := get(donor, path, etag, "fr"); r.StatusCode != http.StatusOK || r.Header.Get("ETag") == etag {
			t.Errorf("%s: the page in French for the English ETag = %d, want 200", path, r.StatusCode)
		}
	}

	// Approving the value changes every page.
	v := 0
	db.Raw(`SELECT v.version FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN reporting_periods p ON p.id = v.period_id
WHERE i.code = ? AND p.label = ?`, item.Code, item.Label).Scan(&v)
	if _, err := reporting.TransitionValue(ctx, db, domain.Caller{Actor: domain.Actor{Name: "test"}, Scope: domain.ScopeOf(sec), Now: env.Clock.Now().UTC()}, reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: item.Code, Period: item.Label}, reporting.ActionApprove, v, ""); err != nil {
		t.Fatal(err)
	}
	for _, path := range pages {
		r := get(donor, path, tags[path], "")
		if r.StatusCode != http.StatusOK || r.Header.Get("ETag") == tags[path] {
			t.Errorf("%s after an approval = %d, want 200 and a new ETag", path, r.StatusCode)
		}
		// The dashboard's figures, kept between requests, are read again.
		if path == pages[0] && r.Body == bodies[path] {
			t.Errorf("%s after an approval is the page from before it", path)
		}
	}

	// MOLSW's focal point sees its drafts on these two pages: drawn every time.
	fp := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	for _, path := range pages[2:] {
		r := get(fp, path, "", "")
		mustStatus(t, r, http.StatusOK)
		if etag := r.Header.Get("ETag"); etag != "" {
			t.Errorf("%s: the reporting organisation's focal point got ETag %s on a page with its drafts", path, etag)
		}
		if r := get(fp, path, "*", ""); r.StatusCode != http.StatusOK {
			t.Errorf("%s: the focal point with If-None-Match: * = %d, want 200", path, r.StatusCode)
		}
	}
}
