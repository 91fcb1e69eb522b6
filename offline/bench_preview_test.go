package offline_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/offline"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// BenchmarkPreview is the import preview as the upload page runs it, on a
// real database: read the uploaded template (offline.Parse) and judge every
// row against what is stored now (offline.MakePreview, which loads the
// organisation's grid), for a focal point of an organisation that owes n
// values — the demo's MOLSW with copies of one of its indicators added to
// reach n — with a new value typed in every row.
func BenchmarkPreview(b *testing.B) {
	for _, n := range []int{60, 5000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			ctx, now := context.Background(), time.Now().UTC()
			db := storetest.Demo(b, now)
			org, err := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
			if err != nil {
				b.Fatal(err)
			}
			var model domain.Indicator
			if err := db.Where("reporting_org_id = ? AND unit_type = ? AND disaggregation_set_id IS NULL AND archived_at IS NULL", org.ID, domain.UnitNumber).
				Order("code").First(&model).Error; err != nil {
				b.Fatal(err)
			}
			var owed int64
			db.Model(&domain.Indicator{}).Where("reporting_org_id = ? AND archived_at IS NULL", org.ID).Count(&owed)
			var extra []domain.Indicator
			for i := int(owed); i < n; i++ {
				c := model
				c.ID, c.Code, c.Name = 0, fmt.Sprintf("%s.z%04d", model.Code, i), fmt.Sprintf("%s (copy %d)", model.Name, i)
				extra = append(extra, c)
			}
			if len(extra) > 0 {
				if err := db.CreateInBatches(extra, 500).Error; err != nil {
					b.Fatal(err)
				}
			}
			u := &domain.User{Email: "fp.bench@test.example", Name: "Bench", Role: domain.RoleFocalPoint, OrganisationID: &org.ID}
			if err := storetest.CreateUser(ctx, db, domain.SystemActor, u, "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
			scope := domain.ScopeOf(u)
			g, err := reporting.LoadValueGrid(ctx, db, scope, seed.DemoPlanCode, "MOLSW", currentPeriod(), now)
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			if err := offline.WriteTemplate(&buf, g, offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys, UserID: u.ID, Now: now}); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := offline.Parse(data, fuzzKeys, offline.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				for k := range f.Items {
					x := float64(k + 7)
					f.Items[k].Input.Value = &x
				}
				p, err := offline.MakePreview(ctx, db, scope, f, now)
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
