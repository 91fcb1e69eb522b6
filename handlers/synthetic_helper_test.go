package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/seed"

	"gorm.io/gorm"
)

// newWithSyntheticPlan starts the application on a fresh database holding
// the demo plan and a synthetic plan loaded with opts for the day yearsAhead
// years from now, and returns the synthetic plan's summary. The database is a
// copy of a template the test process loads once for each opts and yearsAhead.
func newWithSyntheticPlan(t testing.TB, opts seed.SyntheticOptions, yearsAhead int) (*apptest.Env, *seed.Summary) {
	t.Helper()
	name := fmt.Sprintf("synthetic-%s-%dx%dx%d%+dy", opts.Code, opts.Activities, opts.IndicatorsPerActivity, opts.Years, yearsAhead)
	return apptest.NewWith(t, name, func(ctx context.Context, db *gorm.DB) (*seed.Summary, error) {
		return seed.Synthetic(ctx, db, opts, time.Now().UTC().AddDate(yearsAhead, 0, 0))
	})
}

// largePlan is the synthetic plan the query-count tests share (one template
// per test process): 500 activities × 2 indicators × 2 years, loaded "a year
// from now" so that its last year is this one, with an open period.
var largePlan = seed.SyntheticOptions{Activities: 500, IndicatorsPerActivity: 2, Years: 2, Code: "BIG"}

// newWithLargePlan starts the application on a copy of the demo plan and
// largePlan, and returns largePlan's summary.
func newWithLargePlan(t testing.TB) (*apptest.Env, *seed.Summary) {
	t.Helper()
	return newWithSyntheticPlan(t, largePlan, 1)
}
