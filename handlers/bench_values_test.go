package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/seed"
)

// BenchmarkValuesAPI measures GET /api/v1/plans/{plan}/values?period=P for
// a donor on a synthetic plan of 1,000 activities × 5 indicators × 5 years:
// one period's 5,000 approved values, with their breakdowns, through the
// disclosure rules.
func BenchmarkValuesAPI(b *testing.B) {
	env := apptest.New(b)
	ctx := context.Background()
	if _, err := seed.Synthetic(ctx, env.App.DB, seed.SyntheticOptions{Activities: 1000, IndicatorsPerActivity: 5, Years: 5, Code: "BIG"}, env.Clock.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	plan, err := planning.FindPlan(ctx, env.App.DB, "BIG")
	if err != nil {
		b.Fatal(err)
	}
	var period domain.ReportingPeriod
	if err := env.App.DB.Where("plan_id = ?", plan.ID).Order("start_date").Offset(2).Take(&period).Error; err != nil {
		b.Fatal(err)
	}
	c := env.APIClient(b, env.User(b, domain.RoleDonor, "APJP"))
	path := "/api/v1/plans/BIG/values?period=" + period.Label
	if r := c.Get(path); r.StatusCode != http.StatusOK || len(r.Body) < 100000 {
		b.Fatalf("GET %s: %d, %d bytes", path, r.StatusCode, len(r.Body))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if r := c.Get(path); r.StatusCode != http.StatusOK {
			b.Fatalf("GET: %d", r.StatusCode)
		}
	}
}
