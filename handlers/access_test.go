package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/seed"
)

// Who may use each route, written independently of routes.go: the test
// below walks the real route table and fails for a route missing here, for
// a rule that differs, and for any answer that does not match the rule.
var (
	all         = domain.Roles
	managers    = []string{domain.RoleAdmin, domain.RoleSecretariat}
	adminOnly   = []string{domain.RoleAdmin}
	optional2FA = []string{domain.RoleFocalPoint, domain.RoleDonor, domain.RoleFacilitator}
	public      []string // nil: no sign-in needed
)

var reporters = []string{domain.RoleAdmin, domain.RoleSecretariat, domain.RoleFocalPoint}

var expectedAccess = map[string][]string{
	// the plan workbook
	"GET /plans/:plan/plan.xlsx":        managers,
	"GET /api/v1/plans/:plan/plan.xlsx": managers,
	"GET /plans/import":                 managers,
	"POST /plans/import":                managers,
	"POST /plans/import/confirm":        managers,
	"POST /api/v1/plans/import":         managers,
	// end the plan workbook
	"GET /plans/:plan/queue.csv":   managers,
	"GET /plans/:plan/figures.csv": all,

	// evidence files
	"POST /plans/:plan/indicators/:code/values/:period/evidence":             reporters,
	"GET /plans/:plan/indicators/:code/values/:period/evidence/:id":          all,
	"POST /plans/:plan/indicators/:code/values/:period/evidence/:id/delete":  reporters,
	"POST /plans/:plan/activities/:code/updates/:period/evidence":            reporters,
	"GET /plans/:plan/activities/:code/updates/:period/evidence/:id":         all,
	"POST /plans/:plan/activities/:code/updates/:period/evidence/:id/delete": reporters,
	"GET /api/v1/plans/:plan/indicators/:code/values/:period/evidence":       all,
	"POST /api/v1/plans/:plan/indicators/:code/values/:period/evidence":      reporters,
	"GET /api/v1/plans/:plan/indicators/:code/values/:period/evidence/:id":   all,
	"GET /api/v1/plans/:plan/activities/:code/updates/:period/evidence":      all,
	"POST /api/v1/plans/:plan/activities/:code/updates/:period/evidence":     reporters,
	"GET /api/v1/plans/:plan/activities/:code/updates/:period/evidence/:id":  all,
	// end evidence files
	"GET /plans/:plan/disaggregations":                          managers,
	"POST /plans/:plan/disaggregations":                         managers,
	"POST /plans/:plan/indicators/:code/values/:period/reopen":  managers,
	"GET /plans/:plan/organisations/:org/updates":               reporters,
	"POST /plans/:plan/organisations/:org/updates":              reporters,
	"POST /plans/:plan/activities/:code/updates/:period/reopen": managers,

	"GET /healthz":                   public,
	"GET /readyz":                    public,
	"GET /login":                     public,
	"POST /login":                    public,
	"POST /logout":                   all,
	"GET /":                          all,
	"GET /plans/:plan":               all,
	"GET /account":                   all,
	"POST /account/sessions/:id/end": all,

	"GET /login/2fa":                   all,
	"POST /login/2fa":                  all,
	"GET /account/2fa":                 all,
	"POST /account/2fa":                all,
	"POST /account/2fa/disable":        optional2FA,
	"POST /account/2fa/recovery-codes": all,

	"GET /users":                    managers,
	"GET /users/new":                managers,
	"POST /users":                   managers,
	"GET /users/:id":                managers,
	"POST /users/:id":               managers,
	"POST /users/:id/disable":       managers,
	"POST /users/:id/enable":        managers,
	"POST /users/:id/password-link": managers,
	"POST /users/:id/sessions/end":  adminOnly,
	"POST /users/:id/mfa-reset":     adminOnly,
	"GET /set-password/:token":      public,
	"POST /set-password/:token":     public,
	"GET /account/password":         all,
	"POST /account/password":        all,

	// indicator and organisation pages
	"GET /plans/:plan/indicators/:code":   all,
	"GET /plans/:plan/organisations/:org": all,
	"GET /plans/:plan/activities/:code":   all,
	// end indicator and organisation pages

	// --- dashboard ---
	"GET /plans/:plan/dashboard": all,
	// --- end dashboard ---

	"GET /plans/:plan/indicators/:code/values/:period":                 reporters,
	"POST /plans/:plan/indicators/:code/values/:period":                reporters,
	"GET /api/v1/plans/:plan/values":                                   all,
	"GET /api/v1/plans/:plan/figures":                                  all,
	"PUT /api/v1/plans/:plan/indicators/:code/values/:period":          reporters,
	"POST /api/v1/plans/:plan/indicators/:code/values/:period/submit":  reporters,
	"POST /api/v1/plans/:plan/indicators/:code/values/:period/approve": managers,
	"POST /api/v1/plans/:plan/indicators/:code/values/:period/return":  managers,

	// grid and withdrawing (issue 12)
	"POST /plans/:plan/indicators/:code/values/:period/withdraw":              reporters,
	"GET /plans/:plan/organisations/:org/values/:period":                      reporters,
	"POST /plans/:plan/organisations/:org/values/:period":                     reporters,
	"GET /plans/:plan/organisations/:org/values/:period/template.xlsx":        reporters,
	"GET /api/v1/plans/:plan/organisations/:org/values/:period/template.xlsx": reporters,
	"GET /plans/:plan/import/values":                                          reporters,
	"POST /plans/:plan/import/values":                                         reporters,
	"POST /plans/:plan/import/values/confirm":                                 reporters,
	"POST /api/v1/plans/:plan/values/import":                                  reporters,
	"GET /plans/:plan/organisations/:org/updates/template.xlsx":               reporters,
	"GET /plans/:plan/organisations/:org/template.xlsx":                       reporters,
	"GET /api/v1/plans/:plan/organisations/:org/updates/template.xlsx":        reporters,
	"GET /plans/:plan/import/updates":                                         reporters,
	"POST /plans/:plan/import/updates":                                        reporters,
	"POST /plans/:plan/import/updates/confirm":                                reporters,
	"POST /api/v1/plans/:plan/updates/import":                                 reporters,
	"POST /api/v1/plans/:plan/indicators/:code/values/:period/withdraw":       reporters,
	"POST /api/v1/plans/:plan/activities/:code/updates/:period/withdraw":      reporters,

	// reporting: activity updates, my reporting, validation queue
	"POST /plans/:plan/indicators/:code/values/:period/comments":        reporters,
	"GET /plans/:plan/queue":                                            managers,
	"POST /plans/:plan/queue":                                           managers,
	"GET /plans/:plan/reporting":                                        reporters,
	"GET /plans/:plan/activities/:code/updates/:period":                 reporters,
	"POST /plans/:plan/activities/:code/updates/:period":                reporters,
	"PUT /api/v1/plans/:plan/activities/:code/updates/:period":          reporters,
	"POST /api/v1/plans/:plan/activities/:code/updates/:period/submit":  reporters,
	"POST /api/v1/plans/:plan/activities/:code/updates/:period/approve": managers,
	"POST /api/v1/plans/:plan/activities/:code/updates/:period/return":  managers,
	"POST /api/v1/plans/:plan/activities/:code/updates/:period/reopen":  managers,
	"POST /api/v1/plans/:plan/indicators/:code/values/:period/reopen":   managers,

	"GET /account/tokens":             all,
	"POST /account/tokens":            all,
	"POST /account/tokens/:id/revoke": all,
	"GET /api/v1/openapi.json":        public,
	"GET /api/v1/me":                  all,
	"GET /api/v1/plans":               all,
	"GET /api/v1/plans/:plan":         all,
	"GET /api/v1/plans/:plan/periods": all,

	// plan editing
	"GET /plans/new":                                          managers,
	"POST /plans":                                             managers,
	"GET /plans/:plan/edit":                                   managers,
	"GET /plans/:plan/settings":                               managers,
	"POST /plans/:plan/settings":                              managers,
	"GET /plans/:plan/pillars/new":                            managers,
	"POST /plans/:plan/pillars":                               managers,
	"GET /plans/:plan/pillars/:code/edit":                     managers,
	"POST /plans/:plan/pillars/:code":                         managers,
	"GET /plans/:plan/pillars/:code/objectives/new":           managers,
	"POST /plans/:plan/pillars/:code/objectives":              managers,
	"GET /plans/:plan/objectives/:code/edit":                  managers,
	"POST /plans/:plan/objectives/:code":                      managers,
	"GET /plans/:plan/objectives/:code/activities/new":        managers,
	"POST /plans/:plan/objectives/:code/activities":           managers,
	"GET /plans/:plan/objectives/:code/indicators/new":        managers,
	"POST /plans/:plan/objectives/:code/indicators":           managers,
	"GET /plans/:plan/activities/:code/edit":                  managers,
	"POST /plans/:plan/activities/:code":                      managers,
	"GET /plans/:plan/activities/:code/indicators/new":        managers,
	"POST /plans/:plan/activities/:code/indicators":           managers,
	"POST /plans/:plan/activities/:code/funding":              managers,
	"POST /plans/:plan/activities/:code/funding/:id":          managers,
	"POST /plans/:plan/activities/:code/funding/:id/delete":   managers,
	"GET /plans/:plan/indicators/:code/edit":                  managers,
	"POST /plans/:plan/indicators/:code":                      managers,
	"POST /plans/:plan/pillars/:code/delete":                  managers,
	"POST /plans/:plan/pillars/:code/archive":                 managers,
	"POST /plans/:plan/pillars/:code/unarchive":               managers,
	"POST /plans/:plan/objectives/:code/delete":               managers,
	"POST /plans/:plan/objectives/:code/archive":              managers,
	"POST /plans/:plan/objectives/:code/unarchive":            managers,
	"POST /plans/:plan/activities/:code/delete":               managers,
	"POST /plans/:plan/activities/:code/archive":              managers,
	"POST /plans/:plan/activities/:code/unarchive":            managers,
	"POST /plans/:plan/indicators/:code/delete":               managers,
	"POST /plans/:plan/indicators/:code/archive":              managers,
	"POST /plans/:plan/indicators/:code/unarchive":            managers,
	"GET /plans/:plan/periods":                                managers,
	"GET /plans/:plan/periods/:period":                        managers,
	"POST /plans/:plan/periods/:period":                       managers,
	"POST /plans/:plan/periods/:period/lock":                  managers,
	"POST /plans/:plan/periods/:period/exceptions":            managers,
	"POST /plans/:plan/periods/:period/exceptions/:id/delete": managers,
	"GET /organisations":                                      managers,
	"GET /organisations/new":                                  managers,
	"POST /organisations":                                     managers,
	"GET /organisations/:id":                                  managers,
	"POST /organisations/:id":                                 managers,
	"POST /organisations/:id/delete":                          managers,
	"POST /organisations/:id/archive":                         managers,
	"POST /organisations/:id/unarchive":                       managers,

	// languages
	"POST /language":         public,
	"POST /account/language": all,

	// workshop presentation, review snapshots, decisions
	"GET /plans/:plan/present":               all,
	"GET /plans/:plan/snapshots":             all,
	"POST /plans/:plan/snapshots":            managers,
	"GET /plans/:plan/snapshots/:id/present": all,
	"POST /plans/:plan/decisions":            {domain.RoleAdmin, domain.RoleSecretariat, domain.RoleFacilitator},
	"POST /plans/:plan/decisions/:id/done":   {domain.RoleAdmin, domain.RoleSecretariat, domain.RoleFacilitator},
	"GET /plans/:plan/decisions.csv":         all,

	// workshop report
	"GET /api/v1/plans/:plan/reports/workshop.xlsx": all,
	"GET /plans/:plan/report.xlsx":                  all,
	"GET /plans/:plan/iati.xml":                     all,
	"GET /api/v1/plans/:plan/iati.xml":              all,

	// completeness, reminders, audit log
	"GET /plans/:plan/completeness":        managers,
	"GET /plans/:plan/completeness/:org":   managers,
	"GET /plans/:plan/completeness.csv":    managers,
	"GET /api/v1/plans/:plan/completeness": managers,
	"GET /reminders":                       managers,
	"GET /audit":                           managers,
	"GET /audit.csv":                       managers,
}

// samplePath fills a route's parameters with values that exist where it matters.
func samplePath(path string) string {
	r := strings.NewReplacer(":plan", seed.DemoPlanCode, ":id", "999999", ":token", "not-a-token", ":code", "2.1.1.b", ":period", "2024-Q1")
	return r.Replace(path)
}

// TestRouteAccessMatrix checks every route of the real table for every role
// and for anonymous callers: anonymous callers are sent to sign in (401 on
// the API), roles outside the rule get 403, and roles inside it get through
// the guard (any answer but 401, 403 or a sign-in redirect).
func TestRouteAccessMatrix(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	routes := env.App.Handler.Routes()
	users := map[string]*domain.User{
		domain.RoleAdmin:       env.User(t, domain.RoleAdmin, ""),
		domain.RoleSecretariat: env.User(t, domain.RoleSecretariat, ""),
		domain.RoleFocalPoint:  env.User(t, domain.RoleFocalPoint, "MOLSW"),
		domain.RoleDonor:       env.User(t, domain.RoleDonor, "APJP"),
		domain.RoleFacilitator: env.User(t, domain.RoleFacilitator, ""),
	}
	seen := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		seen[key] = true
		want, ok := expectedAccess[key]
		if !ok {
			t.Errorf("%s has no expected access rule in this test: add one", key)
			continue
		}
		if (want == nil) != r.Public {
			t.Errorf("%s: public = %v in routes.go, want %v", key, r.Public, want == nil)
			continue
		}
		if !r.Public && !sameRoles(r.Roles, want) {
			t.Errorf("%s: roles %v in routes.go, want %v", key, r.Roles, want)
			continue
		}
		path := samplePath(r.Path)
		api := strings.HasPrefix(r.Path, "/api/")
		call := func(c *apptest.Client) *apptest.Response {
			if api {
				return c.Do(r.Method, path, nil, "")
			}
			if r.Method == http.MethodGet {
				return c.Get(path)
			}
			return c.Post(path, nil)
		}

		anon := call(env.Client(t))
		switch {
		case r.Public:
			// 403 is allowed for a public POST: it is the CSRF check of a form posted without its token.
			if anon.StatusCode == http.StatusUnauthorized || (anon.StatusCode == http.StatusForbidden && r.Method == http.MethodGet) || sentToSignIn(anon) {
				t.Errorf("%s: anonymous got %d on a public route", key, anon.StatusCode)
			}
		case api || r.Method != http.MethodGet:
			if anon.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: anonymous got %d, want 401", key, anon.StatusCode)
			}
		default:
			if !sentToSignIn(anon) {
				t.Errorf("%s: anonymous got %d, want a redirect to sign in", key, anon.StatusCode)
			}
		}
		if r.Public {
			continue
		}
		for _, role := range domain.Roles {
			var c *apptest.Client
			if api {
				c = env.APIClient(t, users[role])
			} else {
				c = env.SignedIn(t, users[role])
			}
			resp := call(c)
			allowed := slices.Contains(want, role)
			denied := resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized || sentToSignIn(resp)
			if allowed && denied {
				t.Errorf("%s as %s: %d, want access", key, role, resp.StatusCode)
			}
			if !allowed && resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", key, role, resp.StatusCode)
			}
		}
	}
	for key := range expectedAccess {
		if !seen[key] {
			t.Errorf("expected rule for %s, but the route table has no such route", key)
		}
	}
	denied := auditCount(env, "access.denied")
	if denied == 0 {
		t.Error("denied requests are not in the security log")
	}
	t.Logf("checked %d routes × %d roles and anonymous; %d denials logged", len(routes), len(domain.Roles), denied)
}

func sameRoles(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return fmt.Sprint(x) == fmt.Sprint(y)
}

// sentToSignIn reports whether the guard turned a request away for want of
// a session: a redirect to the sign-in form carrying the page to come back to.
func sentToSignIn(r *apptest.Response) bool {
	return r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login?next=")
}

// TestPageWordsAreReservedPlanCodes: every fixed word that follows /plans/
// (or /api/v1/plans/) in the route table is a code no plan may take, so
// that no page shadows a plan.
func TestPageWordsAreReservedPlanCodes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	seen := 0
	for _, r := range env.App.Handler.Routes() {
		rest, ok := strings.CutPrefix(strings.TrimPrefix(r.Path, "/api/v1"), "/plans/")
		if !ok {
			continue
		}
		word, _, _ := strings.Cut(rest, "/")
		if strings.HasPrefix(word, ":") {
			continue
		}
		seen++
		if !planedit.IsReservedPlanCode(word) {
			t.Errorf("%s %s: a plan coded %q would be shadowed; add it to planedit.ReservedPlanCodes", r.Method, r.Path, word)
		}
	}
	if seen == 0 {
		t.Fatal("no route with a fixed word under /plans/")
	}
}
