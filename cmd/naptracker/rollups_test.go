package main

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// TestRollupsRebuildCommand empties the roll-up tables of a seeded database
// and runs `naptracker rollups rebuild`: the dashboard must come back the
// same as before, the command must say how many rows the cache had wrong,
// and a second run must find nothing to correct.
func TestRollupsRebuildCommand(t *testing.T) {
	t.Parallel()
	env := demoEnv(t)
	db := storetest.Open(t, dsnOf(env))
	ctx := context.Background()
	plan, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	dashboard := func() *review.Dashboard {
		t.Helper()
		d, err := review.LoadDashboard(ctx, db, *plan, now)
		if err != nil {
			t.Fatal(err)
		}
		d.Changes = nil // the recent changes are not roll-ups
		return d
	}
	before := dashboard()
	var rows int64
	db.Model(&reporting.IndicatorRollup{}).Count(&rows)
	if rows == 0 || before.Total.Indicators == 0 {
		t.Fatalf("the demo left %d roll-up rows and %d rated indicators", rows, before.Total.Indicators)
	}
	if err := db.Exec("DELETE FROM indicator_rollups").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("DELETE FROM activity_rollups").Error; err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(dashboard().Total, before.Total) {
		t.Fatal("emptying the roll-ups did not change the dashboard: the test would prove nothing")
	}
	code, out, errOut := runCmd(t, env, "", "rollups", "rebuild")
	if code != exitOK || !strings.Contains(out, "rebuilt the roll-ups of 1 plan(s)") || strings.Contains(out, " 0 row(s) differed") {
		t.Fatalf("rollups rebuild = %d, %q, %q", code, out, errOut)
	}
	if after := dashboard(); !reflect.DeepEqual(after, before) {
		t.Errorf("the dashboard after the rebuild differs:\n got %+v\nwant %+v", after.Total, before.Total)
	}
	code, out, _ = runCmd(t, env, "", "rollups", "rebuild")
	if code != exitOK || !strings.Contains(out, " 0 row(s) differed") {
		t.Errorf("a second rebuild = %d, %q: the cache should equal a rebuild", code, out)
	}
	if code, _, _ := runCmd(t, env, "", "rollups"); code != exitUsage {
		t.Errorf("rollups without rebuild: exit %d, want usage", code)
	}
}
