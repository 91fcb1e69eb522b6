package offline_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/offline"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// BenchmarkUpdatesTemplate writes the template of activity updates of a
// grid of n rows (n/2 activities over two quarters).
func BenchmarkUpdatesTemplate(b *testing.B) {
	for _, n := range []int{60, 5000} {
		g := syntheticUpdateGrid(n / 2)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				err := offline.WriteUpdatesTemplate(io.Discard, g, offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys, UserID: 5, Now: time.Now()})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpdatesPreview is the import preview of a template of activity
// updates as the upload page runs it, on a real database: read the file
// (offline.ParseUpdates) and judge every row against what is stored now
// (offline.MakeUpdatesPreview, which loads the update grid), for a focal
// point of an organisation that owes n updates in the current quarter —
// the demo's MOLSW with copies of one of its activities added to reach n —
// with a new update typed in every row.
func BenchmarkUpdatesPreview(b *testing.B) {
	for _, n := range []int{60, 5000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			ctx, now := context.Background(), time.Now().UTC()
			db := storetest.Demo(b, now)
			org, err := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
			if err != nil {
				b.Fatal(err)
			}
			u := &domain.User{Email: "fp.bench@test.example", Name: "Bench", Role: domain.RoleFocalPoint, OrganisationID: &org.ID}
			if err := account.CreateUser(ctx, db, domain.SystemActor, u, "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
			scope := domain.ScopeOf(u)
			g, err := reporting.LoadUpdateGrid(ctx, db, scope, seed.DemoPlanCode, "MOLSW", currentPeriod(), "", now)
			if err != nil || len(g.Rows) == 0 {
				b.Fatalf("%v, %d rows", err, len(g.Rows))
			}
			model := g.Rows[0].Activity
			var extra []domain.Activity
			for i := len(g.Rows); i < n; i++ {
				c := model
				c.ID, c.Code, c.Title = 0, fmt.Sprintf("%s.z%04d", model.Code, i), fmt.Sprintf("%s (copy %d)", model.Title, i)
				extra = append(extra, c)
			}
			if len(extra) > 0 {
				if err := db.CreateInBatches(extra, 500).Error; err != nil {
					b.Fatal(err)
				}
			}
			if g, err = reporting.LoadUpdateGrid(ctx, db, scope, seed.DemoPlanCode, "MOLSW", currentPeriod(), "", now); err != nil || len(g.Rows) < n {
				b.Fatalf("%v, %d rows owed, want %d", err, len(g.Rows), n)
			}
			var buf bytes.Buffer
			if err := offline.WriteUpdatesTemplate(&buf, g, offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys, UserID: u.ID, Now: now}); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := offline.ParseUpdates(data, fuzzKeys, offline.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				for k := range f.Items {
					f.Items[k].Input.Progress, f.Items[k].Input.PercentComplete = domain.ProgressOnTrack, 1+k%99
				}
				p, err := offline.MakeUpdatesPreview(ctx, db, scope, f, now)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Rows) < n || p.Count(offline.WillSave) == 0 {
					b.Fatalf("%d rows, %d to save; want at least %d rows", len(p.Rows), p.Count(offline.WillSave), n)
				}
			}
		})
	}
}
