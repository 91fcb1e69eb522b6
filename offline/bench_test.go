package offline_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/offline"

	"gorm.io/gorm"
)

// BenchmarkTemplate writes the template of a grid of n indicators (every
// third one with a two-cell breakdown).
func BenchmarkTemplate(b *testing.B) {
	for _, n := range []int{60, 5000} {
		g := syntheticGrid(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				err := offline.WriteTemplate(io.Discard, g, offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys, UserID: 5, Now: time.Now()})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse reads an uploaded template of n indicators with the
// hostile-file-safe reader: limits, signature, every input cell (the part
// of the import preview that grows with the file; the comparison with the
// stored values is models.LoadValueGrid's, benchmarked with the grid).
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{60, 5000} {
		var buf bytes.Buffer
		if err := offline.WriteTemplate(&buf, syntheticGrid(n), offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys, Now: time.Now()}); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				f, err := offline.Parse(data, fuzzKeys, offline.Limits{})
				if err != nil || len(f.Items) != n {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPreview is the import preview as the upload page runs it, on a
// real database: read the uploaded template (offline.Parse) and judge every
// row against what is stored now (offline.MakePreview, which loads the
// organisation's grid), for a focal point of an organisation that owes n
// values — the demo's MOLSW with copies of one of its indicators added to
// reach n — with a new value typed in every row.
func BenchmarkPreview(b *testing.B) {
	for _, n := range []int{60, 5000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			f, ctx, now := newFixture(b), context.Background(), time.Now().UTC()
			org := *f.user.OrganisationID
			var model domain.Indicator
			if err := f.db.Where("reporting_org_id = ? AND unit_type = ? AND disaggregation_set_id IS NULL AND archived_at IS NULL", org, domain.UnitNumber).
				Order("code").First(&model).Error; err != nil {
				b.Fatal(err)
			}
			var owed int64
			f.db.Model(&domain.Indicator{}).Where("reporting_org_id = ? AND archived_at IS NULL", org).Count(&owed)
			addCopies(b, f.db, model, int(owed), n, func(c *domain.Indicator, i int) {
				c.ID, c.Code, c.Name = 0, fmt.Sprintf("%s.z%04d", model.Code, i), fmt.Sprintf("%s (copy %d)", model.Name, i)
			})
			data := f.template(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				file, err := offline.Parse(data, f.keys, offline.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				for k := range file.Items {
					x := float64(k + 7)
					file.Items[k].Input.Value = &x
				}
				p, err := offline.MakePreview(ctx, f.db, f.scope, file, now)
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
			f, ctx, now := newFixture(b), context.Background(), time.Now().UTC()
			g := f.updateGrid(b, f.period, "")
			if len(g.Rows) == 0 {
				b.Fatal("no update owed")
			}
			model := g.Rows[0].Activity
			addCopies(b, f.db, model, len(g.Rows), n, func(c *domain.Activity, i int) {
				c.ID, c.Code, c.Title = 0, fmt.Sprintf("%s.z%04d", model.Code, i), fmt.Sprintf("%s (copy %d)", model.Title, i)
			})
			data := f.updatesTemplate(b, f.period, "")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				file, err := offline.ParseUpdates(data, f.keys, offline.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				for k := range file.Items {
					file.Items[k].Input.Progress, file.Items[k].Input.PercentComplete = domain.ProgressOnTrack, 1+k%99
				}
				p, err := offline.MakeUpdatesPreview(ctx, f.db, f.scope, file, now)
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

// addCopies adds copies of model, each renamed by rename, until there are
// n (from have), for the preview benchmarks.
func addCopies[T any](b *testing.B, db *gorm.DB, model T, have, n int, rename func(c *T, i int)) {
	var extra []T
	for i := have; i < n; i++ {
		c := model
		rename(&c, i)
		extra = append(extra, c)
	}
	if len(extra) > 0 {
		if err := db.CreateInBatches(extra, 500).Error; err != nil {
			b.Fatal(err)
		}
	}
}
