package offline_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"naptracker/reporting"

	"github.com/xuri/excelize/v2"
)

// edit sets cells of a workbook with excelize: a number, a text, or a
// formula (a string starting with "=").
func edit(t testing.TB, data []byte, sheet string, cells map[string]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for ref, v := range cells {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "=") {
			err = f.SetCellFormula(sheet, ref, s[1:])
		} else {
			err = f.SetCellValue(sheet, ref, v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rezip copies a zip, replacing (or adding) parts by name.
func rezip(t testing.TB, data []byte, parts map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	done := map[string]bool{}
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := parts[zf.Name]; ok {
			_, err = w.Write(p)
			done[zf.Name] = true
		} else {
			var rc io.ReadCloser
			if rc, err = zf.Open(); err == nil {
				_, err = io.Copy(w, rc)
				rc.Close()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, p := range parts {
		if !done[name] {
			w, err := zw.Create(name)
			if err == nil {
				_, err = w.Write(p)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is a small zip with one part of n zero bytes.
func zipBomb(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	for i := 0; i < n>>20; i++ {
		if _, err := w.Write(zero); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// manyStrings is a shared-string table of n entries.
func manyStrings(n int) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, n, n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "<si><t>s%d</t></si>", i)
	}
	sb.WriteString("</sst>")
	return []byte(sb.String())
}

// manyRows is a worksheet with a row at each of the first n row numbers
// (sparse: only the last one when sparse is set).
func manyRows(n int, sparse bool) []byte {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i := 1; i <= n; i++ {
		if sparse && i < n {
			continue
		}
		fmt.Fprintf(&sb, `<row r="%d"><c r="A%d"><v>1</v></c></row>`, i, i)
	}
	sb.WriteString("</sheetData></worksheet>")
	return []byte(sb.String())
}

// rowsOf maps each indicator code of a grid to its row in the template,
// and each breakdown cell to its row.
func rowsOf(g *reporting.ValueGrid) (map[string]int, map[string]map[string]int) {
	rows, cells := map[string]int{}, map[string]map[string]int{}
	r := 3
	for _, gr := range g.Rows {
		rows[gr.Indicator.Code] = r
		r++
		if gr.Set != nil {
			cells[gr.Indicator.Code] = map[string]int{}
			for _, c := range gr.Set.Cells() {
				cells[gr.Indicator.Code][c] = r
				r++
			}
		}
	}
	return rows, cells
}

func emptyWorkbook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
