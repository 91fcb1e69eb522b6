package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
)

// TestPlanExportImport: the demo plan exported from the command line and
// imported into an empty database (dry run first, which writes nothing),
// exported again, gives the same cells; an import with an error exits 1.
func TestPlanExportImport(t *testing.T) {
	t.Parallel()
	demo := demoEnv(t)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.xlsx"), filepath.Join(dir, "second.xlsx")
	if c, out, errOut := runCmd(t, demo, "", "plan", "export", "--plan", seed.DemoPlanCode, "-o", first); c != exitOK || !strings.Contains(out, "wrote") {
		t.Fatalf("export = %d %q %q", c, out, errOut)
	}
	empty := envFor(storetest.MigratedDSN(t), t.TempDir())
	c, out, errOut := runCmd(t, empty, "", "plan", "import", "--dry-run", first)
	if c != exitOK || !strings.Contains(out, "dry run: nothing was written") || !strings.Contains(out, "Create") {
		t.Fatalf("import --dry-run = %d %q %q", c, out, errOut)
	}
	if c, _, _ := runCmd(t, empty, "", "plan", "export", "--plan", seed.DemoPlanCode, "-o", second); c == exitOK {
		t.Fatal("the dry run created the plan")
	}
	if c, out, errOut := runCmd(t, empty, "", "plan", "import", first); c != exitOK || !strings.Contains(out, "imported plan "+seed.DemoPlanCode) {
		t.Fatalf("import = %d %q %q", c, out, errOut)
	}
	if c, out, errOut := runCmd(t, empty, "", "plan", "export", "--plan", seed.DemoPlanCode, "-o", second); c != exitOK {
		t.Fatalf("export again = %d %q %q", c, out, errOut)
	}
	if a, b := sheetCells(t, first), sheetCells(t, second); a != b {
		t.Error("the two exports differ")
	}
	// An unknown lead organisation: exit 1 with the cell and its message, in French.
	f, err := excelize.OpenFile(second)
	if err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("activities", "J2", "NOPE")
	f.SaveAs(second)
	f.Close()
	c, out, errOut = runCmd(t, empty, "", "plan", "import", "--lang", "fr", second)
	if c != exitError || !strings.Contains(out, "J2: Il n’existe pas d’organisation NOPE") {
		t.Fatalf("import with an error = %d %q %q", c, out, errOut)
	}
}

func sheetCells(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, s := range f.GetSheetList() {
		rows, _ := f.GetRows(s, excelize.Options{RawCellValue: true})
		for _, r := range rows {
			b.WriteString(s + "\t" + strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}
