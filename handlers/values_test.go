package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// currentPeriod is the demo plan's open quarter.
func currentPeriod() string {
	now := time.Now().UTC()
	return domain.PeriodLabel(domain.Quarterly, domain.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1))
}

type apiError struct {
	Error struct {
		Code, Message string
		ChangedBy     string `json:"changed_by"`
		Fields        map[string]string
		Current       *int `json:"current_version"`
	}
}

func TestValueAPIObjectLevelAccess(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	molsw := env.APIClient(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	mops := env.APIClient(t, env.User(t, domain.RoleFocalPoint, "MOPS"))
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	sec := env.APIClient(t, env.User(t, domain.RoleSecretariat, ""))
	period := currentPeriod()
	path := fmt.Sprintf("/api/v1/plans/%s/indicators/2.1.1.b/values/%s", seed.DemoPlanCode, period)

	var current struct {
		Values []struct {
			Indicator string
			Version   int
		}
	}
	current = decode[struct {
		Values []struct {
			Indicator string
			Version   int
		}
	}](t, molsw.Get("/api/v1/plans/"+seed.DemoPlanCode+"/values?period="+period))
	version := 0
	for _, v := range current.Values {
		if v.Indicator == "2.1.1.b" {
			version = v.Version
		}
	}

	// Another ministry's focal point, and a donor, cannot change MOLSW's value.
	r := mops.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": 99, "narrative": "x", "version": %d}`, version))
	mustStatus(t, r, http.StatusForbidden)
	mustStatus(t, donor.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": 99, "version": %d}`, version)), http.StatusForbidden)
	apiAct(t, mops, path, "submit", version, http.StatusForbidden)

	// MOLSW can, once: the second write on the same version is a conflict naming the author.
	r = molsw.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": 14, "narrative": "Two trainings", "version": %d}`, version))
	mustStatus(t, r, http.StatusOK)
	saved := decode[struct {
		Version int
		Status  string
		Value   float64
	}](t, r)
	if saved.Value != 14 || saved.Status != "draft" {
		t.Fatalf("saved %+v", saved)
	}
	r = sec.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": 15, "version": %d}`, version))
	mustStatus(t, r, http.StatusConflict)
	if e := decode[apiError](t, r); e.Error.Current == nil || *e.Error.Current != saved.Version || !strings.Contains(e.Error.ChangedBy, "@test.example") {
		t.Errorf("409 body does not say who changed it: %s", r.Body)
	}

	// Bad input is a 422 with the field named.
	r = molsw.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": -1, "version": %d}`, saved.Version))
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if e := decode[apiError](t, r); e.Error.Fields["value"] == "" {
		t.Errorf("422 without a field message: %s", r.Body)
	}
	mustStatus(t, molsw.JSON(http.MethodPut, path, `{"value": 1}`), http.StatusUnprocessableEntity)
	mustStatus(t, molsw.JSON(http.MethodPut, path, `{"value": 1, "version": 1, "extra": true}`), http.StatusUnprocessableEntity)

	// Submit, then the focal point cannot approve; the secretariat does, and the value locks.
	r = apiAct(t, molsw, path, "submit", saved.Version, http.StatusOK)
	sub := decode[struct{ Version int }](t, r)
	apiAct(t, molsw, path, "approve", sub.Version, http.StatusForbidden)
	r = apiAct(t, sec, path, "approve", sub.Version, http.StatusOK)
	appr := decode[struct {
		Version int
		Status  string
	}](t, r)
	mustStatus(t, molsw.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": 20, "version": %d}`, appr.Version)), http.StatusLocked)

	// A closed period answers 423.
	closed := fmt.Sprintf("/api/v1/plans/%s/indicators/2.1.1.b/values/%d-Q1", seed.DemoPlanCode, time.Now().Year()-2)
	mustStatus(t, molsw.JSON(http.MethodPut, closed, `{"value": 1, "version": 1}`), http.StatusLocked)

	// Donors see approved values only.
	vals := decode[struct{ Values []struct{ Status string } }](t, donor.Get("/api/v1/plans/"+seed.DemoPlanCode+"/values?period="+period))
	for _, v := range vals.Values {
		if v.Status != domain.StatusApproved {
			t.Fatalf("a donor sees a %s value", v.Status)
		}
	}
	denied := auditCount(env, "access.denied")
	if denied < 3 {
		t.Errorf("%d denied accesses logged, want at least 3", denied)
	}
}

func TestValueFormByPage(t *testing.T) {
	t.Parallel()
	env, _, fp := newSignedIn(t, domain.RoleFocalPoint, "MOLSW")
	other := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOPS"))
	path := fmt.Sprintf("/plans/%s/indicators/2.1.1.a/values/%s", seed.DemoPlanCode, currentPeriod())

	plan := fp.Get("/plans/" + seed.DemoPlanCode)
	if !strings.Contains(plan.Body, `href="`+path+`"`) {
		t.Error("the plan page does not link a MOLSW focal point to their indicator's form")
	}
	if strings.Contains(plan.Body, "/indicators/3.1.2.a/values/") {
		t.Error("the plan page offers a MOLSW focal point a MOPS indicator's form")
	}
	mustStatus(t, other.Get(path), http.StatusForbidden)
	mustStatus(t, other.Post(path, url.Values{"value": {"1"}, "version": {"0"}}), http.StatusForbidden)

	form := fp.Get(path)
	mustStatus(t, form, http.StatusOK)
	if !strings.Contains(form.Body, `name="cell.sex=female;age=child"`) {
		t.Fatal("the form has no breakdown grid")
	}
	version := strings.Split(strings.Split(form.Body, `name="version" value="`)[1], `"`)[0]
	fields := url.Values{"version": {version}, "value": {"20"}, "narrative": {"Referrals from 3 provinces"}, "action": {"save"},
		"cell.sex=female;age=child": {"5"}, "cell.sex=female;age=adult": {"7"}, "cell.sex=male;age=child": {"2"}, "cell.sex=male;age=adult": {"1"}}
	r := fp.Post(path, fields)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "The breakdown adds up to 15, not to the total 20.") || !strings.Contains(r.Body, `value="Referrals from 3 provinces"`) && !strings.Contains(r.Body, "Referrals from 3 provinces") {
		t.Errorf("the 422 page does not explain the breakdown or lost the input:\n%.2000s", r.Body)
	}
	fields.Set("cell.sex=male;age=adult", "6")
	r = fp.Post(path, fields)
	mustStatus(t, r, http.StatusSeeOther)
	// The same form posted again (a retry on a flaky connection) is not applied twice.
	mustStatus(t, fp.Post(path, fields), http.StatusSeeOther)
	n := auditCount(env, "value.save")
	if n != 1 {
		t.Errorf("%d saves recorded for one form posted twice", n)
	}
	// A different edit on the old version gets 409 with both versions shown.
	fields.Set("narrative", "Another text")
	r = fp.Post(path, fields)
	mustStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, "Someone else changed this value") && !strings.Contains(r.Body, "changed this value") {
		t.Errorf("409 page does not explain the conflict")
	}
}

// apiAct posts a workflow action (submit, approve…) on the version of the
// value or update at path through the API and checks the answer's status.
func apiAct(t *testing.T, c *apptest.Client, path, action string, version, want int) *apptest.Response {
	t.Helper()
	r := c.JSON(http.MethodPost, path+"/"+action, fmt.Sprintf(`{"version": %d}`, version))
	mustStatus(t, r, want)
	return r
}
