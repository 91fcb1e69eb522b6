package planxlsx_test

import (
	"bytes"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/planning"
	"naptracker/planxlsx"
	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// archivedAt is when a coded item of the demo plan was archived (nil: active).
func archivedAt[T any](t *testing.T, db *gorm.DB, code string) *time.Time {
	t.Helper()
	p, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	var row struct{ ArchivedAt *time.Time }
	if err := db.Model(new(T)).Select("archived_at").Where("plan_id = ? AND code = ?", p.ID, code).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	return row.ArchivedAt
}

// TestArchivedItemsRoundTrip: an archived activity and indicator are
// exported as archived, stay archived through an import into an empty
// database (whose export is the same, cell for cell), and an edited
// archived cell restores or archives an item, with its audit row.
func TestArchivedItemsRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	demo := storetest.Demo(t, now)
	p, _ := planning.FindPlan(ctx, demo, seed.DemoPlanCode)
	for kind, code := range map[string]string{"activity": "2.1.3", "indicator": "1.1.1.a"} {
		id, err := planedit.EntityID(ctx, demo, kind, p.ID, code)
		if err != nil {
			t.Fatal(kind, code, err)
		}
		var v int
		demo.Table(domain.EntityTables[kind]).Where("id = ?", id).Select("version").Row().Scan(&v)
		if err := planedit.ArchiveEntity(ctx, demo, domain.Caller{Actor: domain.SystemActor, Now: now}, domain.EntityRef{Kind: kind, ID: id, PlanID: &p.ID, Version: v}, true); err != nil {
			t.Fatal(err)
		}
	}
	first := export(t, demo, seed.DemoPlanCode)
	arch := column(t, first, planxlsx.SheetActivities, planxlsx.ColArchived)
	_, actRow := find(t, first, planxlsx.SheetActivities, "2.1.3")
	_, otherRow := find(t, first, planxlsx.SheetActivities, "2.1.1")
	sheet := cells(t, first)[planxlsx.SheetActivities]
	if sheet[actRow-1][arch-1] != "yes" || sheet[otherRow-1][arch-1] != "no" {
		t.Fatalf("archived cells: %q and %q", sheet[actRow-1][arch-1], sheet[otherRow-1][arch-1])
	}
	empty := storetest.New(t)
	if res := importFile(t, empty, first, false); !res.Applied {
		t.Fatal("not applied")
	}
	if archivedAt[domain.Activity](t, empty, "2.1.3") == nil || archivedAt[domain.Indicator](t, empty, "1.1.1.a") == nil ||
		archivedAt[domain.Activity](t, empty, "2.1.1") != nil {
		t.Fatal("the import did not keep what is archived")
	}
	second := export(t, empty, seed.DemoPlanCode)
	a, b := cells(t, first), cells(t, second)
	for _, s := range []string{planxlsx.SheetPillars, planxlsx.SheetObjectives, planxlsx.SheetActivities, planxlsx.SheetIndicators} {
		if len(a[s]) != len(b[s]) {
			t.Fatalf("%s: %d rows then %d", s, len(a[s]), len(b[s]))
		}
		for i := range a[s] {
			for j := range a[s][i] {
				if a[s][i][j] != b[s][i][j] {
					t.Errorf("%s row %d column %d: %q then %q", s, i+1, j+1, a[s][i][j], b[s][i][j])
				}
			}
		}
	}
	// Restoring 2.1.3 and archiving 2.1.1 in the file.
	at := func(r int) string { s, _ := excelize.CoordinatesToCellName(arch, r); return s }
	edited := edit(t, second, map[string]map[string]any{planxlsx.SheetActivities: {at(actRow): "no", at(otherRow): "yes"}})
	dry := importFile(t, empty, edited, true)
	if n := dry.Count(planxlsx.Update); n != 2 {
		t.Fatalf("dry run: %d updates", n)
	}
	if archivedAt[domain.Activity](t, empty, "2.1.3") == nil {
		t.Fatal("the dry run restored the activity")
	}
	if res := importFile(t, empty, edited, false); !res.Applied {
		t.Fatal("not applied")
	}
	if archivedAt[domain.Activity](t, empty, "2.1.3") != nil || archivedAt[domain.Activity](t, empty, "2.1.1") == nil {
		t.Fatal("the import did not restore and archive")
	}
	var n int64
	empty.Model(&domain.AuditEntry{}).Where("action IN ?", []string{"activity.archive", "activity.unarchive"}).Count(&n)
	if n != 3 { // archived on the first import, then one each way
		t.Errorf("%d archiving audit rows, want 3", n)
	}
}

// TestFileWithoutArchivedColumnKeepsArchiving: a workbook written before
// the archived column existed imports unchanged, archiving nothing and
// restoring nothing.
func TestFileWithoutArchivedColumnKeepsArchiving(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	db := storetest.Demo(t, now)
	p, _ := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	id, err := planedit.EntityID(ctx, db, "pillar", p.ID, "5")
	if err != nil {
		t.Fatal(err)
	}
	if err := planedit.ArchiveEntity(ctx, db, domain.Caller{Actor: domain.SystemActor, Now: now}, domain.EntityRef{Kind: "pillar", ID: id, PlanID: &p.ID, Version: 1}, true); err != nil {
		t.Fatal(err)
	}
	data := export(t, db, seed.DemoPlanCode)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{planxlsx.SheetPillars, planxlsx.SheetObjectives, planxlsx.SheetActivities, planxlsx.SheetIndicators} {
		name, _ := excelize.ColumnNumberToName(column(t, data, s, planxlsx.ColArchived))
		if err := f.RemoveCol(s, name); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res := importFile(t, db, buf.Bytes(), false)
	if n := res.Count(planxlsx.Unchanged); n != len(res.Rows) {
		t.Errorf("%d of %d rows unchanged", n, len(res.Rows))
	}
	if archivedAt[domain.Pillar](t, db, "5") == nil {
		t.Error("the pillar was restored by a file without the column")
	}
}
