package planxlsx_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"naptracker/planxlsx"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// TestRoundTripIntoEmptyDatabase is the "done when": the demo
// plan exported, imported into a fresh database without the demo, and
// exported again gives a workbook equal to the first, cell for cell.
func TestRoundTripIntoEmptyDatabase(t *testing.T) {
	t.Parallel()
	demo := storetest.Demo(t, time.Now().UTC())
	first := export(t, demo, seed.DemoPlanCode)
	if again := export(t, demo, seed.DemoPlanCode); !reflect.DeepEqual(cells(t, first), cells(t, again)) {
		t.Fatal("two exports of the same database differ")
	}
	empty := storetest.New(t)
	res := importFile(t, empty, first, false)
	for _, r := range res.Rows {
		if r.Status != planxlsx.Create {
			t.Errorf("%s line %d (%s): %s %+v", r.Sheet, r.Line, r.Key, r.Status, r.Errors)
		}
	}
	if !res.Applied || res.Count(planxlsx.Create) < 100 {
		t.Fatalf("applied %v, %d rows created", res.Applied, res.Count(planxlsx.Create))
	}
	second := export(t, empty, seed.DemoPlanCode)
	a, b := cells(t, first), cells(t, second)
	if len(a) != 9 || len(a) != len(b) {
		t.Fatalf("sheets: %d then %d", len(a), len(b))
	}
	for sheet, rows := range a {
		if len(rows) < 2 {
			t.Errorf("sheet %s is empty", sheet)
		}
		if len(rows) != len(b[sheet]) {
			t.Errorf("sheet %s: %d rows, then %d", sheet, len(rows), len(b[sheet]))
			continue
		}
		for i := range rows {
			if !reflect.DeepEqual(rows[i], b[sheet][i]) {
				t.Errorf("sheet %s row %d:\n%q\n%q", sheet, i+1, rows[i], b[sheet][i])
			}
		}
	}
	// The same file again into the database it came from changes nothing.
	before := auditCount(t, empty)
	res = importFile(t, empty, second, false)
	if n := res.Count(planxlsx.Unchanged); n != len(res.Rows) || n == 0 {
		t.Errorf("%d of %d rows unchanged", n, len(res.Rows))
	}
	if after := auditCount(t, empty); after != before {
		t.Errorf("an unchanged import wrote %d audit rows", after-before)
	}
}

// TestImportOwnExportIsUnchanged: the demo's own export, imported back,
// is all unchanged (the dry run and the import).
func TestImportOwnExportIsUnchanged(t *testing.T) {
	t.Parallel()
	db := storetest.Demo(t, time.Now().UTC())
	data := export(t, db, seed.DemoPlanCode)
	for _, dry := range []bool{true, false} {
		res := importFile(t, db, data, dry)
		for _, r := range res.Rows {
			if r.Status != planxlsx.Unchanged {
				t.Errorf("dry %v: %s line %d (%s): %s %+v %+v", dry, r.Sheet, r.Line, r.Key, r.Status, r.Changes, r.Errors)
			}
		}
	}
	if !bytes.Equal(data[:4], []byte("PK\x03\x04")) {
		t.Fatal("not a zip")
	}
}
