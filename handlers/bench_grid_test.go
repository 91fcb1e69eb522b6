package handlers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
)

// gridOf60 makes MOLSW report 60 of the demo's indicators (every unit
// type, with and without breakdowns), each editable in the open quarter,
// and returns the grid's rows as the secretariat reads them.
func gridOf60(b *testing.B, env *apptest.Env) []reporting.GridRow {
	b.Helper()
	db, ctx := env.App.DB, context.Background()
	plan, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		b.Fatal(err)
	}
	var molsw domain.Organisation
	if err := db.Where("acronym = ?", "MOLSW").Take(&molsw).Error; err != nil {
		b.Fatal(err)
	}
	var ids []int64
	if err := db.Model(&domain.Indicator{}).Where("plan_id = ? AND archived_at IS NULL", plan.ID).Order("code").Limit(60).Pluck("id", &ids).Error; err != nil {
		b.Fatal(err)
	}
	if len(ids) != 60 {
		b.Fatalf("the demo has %d indicators", len(ids))
	}
	var period domain.ReportingPeriod
	if err := db.Where("plan_id = ? AND label = ?", plan.ID, currentPeriod()).Take(&period).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Model(&domain.Indicator{}).Where("id IN ?", ids).Update("reporting_org_id", molsw.ID).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Model(&domain.IndicatorValue{}).Where("period_id = ? AND indicator_id IN ?", period.ID, ids).Update("status", domain.StatusDraft).Error; err != nil {
		b.Fatal(err)
	}
	g, err := reporting.LoadValueGrid(ctx, db, domain.Scope{Role: domain.RoleSecretariat}, seed.DemoPlanCode, "MOLSW", period.Label, time.Now().UTC())
	if err != nil {
		b.Fatal(err)
	}
	if len(g.Rows) != 60 {
		b.Fatalf("MOLSW's grid has %d rows", len(g.Rows))
	}
	return g.Rows
}

// BenchmarkGridPage measures MOLSW's data-entry grid of the open quarter
// with 60 rows for its focal point.
func BenchmarkGridPage(b *testing.B) {
	env := apptest.New(b)
	rows := gridOf60(b, env)
	fp := env.SignedIn(b, env.User(b, domain.RoleFocalPoint, "MOLSW"))
	path := fmt.Sprintf("/plans/%s/organisations/MOLSW/values/%s", seed.DemoPlanCode, currentPeriod())
	first := fp.Get(path)
	if n := strings.Count(first.Body, `<tr id="row-`); first.StatusCode != http.StatusOK || n != len(rows) {
		b.Fatalf("grid: %d with %d rows", first.StatusCode, n)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(first.Body))
	w.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := fp.Get(path)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "</html>") {
			b.Fatalf("grid: %d %.300s", r.StatusCode, r.Body)
		}
	}
	// After the loop: ResetTimer clears the metrics reported before it.
	b.ReportMetric(float64(len(rows)), "rows")
	b.ReportMetric(float64(gz.Len())/1024, "gzip_KiB")
}

// BenchmarkGridSave measures one "save all as drafts" of MOLSW's 60-row
// grid: each iteration changes every row (value, breakdown, narrative), so
// every row is a real save with its own transaction, version check and
// audit row, then the redirect.
func BenchmarkGridSave(b *testing.B) {
	env := apptest.New(b)
	rows := gridOf60(b, env)
	fp := env.SignedIn(b, env.User(b, domain.RoleFocalPoint, "MOLSW"))
	path := fmt.Sprintf("/plans/%s/organisations/MOLSW/values/%s", seed.DemoPlanCode, currentPeriod())
	split := 0
	for _, r := range rows {
		if r.Set != nil {
			split++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		form := url.Values{"action": {"save"}}
		for _, r := range rows {
			c := r.Indicator.Code
			value := strconv.Itoa(10 + i%2)
			if r.Indicator.UnitType == domain.UnitYesNo || r.Indicator.UnitType == domain.UnitMilestone {
				value = strconv.Itoa(i % 2)
			}
			form.Set("ver:"+c, strconv.Itoa(r.Version()+i))
			form.Set("v:"+c, value)
			form.Set("n:"+c, "benchmark")
			if r.Set != nil {
				cells := r.Set.Cells()
				form.Set("c:"+c+":"+cells[0], value)
				for _, cell := range cells[1:] {
					form.Set("c:"+c+":"+cell, "0")
				}
			}
		}
		if r := fp.Post(path, form); r.StatusCode != http.StatusSeeOther {
			b.Fatalf("grid save: %d %.3000s", r.StatusCode, peErrors(r.Body))
		}
	}
	b.ReportMetric(float64(len(rows)), "rows")
	b.ReportMetric(float64(split), "rows_with_breakdown")
}
