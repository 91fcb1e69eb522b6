package offline_test

import (
	"fmt"
	"testing"

	"naptracker/offline"
)

// TestHostileFilesAreRefusedCleanly: each hostile file is refused with a
// message of its own, without a panic and without reading it whole.
func TestHostileFilesAreRefusedCleanly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tmpl := f.template(t)
	cases := []struct {
		name, kind, key string
		data            []byte
		lim             offline.Limits
	}{
		{"empty", offline.KindUnreadable, "offline.err.not_xlsx", nil, offline.Limits{}},
		{"an old .xls", offline.KindUnreadable, "offline.err.not_xlsx", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), offline.Limits{}},
		{"truncated zip", offline.KindUnreadable, "offline.err.damaged", tmpl[:len(tmpl)/2], offline.Limits{}},
		{"over the size limit", offline.KindTooLarge, "offline.err.too_large", tmpl, offline.Limits{MaxFileBytes: 1024}},
		{"zip bomb", offline.KindUnreadable, "offline.err.unzipped_too_large", zipBomb(t, 100<<20), offline.Limits{}},
		{"huge shared strings", offline.KindUnreadable, "offline.err.shared_strings",
			rezip(t, tmpl, map[string][]byte{"xl/sharedStrings.xml": manyStrings(250000)}), offline.Limits{}},
		{"1,048,576 rows", offline.KindUnreadable, "offline.err.too_many_rows",
			rezip(t, tmpl, map[string][]byte{"xl/worksheets/sheet2.xml": manyRows(1048576, true)}), offline.Limits{}},
		{"many rows", offline.KindUnreadable, "offline.err.too_many_rows",
			rezip(t, tmpl, map[string][]byte{"xl/worksheets/sheet1.xml": manyRows(50000, false)}), offline.Limits{}},
		{"no hidden sheet", offline.KindTampered, "offline.err.not_template", edit(t, emptyWorkbook(t), "Sheet1", map[string]any{"A1": "x"}), offline.Limits{}},
		{"hidden sheet emptied", offline.KindTampered, "offline.err.not_template", rezip(t, tmpl, map[string][]byte{"xl/worksheets/sheet2.xml": manyRows(0, false)}), offline.Limits{}},
	}
	for _, c := range cases {
		_, err := offline.Parse(c.data, f.keys, c.lim)
		if !refused(err, c.kind, c.key) {
			t.Errorf("%s: %v, want %s %s", c.name, err, c.kind, c.key)
		}
	}
}

// TestFormulasAndTextNumbers: a formula in an input cell is an error at
// its address; numbers typed as text and dates as numbers are read.
func TestFormulasAndTextNumbers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g := f.grid(t)
	plain, _ := editable(t, g)
	rows, _ := rowsOf(g)
	a, b, c := plain[0].Indicator.Code, plain[1].Indicator.Code, plain[2].Indicator.Code
	filled := edit(t, f.template(t), "Values", map[string]any{
		fmt.Sprintf("G%d", rows[a]): "=1+1",
		fmt.Sprintf("G%d", rows[b]): " 12.5 ",
		fmt.Sprintf("G%d", rows[c]): "twelve",
	})
	p, err := f.preview(t, filled)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]offline.Row{}
	for _, r := range p.Rows {
		status[r.Code] = r
	}
	if r := status[a]; r.Status != offline.Invalid || len(r.Errors) != 1 || r.Errors[0].Cell != fmt.Sprintf("G%d", rows[a]) || r.Errors[0].Msg.Key != "offline.err.formula" {
		t.Errorf("formula: %+v", r)
	}
	if r := status[b]; r.Status != offline.WillSave || *r.Typed.Value != 12.5 {
		t.Errorf("text number: %+v", r)
	}
	if r := status[c]; r.Status != offline.Invalid || r.Errors[0].Msg.Key != "value.not_a_number" {
		t.Errorf("text: %+v", r)
	}
	if msg := f.l.T(status[a].Errors[0].Msg.Key); msg == "" || msg[0] == '[' {
		t.Errorf("untranslated message %q", msg)
	}
}
