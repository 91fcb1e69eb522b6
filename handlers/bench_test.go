package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/seed"
)

// BenchmarkValueUpdateAPI measures one save of an indicator value through
// the real HTTP server: token check, JSON, the transaction with its row lock,
// version check and audit row. The value alternates between two numbers, so
// that every iteration is a real write (not the no-op of an exact retry),
// each on the version the previous answer gave. Allocations count client and
// server, which share the process.
func BenchmarkValueUpdateAPI(b *testing.B) {
	env := apptest.New(b)
	api := env.APIClient(b, env.User(b, domain.RoleFocalPoint, "MOLSW"))
	plan, err := planning.FindPlan(b.Context(), env.App.DB, seed.DemoPlanCode)
	if err != nil {
		b.Fatal(err)
	}
	period := domain.CurrentPeriodLabel(*plan, env.Clock.Now().UTC())
	path := fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, sharedIndicator, period)
	version := 0
	for _, v := range decodeB[struct {
		Values []struct {
			Indicator string
			Version   int
		}
	}](b, api.Get("/api/v1/plans/"+seed.DemoPlanCode+"/values?period="+period)).Values {
		if v.Indicator == sharedIndicator {
			version = v.Version
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := api.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": %d, "narrative": "benchmark", "version": %d}`, 10+i%2, version))
		if r.StatusCode != http.StatusOK {
			b.Fatalf("PUT: %d %.300s", r.StatusCode, r.Body)
		}
		version = decodeB[struct{ Version int }](b, r).Version
	}
}

// BenchmarkPlanPage measures the plan page of the demo plan for a signed-in
// focal point, the page reporters open most.
func BenchmarkPlanPage(b *testing.B) {
	benchPage(b, domain.RoleFocalPoint, "MOLSW", "/plans/"+seed.DemoPlanCode, "plan page")
}

// BenchmarkIndicatorPage measures an indicator page of the demo plan for a
// facilitator (approved figures only), as the load test's indicator scenario.
func BenchmarkIndicatorPage(b *testing.B) {
	benchPage(b, domain.RoleFacilitator, "", "/plans/"+seed.DemoPlanCode+"/indicators/"+sharedIndicator, "indicator page")
}

// decodeB parses a JSON answer in a benchmark.
func decodeB[T any](b *testing.B, r *apptest.Response) T {
	b.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		b.Fatalf("%v in %.300s", err, r.Body)
	}
	return v
}

// BenchmarkMyReportingPage measures "My reporting" of the demo plan for a
// MOLSW focal point: the page a focal point opens first every period.
func BenchmarkMyReportingPage(b *testing.B) {
	benchPage(b, domain.RoleFocalPoint, "MOLSW", "/plans/"+seed.DemoPlanCode+"/reporting", "My reporting")
}

// benchPage measures one page of the demo plan for a signed-in user of role
// (and organisation org), read again and again.
func benchPage(b *testing.B, role, org, path, what string) {
	env := apptest.New(b)
	browser := env.SignedIn(b, env.User(b, role, org))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := browser.Get(path)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "</html>") {
			b.Fatalf("%s: %d %.300s", what, r.StatusCode, r.Body)
		}
	}
}
