package planxlsx_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/planxlsx"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var ctx = context.Background()

// export writes the plan of db as a workbook.
func export(t *testing.T, db *gorm.DB, code string) []byte {
	t.Helper()
	b, err := planxlsx.Load(ctx, db, code)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cells reads every cell of every sheet, by sheet.
func cells(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out[s] = rows
	}
	return out
}

// edit changes cells of a workbook: sheet → cell → value (a string, or a number).
func edit(t *testing.T, data []byte, changes map[string]map[string]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sheet, cs := range changes {
		for ref, v := range cs {
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// find is the address of the first cell of a sheet holding s.
func find(t *testing.T, data []byte, sheet, s string) (col, row int) {
	t.Helper()
	for r, cells := range cells(t, data)[sheet] {
		for c, v := range cells {
			if v == s {
				return c + 1, r + 1
			}
		}
	}
	t.Fatalf("%q not found on sheet %s", s, sheet)
	return 0, 0
}

func ref(c, r int) string {
	s, _ := excelize.CoordinatesToCellName(c, r)
	return s
}

// column is the position (1-based) of a column in a sheet's header.
func column(t *testing.T, data []byte, sheet, name string) int {
	t.Helper()
	for c, v := range cells(t, data)[sheet][0] {
		if v == name {
			return c + 1
		}
	}
	t.Fatalf("no column %s on %s", name, sheet)
	return 0
}

func importFile(t *testing.T, db *gorm.DB, data []byte, dry bool) *planxlsx.Result {
	t.Helper()
	res, err := planxlsx.Import(ctx, db, domain.SystemActor, data, planxlsx.Options{DryRun: dry, FileName: "plan.xlsx"}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func auditCount(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&domain.AuditEntry{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
