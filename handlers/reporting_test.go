package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"
)

func TestMyReportingPage(t *testing.T) {
	t.Parallel()
	env, _, fp := newSignedIn(t, domain.RoleFocalPoint, "MOLSW")
	r := fp.Get("/plans/" + seed.DemoPlanCode + "/reporting")
	mustStatus(t, r, http.StatusOK)
	period := currentPeriod()
	for _, want := range []string{
		`id="h-` + period + `"`,
		"/indicators/2.1.1.a/values/" + period, // an indicator MOLSW reports
		"/activities/2.3.3/updates/" + period,  // an activity MOLSW leads
		"/activities/3.1.2/updates/" + period,  // an activity MOLSW supports (MOPS leads)
		"Contribution note",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("My reporting lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "/indicators/3.1.2.a/values/") {
		t.Error("My reporting lists an indicator another ministry reports")
	}
	// Within each period, returned and missing items come before drafts, submitted and approved ones.
	for _, section := range strings.Split(r.Body, `<section class="period"`)[1:] {
		rank := map[string]int{"returned": 0, "missing": 1, "draft": 2, "submitted": 3, "approved": 4}
		last := -1
		for _, row := range strings.Split(section, `<tr class="item-`)[1:] {
			status := row[:strings.Index(row, `"`)]
			if rank[status] < last {
				t.Fatalf("item %s listed after a less urgent one", status)
			}
			last = rank[status]
		}
	}

	// The secretariat can look at any organisation's page; a donor cannot.
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	if r := sec.Get("/plans/" + seed.DemoPlanCode + "/reporting?org=MOPS"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "/indicators/3.1.2.a/values/") {
		t.Errorf("secretariat view of MOPS: %d", r.StatusCode)
	}
	mustStatus(t, env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get("/plans/"+seed.DemoPlanCode+"/reporting"), http.StatusForbidden)
}

func TestMyReportingQueriesDoNotGrow(t *testing.T) {
	t.Parallel()
	env, _ := newWithLargePlan(t)
	fp := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	counter := storetest.CountQueries(env.App.DB)
	count := func(plan string) int64 {
		fp.Get("/plans/" + plan + "/reporting")
		counter.Reset()
		r := fp.Get("/plans/" + plan + "/reporting")
		mustStatus(t, r, http.StatusOK)
		// Both plans must have an open period with items, or the count would
		// only measure the early return of an empty page.
		if !strings.Contains(r.Body, "/plans/"+plan+"/indicators/") {
			t.Fatalf("My reporting of %s lists nothing to report", plan)
		}
		return counter.N()
	}
	demo, big := count(seed.DemoPlanCode), count("BIG")
	if demo != big || demo > 14 {
		t.Errorf("My reporting: %d queries on the demo plan, %d on a plan ten times larger", demo, big)
	}
}

func TestActivityUpdateByPageAndAPI(t *testing.T) {
	t.Parallel()
	env, molswUser, fp := newSignedIn(t, domain.RoleFocalPoint, "MOLSW")
	mops := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOPS"))
	period := currentPeriod()
	path := fmt.Sprintf("/plans/%s/activities/2.3.3/updates/%s", seed.DemoPlanCode, period)

	mustStatus(t, mops.Get(path), http.StatusForbidden)
	page := fp.Get(path)
	mustStatus(t, page, http.StatusOK)
	version := strings.Split(strings.Split(page.Body, `name="version" value="`)[1], `"`)[0]
	form := url.Values{"form": {"update"}, "version": {version}, "progress": {"on_track"}, "percent_complete": {"55"},
		"expenditure": {"12,500"}, "achievements": {"Hotline staff trained"}, "challenges": {"Late disbursement"}, "next_steps": {"Second training"}, "action": {"submit"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("percent_complete", "150")
	r := fp.Post(path, bad)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "between 0 and 100") || !strings.Contains(r.Body, "Hotline staff trained") {
		t.Error("the 422 page lacks the message or lost what was typed")
	}
	mustStatus(t, fp.Post(path, form), http.StatusSeeOther)
	after := fp.Get(path)
	if !strings.Contains(after.Body, "Submitted") || !strings.Contains(after.Body, "USD 12,500") {
		t.Errorf("after submitting, the page does not show the submitted update")
	}

	// A supporting ministry writes its contribution note on MOPS's activity.
	note := fmt.Sprintf("/plans/%s/activities/3.1.2/updates/%s", seed.DemoPlanCode, period)
	np := fp.Get(note)
	mustStatus(t, np, http.StatusOK)
	nv := strings.Split(strings.Split(np.Body, `name="form" value="note">`)[1], `value="`)[1]
	nv = nv[:strings.Index(nv, `"`)]
	mustStatus(t, fp.Post(note, url.Values{"form": {"note"}, "version": {nv}, "note": {"Social workers joined four joint operations"}}), http.StatusSeeOther)
	if !strings.Contains(mops.Get(note).Body, "Social workers joined four joint operations") {
		t.Error("the lead does not see the supporter's note")
	}

	// The secretariat approves by API, then reopens with a reason.
	sec := env.APIClient(t, env.User(t, domain.RoleSecretariat, ""))
	api := fmt.Sprintf("/api/v1/plans/%s/activities/2.3.3/updates/%s", seed.DemoPlanCode, period)
	var u domain.ActivityUpdate
	env.App.DB.Joins("JOIN activities a ON a.id = activity_updates.activity_id").Joins("JOIN reporting_periods p ON p.id = activity_updates.period_id").
		Where("a.code = ? AND p.label = ? AND a.plan_id = (SELECT id FROM plans WHERE code = ?)", "2.3.3", period, seed.DemoPlanCode).Take(&u)
	apiAct(t, env.APIClient(t, molswUser), api, "approve", u.Version, http.StatusForbidden)
	r = apiAct(t, sec, api, "approve", u.Version, http.StatusOK)
	approved := decode[struct {
		Version int
		Status  string
	}](t, r)
	apiAct(t, sec, api, "reopen", approved.Version, http.StatusUnprocessableEntity)
	r = sec.JSON(http.MethodPost, api+"/reopen", fmt.Sprintf(`{"version": %d, "comment": "Expenditure includes Q3"}`, approved.Version))
	mustStatus(t, r, http.StatusOK)
	type reopenedUpdate struct {
		Status        string
		ReturnComment string `json:"return_comment"`
	}
	if got := decode[reopenedUpdate](t, r); got.Status != "returned" || got.ReturnComment != "Expenditure includes Q3" {
		t.Errorf("after reopening: %+v", got)
	}
	var reopened int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND reason = ?", "update.reopen", "Expenditure includes Q3").Count(&reopened)
	if reopened != 1 {
		t.Errorf("reopening is not in the audit log with its reason")
	}
}
