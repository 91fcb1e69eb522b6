package report_test

import (
	"context"
	"strconv"
	"testing"

	"naptracker/domain"
	"naptracker/report"
	"naptracker/reporting"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

// TestComplianceSheetIsTheCount: the Compliance sheet (read from the
// roll-ups the pages read) shows, for every period and organisation, what
// counting the values and activity updates themselves gives.
func TestComplianceSheetIsTheCount(t *testing.T) {
	t.Parallel()
	db := demo(t)
	var plan domain.Plan
	if err := db.Where("code = ?", seed.DemoPlanCode).Take(&plan).Error; err != nil {
		t.Fatal(err)
	}
	var periods []domain.ReportingPeriod
	db.Where("plan_id = ?", plan.ID).Order("start_date").Find(&periods)
	f, _ := generate(t, db, report.Options{Scope: secretariat, From: periods[0].Label, To: periods[len(periods)-1].Label})
	rows, err := f.GetRows("Compliance", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string][]string{} // "period/org" → the seven counts
	for _, r := range rows[3:] {
		if len(r) >= 10 {
			shown[r[0]+"/"+r[1]] = r[3:10]
		}
	}
	want, err := reporting.Completeness(context.Background(), db, plan, periods, 0, today)
	if err != nil {
		t.Fatal(err)
	}
	counted := 0
	for _, pc := range want.Periods {
		for _, r := range pc.Rows {
			c := r.CompletenessCounts
			key := pc.Period.Label + "/" + r.Organisation.Acronym
			got, ok := shown[key]
			wantCells := []int{c.Expected, c.OnTime, c.Late, c.Missing, c.NotDue, c.Returned, c.Approved}
			if !ok {
				t.Errorf("%s: no row in the sheet", key)
				continue
			}
			for i, w := range wantCells {
				if got[i] != strconv.Itoa(w) {
					t.Errorf("%s: column %d shows %q, the count is %d", key, i+4, got[i], w)
				}
			}
			counted += c.Expected
		}
	}
	if counted == 0 {
		t.Fatal("the demo plan expects nothing: the test compares nothing")
	}
	t.Logf("%d rows compared, %d items expected in all", len(shown), counted)
}
