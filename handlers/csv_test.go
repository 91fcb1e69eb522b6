package handlers_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/seed"
)

// readCSV checks the byte-order mark and reads the rows of a CSV answer.
func readCSV(t *testing.T, r *apptest.Response) [][]string {
	t.Helper()
	mustStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	body, ok := strings.CutPrefix(r.Body, "\uFEFF")
	if !ok {
		t.Fatal("no UTF-8 byte-order mark")
	}
	if !strings.Contains(body, "\r\n") {
		t.Error("lines do not end with CRLF")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestFiguresCSVDisclosure: a sensitive count of 1–4 that the secretariat
// sees exactly is "<5" in a donor's CSV, as on the donor's pages; and an
// indicator name that looks like a formula is neutralised.
func TestFiguresCSVDisclosure(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := t.Context()
	donorUser := env.User(t, domain.RoleDonor, "APJP")
	pf, err := reporting.LoadPlanFigures(ctx, env.App.DB, domain.ScopeOf(donorUser), seed.DemoPlanCode, "", "", false, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	code, period := "", ""
	for _, it := range pf.Indicators {
		for _, c := range it.Assessment.Periods {
			if c.Actual.Small && code == "" {
				code, period = it.Indicator.Code, pf.Periods[c.Period].Label
			}
		}
	}
	if code == "" {
		t.Fatal("the demo has no small sensitive count in the default range")
	}
	if err := env.App.DB.Model(&domain.Indicator{}).Where("code = ?", code).Update("name", "=HYPERLINK(\"http://x\")").Error; err != nil {
		t.Fatal(err)
	}
	path := "/plans/" + seed.DemoPlanCode + "/figures.csv"
	actual := func(rows [][]string) string {
		for _, r := range rows[1:] {
			if r[0] == code && r[2] == "" && r[3] == period {
				if r[1] != "'=HYPERLINK(\"http://x\")" {
					t.Errorf("the formula-like name is %q", r[1])
				}
				return r[5]
			}
		}
		t.Fatalf("no row for %s %s", code, period)
		return ""
	}
	sec := actual(readCSV(t, env.SignedIn(t, env.User(t, domain.RoleSecretariat, "")).Get(path)))
	if sec == "" || sec == "<5" {
		t.Fatalf("the secretariat sees %q", sec)
	}
	donor := env.SignedIn(t, donorUser)
	rows := readCSV(t, donor.Get(path))
	if got := actual(rows); got != "<5" {
		t.Errorf("the donor's CSV shows %q for %s %s", got, code, period)
	}
	// No breakdown cell or range of that indicator narrows it down either:
	// each is "<5", withheld or a number the donor's page shows too.
	dash := donor.Get("/plans/" + seed.DemoPlanCode + "/dashboard")
	mustStatus(t, dash, http.StatusOK)
	if !strings.Contains(dash.Body, path) {
		t.Error("the dashboard does not link to the CSV")
	}
	for _, r := range rows[1:] {
		if r[0] == code && r[3] == period && r[5] == sec && sec != "0" {
			t.Errorf("the donor's CSV shows the exact count in %q", r)
		}
	}
}

// TestQueueCSV: the queue's CSV has the page's rows under its filters, and
// a narrative that looks like a formula is neutralised.
func TestQueueCSV(t *testing.T) {
	t.Parallel()
	env, _, sec := newSignedIn(t, domain.RoleSecretariat, "")
	q, err := reporting.LoadQueue(t.Context(), env.App.DB, seed.DemoPlanCode, reporting.QueueFilter{})
	if err != nil || len(q.Items) == 0 {
		t.Fatalf("queue: %v, %d items", err, len(q.Items))
	}
	first := q.Items[0]
	table := "indicator_values"
	if first.Kind == reporting.ItemActivity {
		table = "activity_updates"
	}
	column := "narrative"
	if first.Kind == reporting.ItemActivity {
		column = "achievements"
	}
	if err := env.App.DB.Table(table).Where("id = ?", first.ID).Update(column, "@SUM(1)").Error; err != nil {
		t.Fatal(err)
	}
	page := sec.Get("/plans/" + seed.DemoPlanCode + "/queue?org=" + first.Org)
	mustStatus(t, page, http.StatusOK)
	link := "/plans/" + seed.DemoPlanCode + "/queue.csv?org=" + first.Org
	if !strings.Contains(page.Body, link) {
		t.Fatalf("the queue page does not link to %s", link)
	}
	rows := readCSV(t, sec.Get(link))
	found := false
	for _, r := range rows[1:] {
		if r[4] != first.Org {
			t.Errorf("a row of %s under the filter org=%s", r[4], first.Org)
		}
		if r[1] == first.Code && r[5] == first.Period {
			found = true
			if r[13] != "'@SUM(1)" {
				t.Errorf("the narrative is %q", r[13])
			}
		}
	}
	if !found {
		t.Errorf("no row for %s %s", first.Code, first.Period)
	}
	mustStatus(t, env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get(link), http.StatusForbidden)
}
