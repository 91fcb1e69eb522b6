package review_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/review"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// BenchmarkCreateSnapshotLargePlan takes snapshots of a synthetic plan of
// about 100,000 values (1,000 activities × 5 indicators × 5 years of
// quarters): the slides, the JSON and the INSERT … SELECT copies.
func BenchmarkCreateSnapshotLargePlan(b *testing.B) {
	db := storetest.New(b)
	ctx := context.Background()
	now := time.Now().UTC()
	if _, err := seed.Synthetic(ctx, db, seed.SyntheticOptions{Activities: 1000, IndicatorsPerActivity: 5, Years: 5, Code: "BIG"}, now); err != nil {
		b.Fatal(err)
	}
	var values int64
	db.Model(&domain.IndicatorValue{}).Count(&values)
	b.Logf("plan with %d values", values)
	scope := domain.Scope{Role: domain.RoleSecretariat}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := review.CreateSnapshot(ctx, db, domain.Caller{Actor: domain.SystemActor, Scope: scope, Now: now}, "BIG", review.SnapshotInput{Name: fmt.Sprintf("Review %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			var copied int64
			db.Model(&review.SnapshotValue{}).Where("snapshot_id = ?", s.ID).Count(&copied)
			b.ReportMetric(float64(copied), "values/snapshot")
		}
	}
}
