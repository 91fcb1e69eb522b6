package handlers_test

import (
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
	"naptracker/reporting"
	"naptracker/seed"
)

// BenchmarkGridPage measures MOLSW's data-entry grid of the open quarter
// in the demo (28 rows) for its focal point.
func BenchmarkGridPage(b *testing.B) {
	env := apptest.New(b)
	fp := env.SignedIn(b, env.User(b, domain.RoleFocalPoint, "MOLSW"))
	path := fmt.Sprintf("/plans/%s/organisations/MOLSW/values/%s", seed.DemoPlanCode, currentPeriod())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := fp.Get(path)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "</html>") {
			b.Fatalf("grid: %d %.300s", r.StatusCode, r.Body)
		}
	}
}

// BenchmarkGridSave measures one "save all as drafts" of every editable
// numeric row of the demo's MOLSW grid (18 rows, 7 with a breakdown): each
// iteration changes every row, so every row is a real save with its own
// transaction, version check and audit row, then the redirect.
func BenchmarkGridSave(b *testing.B) {
	env := apptest.New(b)
	fp := env.SignedIn(b, env.User(b, domain.RoleFocalPoint, "MOLSW"))
	period := currentPeriod()
	path := fmt.Sprintf("/plans/%s/organisations/MOLSW/values/%s", seed.DemoPlanCode, period)
	g, err := reporting.LoadValueGrid(context.Background(), env.App.DB, domain.Scope{Role: domain.RoleSecretariat}, seed.DemoPlanCode, "MOLSW", period, time.Now().UTC())
	if err != nil {
		b.Fatal(err)
	}
	var rows []reporting.GridRow
	for _, r := range g.Rows {
		if r.Editable(g.Open()) && r.Indicator.UnitType == domain.UnitNumber {
			rows = append(rows, r)
		}
	}
	b.ReportMetric(float64(len(rows)), "rows")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		form := url.Values{"action": {"save"}}
		value := strconv.Itoa(10 + i%2)
		for _, r := range rows {
			c := r.Indicator.Code
			form.Set("ver:"+c, strconv.Itoa(r.Version()+i))
			form.Set("v:"+c, value)
			form.Set("n:"+c, "benchmark")
			if r.Set != nil {
				form.Set("c:"+c+":"+r.Set.Cells()[0], value)
			}
		}
		if r := fp.Post(path, form); r.StatusCode != http.StatusSeeOther {
			b.Fatalf("grid save: %d %.3000s", r.StatusCode, r.Body)
		}
	}
}
