package seed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"
)

func TestSyntheticSmall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := seed.SyntheticOptions{Activities: 20, IndicatorsPerActivity: 3, Years: 2}
	db := storetest.New(t)
	if _, err := seed.Demo(ctx, db, lateInYear()); err != nil {
		t.Fatal(err)
	}
	var orgsBefore, orgsAfter int64
	must(t, db.Model(&domain.Organisation{}).Count(&orgsBefore).Error)
	sum, err := seed.Synthetic(ctx, db, opts, lateInYear())
	if err != nil {
		t.Fatalf("Synthetic: %v", err)
	}
	must(t, db.Model(&domain.Organisation{}).Count(&orgsAfter).Error)
	if orgsAfter != orgsBefore {
		t.Errorf("synthetic plan added organisations: %d → %d", orgsBefore, orgsAfter)
	}
	want := seed.Summary{PlanID: sum.PlanID, Organisations: sum.Organisations, Pillars: 5, Objectives: 20, Activities: 20,
		Indicators: 60, Periods: 8, Values: 480, Updates: 160}
	if *sum != want {
		t.Errorf("summary %+v, want %+v", *sum, want)
	}
	d := load(t, db, sum.PlanID)
	if d.plan.Code != "SYN-20x3x2" || d.plan.StartYear != 2024 || d.plan.EndYear != 2025 || len(d.values) != 480 || len(d.updates) != 160 ||
		len(d.indicators) != 60 || len(d.activities) != 20 {
		t.Errorf("plan %s %d–%d: %d values, %d updates, %d indicators", d.plan.Code, d.plan.StartYear, d.plan.EndYear,
			len(d.values), len(d.updates), len(d.indicators))
	}
	indByID := map[int64]domain.Indicator{}
	for _, ind := range d.indicators {
		indByID[ind.ID] = ind
	}
	disaggregated := 0
	for _, v := range d.values {
		if v.Status != domain.StatusApproved || v.ApprovedAt == nil {
			t.Fatalf("synthetic value not approved: %+v", v)
		}
		ind := indByID[v.IndicatorID]
		if ind.DisaggregationSetID == nil {
			continue
		}
		disaggregated++
		total := 0.0
		for _, b := range v.Breakdown {
			total += b.Value
		}
		if len(v.Breakdown) != len(d.sets[*ind.DisaggregationSetID].Cells()) || total != *v.Value {
			t.Errorf("%s: breakdown %v for total %v", ind.Code, v.Breakdown, *v.Value)
		}
	}
	if disaggregated == 0 {
		t.Errorf("no disaggregated synthetic values")
	}
	for _, u := range d.updates {
		if u.Status != domain.StatusApproved {
			t.Fatalf("synthetic update not approved: %+v", u)
		}
	}

	other := storetest.New(t)
	sum2, err := seed.Synthetic(ctx, other, opts, lateInYear())
	if err != nil {
		t.Fatal(err)
	}
	h1, _ := digest(d, true, len(d.periods))
	h2, _ := digest(load(t, other, sum2.PlanID), true, len(d.periods))
	if h1 != h2 {
		t.Errorf("two synthetic loads differ")
	}
	if _, err := seed.Synthetic(ctx, db, opts, lateInYear()); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("second synthetic load: %v, want ErrConflict", err)
	}
	var verr *domain.ValidationError
	if _, err := seed.Synthetic(ctx, db, seed.SyntheticOptions{Years: 1}, lateInYear()); !errors.As(err, &verr) {
		t.Errorf("zero activities: %v, want a validation error", err)
	}
}

// BenchmarkSyntheticLarge loads 1000 activities × 5 indicators × 5 years
// (5,000 indicators, 100,000 values) into a fresh database.
func BenchmarkSyntheticLarge(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.New(b)
		b.StartTimer()
		start := time.Now()
		sum, err := seed.Synthetic(ctx, db, seed.SyntheticOptions{Activities: 1000, IndicatorsPerActivity: 5, Years: 5}, lateInYear())
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %+v in %s", db.Dialector.Name(), *sum, time.Since(start).Round(time.Millisecond))
	}
}
