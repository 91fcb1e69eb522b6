package offline_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"naptracker/offline"
	"naptracker/store/storetest"
)

// openpyxlFill types cells into a workbook with openpyxl, as a script
// filling the template would.
const openpyxlFill = `
import json, sys, openpyxl
src, dst, edits = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
wb = openpyxl.load_workbook(src)
ws = wb[edits["sheet"]]
for ref, v in edits["cells"].items():
    ws[ref] = v
wb.save(dst)
`

// unoFill opens the workbook in LibreOffice (headless, through UNO),
// types the cells into the protected sheet's open cells and saves it as
// .xlsx with LibreOffice's own writer.
const unoFill = `
import json, os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
src, dst, edits, profile = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
pipe = "naptracker%d" % os.getpid()
proc = subprocess.Popen(["soffice", "--headless", "--norestore", "--nologo", "-env:UserInstallation=file://" + profile,
                         "--accept=pipe,name=%s;urp;" % pipe])
def prop(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for i in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe); break
        except Exception:
            time.sleep(0.25)
    else:
        raise SystemExit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    sheet = doc.Sheets.getByName(edits["sheet"])
    for ref, v in edits["cells"].items():
        cell = sheet.getCellRangeByName(ref)
        if isinstance(v, str):
            cell.setString(v)
        else:
            cell.setValue(v)
    doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    try:
        proc.wait(timeout=30)
    except Exception:
        proc.kill()
`

// roundTrip fills the template through a script and uploads the result:
// exactly the typed values are saved.
func roundTrip(t *testing.T, fill func(src, dst string, edits string)) {
	f := newFixture(t)
	g := f.grid(t)
	plain, split := editable(t, g)
	rows, cells := rowsOf(g)
	a, b, s := plain[0].Indicator.Code, plain[1].Indicator.Code, split[0]
	edits := map[string]any{
		fmt.Sprintf("G%d", rows[a]): 321.25, fmt.Sprintf("I%d", rows[a]): "Filled offline — ລາວ, français",
		fmt.Sprintf("G%d", rows[b]): "1,250",
	}
	keys := s.Set.Cells()
	total := 0
	for i, k := range keys {
		edits[fmt.Sprintf("G%d", cells[s.Indicator.Code][k])] = i + 2
		total += i + 2
	}
	edits[fmt.Sprintf("G%d", rows[s.Indicator.Code])] = total
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "template.xlsx"), filepath.Join(dir, "filled.xlsx")
	if err := os.WriteFile(src, f.template(t), 0o600); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(map[string]any{"sheet": "Values", "cells": edits})
	fill(src, dst, string(js))
	filled, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.apply(t, filled, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{a, b, s.Indicator.Code}; !sameCodes(out.Saved, want) {
		t.Fatalf("saved %v, want %v; rows %+v", out.Saved, want, out.Rows)
	}
	if v := f.stored(t, a); *v.Value != 321.25 || v.Narrative != "Filled offline — ລາວ, français" {
		t.Errorf("%s: %v %q", a, *v.Value, v.Narrative)
	}
	if v := f.stored(t, b); *v.Value != 1250 {
		t.Errorf("%s: %v", b, *v.Value)
	}
	v := f.stored(t, s.Indicator.Code)
	if *v.Value != float64(total) || len(v.Breakdown) != len(keys) {
		t.Errorf("%s: %v %+v", s.Indicator.Code, *v.Value, v.Breakdown)
	}
	again, err := f.apply(t, filled, false)
	if err != nil || len(again.Saved) != 0 {
		t.Errorf("uploaded again: saved %v, %v", again.Saved, err)
	}
	if n := again.Count(offline.Unchanged); n != len(again.Rows) {
		t.Errorf("uploaded again: %d of %d rows unchanged", n, len(again.Rows))
	}
}

func TestRoundTripOpenpyxl(t *testing.T) {
	t.Parallel()
	py := python(t)
	roundTrip(t, func(src, dst, edits string) { runPython(t, py, openpyxlFill, src, dst, edits) })
}

func TestRoundTripLibreOffice(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("LibreOffice takes seconds to start: not in -short")
	}
	storetest.SkipOnSecondDatabase(t, "LibreOffice's reading and writing of the template")
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Skip("LibreOffice (soffice) is not installed: the LibreOffice round trip is not checked")
	}
	py := python(t)
	if out, err := exec.Command(py, "-c", "import uno").CombinedOutput(); err != nil {
		t.Skipf("python3-uno is not installed (%s): LibreOffice cannot be driven", out)
	}
	profile := t.TempDir()
	roundTrip(t, func(src, dst, edits string) { runPython(t, py, unoFill, src, dst, edits, profile) })
}
