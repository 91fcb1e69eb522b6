package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// A NUL character or bytes that are not UTF-8, in any kind of input, get a
// 4xx naming the field, on PostgreSQL (which cannot store them) and SQLite
// (which would) alike, and nothing is written.
func TestNULAndInvalidUTF8AreRefusedAtTheEdge(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	api, page := env.APIClient(t, fp), env.SignedIn(t, fp)
	plan, period := seed.DemoPlanCode, currentPeriod()
	apiValue := fmt.Sprintf("/api/v1/plans/%s/indicators/2.1.1.a/values/%s", plan, period)
	pageValue := fmt.Sprintf("/plans/%s/indicators/2.1.1.a/values/%s", plan, period)
	form := page.Get(pageValue)
	mustStatus(t, form, http.StatusOK)
	version := strings.Split(strings.Split(form.Body, `name="version" value="`)[1], `"`)[0]

	var values, audits int64
	count := func() (int64, int64) {
		var v, a int64
		env.App.DB.Model(&domain.IndicatorValue{}).Count(&v)
		env.App.DB.Model(&domain.AuditEntry{}).Where("entity_type <> ?", "security").Count(&a)
		return v, a
	}
	values, audits = count()

	cases := []struct {
		name   string
		send   func() *apptest.Response
		status int
		field  string
	}{
		{"JSON narrative with \\u0000", func() *apptest.Response {
			return api.JSON(http.MethodPut, apiValue, `{"value": 3, "narrative": "before\u0000after", "version": 0}`)
		}, 422, "narrative"},
		{"JSON narrative with the byte 0xff", func() *apptest.Response {
			return api.JSON(http.MethodPut, apiValue, "{\"value\": 3, \"narrative\": \"caf\xff\", \"version\": 0}")
		}, 422, "narrative"},
		{"JSON breakdown key with \\u0000", func() *apptest.Response {
			return api.JSON(http.MethodPut, apiValue, `{"value": 3, "disaggregation": {"sex=female;age=child\u0000": 3}, "version": 0}`)
		}, 422, "disaggregation"},
		{"JSON comment of a return with 0xc3 alone", func() *apptest.Response {
			return api.JSON(http.MethodPost, apiValue+"/return", "{\"version\": 1, \"comment\": \"\xc3\"}")
		}, 422, "comment"},
		{"form narrative with NUL", func() *apptest.Response {
			return page.Post(pageValue, url.Values{"version": {version}, "value": {"3"}, "narrative": {"a\x00b"}, "action": {"save"}})
		}, 422, "narrative"},
		{"comment form with 0xff", func() *apptest.Response {
			return page.Post(pageValue+"/comments", url.Values{"comment": {"bad \xff byte"}})
		}, 422, "comment"},
		{"?period=%00", func() *apptest.Response {
			return api.Get("/api/v1/plans/" + plan + "/values?period=%00")
		}, 400, "period"},
		{"?period=%ff", func() *apptest.Response {
			return api.Get("/api/v1/plans/" + plan + "/values?period=" + period + "%ff")
		}, 400, "period"},
		{"%00 in a path segment", func() *apptest.Response {
			return api.Get("/api/v1/plans/" + plan + "%00/periods")
		}, 400, "path"},
		{"%ff in a path segment of a page", func() *apptest.Response {
			return page.Get("/plans/" + plan + "%ff")
		}, 400, "path"},
	}
	for _, tc := range cases {
		r := tc.send()
		if r.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d\n%.300s", tc.name, r.StatusCode, tc.status, r.Body)
			continue
		}
		if strings.HasPrefix(r.Request.URL.Path, "/api/") {
			var body struct {
				Error struct{ Fields map[string]string }
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil || !strings.Contains(body.Error.Fields[tc.field], "cannot be stored") {
				t.Errorf("%s: the answer does not name the field %q: %.300s", tc.name, tc.field, r.Body)
			}
		} else if !strings.Contains(r.Body, tc.field+": ") || !strings.Contains(r.Body, "cannot be stored") {
			t.Errorf("%s: the page does not name the field %q:\n%.3000s", tc.name, tc.field, r.Body)
		}
	}
	if v, a := count(); v != values || a != audits {
		t.Errorf("refused input was written: %d values and %d audit rows before, %d and %d after", values, audits, v, a)
	}
	var narratives []string
	env.App.DB.Model(&domain.IndicatorValue{}).Pluck("narrative", &narratives)
	for _, n := range narratives {
		if strings.ContainsRune(n, 0) {
			t.Errorf("a value holds a NUL character: %q", n)
		}
	}

	// The same requests with clean text pass.
	mustStatus(t, api.JSON(http.MethodPut, apiValue, `{"value": 3, "narrative": "before after, café, ສະບາຍດີ", "version": 0}`), http.StatusOK)
	mustStatus(t, api.Get("/api/v1/plans/"+plan+"/values?period="+period), http.StatusOK)
}
