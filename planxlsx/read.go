package planxlsx

import (
	"math"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/offline"

	"github.com/xuri/excelize/v2"
)

// CellError is a message about one cell of the uploaded workbook.
type CellError struct {
	Sheet string
	Cell  string // such as C7
	Msg   domain.Message
}

// fileInfo is where the rows of a table came from in the upload.
type fileInfo struct {
	// cols maps each column of the sheet to its index in the file.
	cols []int
	// errs holds each row's reading errors.
	errs [][]CellError
}

// ref is the address of a column of the i-th row in the upload.
func (t *Table) ref(i int, column string) string {
	c := t.def.col(column)
	if c < 0 || t.file == nil || i >= len(t.Lines) {
		return ""
	}
	name, _ := excelize.ColumnNumberToName(t.file.cols[c] + 1)
	return name + strconv.Itoa(t.Lines[i])
}

func refusal(key string, args ...any) *offline.Refusal {
	return &offline.Refusal{Kind: offline.KindUnreadable, Msg: domain.Message{Key: key, Args: args}}
}

// Read reads an uploaded plan workbook with the hostile-file-safe reader
// of the offline templates (the same limits). Sheets are found by name;
// a missing sheet counts as empty (the import only adds and updates), but
// a sheet must have every column of its header. Every cell is read into
// its canonical text; a cell that cannot be read (text in a number cell,
// a date that is not one) is recorded as an error of its row.
func Read(data []byte, lim offline.Limits) (*Book, error) {
	wb, err := offline.OpenWorkbook(data, lim)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	names, err := wb.Sheets()
	if err != nil {
		return nil, err
	}
	present := map[string]string{}
	for _, n := range names {
		present[strings.ToLower(strings.TrimSpace(n))] = n
	}
	b := newBook()
	for i := range sheets {
		d := &sheets[i]
		name, ok := present[d.name]
		if !ok {
			if d.name == SheetPlan {
				return nil, refusal("planxlsx.err.sheet_missing", d.name)
			}
			continue
		}
		rows, err := wb.Rows(name)
		if err != nil {
			return nil, err
		}
		if err := readTable(b.Tables[d.name], rows); err != nil {
			return nil, err
		}
	}
	if n := len(b.Tables[SheetPlan].Rows); n != 1 {
		return nil, refusal("planxlsx.err.one_plan", n)
	}
	return b, nil
}

func readTable(t *Table, rows [][]string) error {
	d := t.def
	t.file = &fileInfo{cols: make([]int, len(d.cols))}
	var header []string
	if len(rows) > 0 {
		header = rows[0]
	}
	at := map[string]int{}
	for i, h := range header {
		at[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for i, c := range d.cols {
		j, ok := at[c.name]
		if !ok && c.optional {
			j = -1 // every cell empty: the row keeps what is stored
		} else if !ok {
			return refusal("planxlsx.err.column_missing", d.name, c.name)
		}
		t.file.cols[i] = j
	}
	for n := 1; n < len(rows); n++ {
		raw := rows[n]
		if blank(raw) {
			continue
		}
		r := make(Row, len(d.cols))
		var errs []CellError
		for i, c := range d.cols {
			s := ""
			j := t.file.cols[i]
			if j < 0 {
				continue
			}
			if j < len(raw) {
				s = raw[j]
			}
			v, msg := canonical(c.kind, s)
			r[i] = v
			if msg != "" {
				ref, _ := excelize.CoordinatesToCellName(t.file.cols[i]+1, n+1)
				errs = append(errs, CellError{Sheet: d.name, Cell: ref, Msg: domain.Message{Key: msg, Args: []any{s}}})
			}
		}
		for _, k := range d.key {
			if i := d.col(k); r[i] == "" && !hasErr(errs, t.file.cols[i], n+1) {
				ref, _ := excelize.CoordinatesToCellName(t.file.cols[i]+1, n+1)
				errs = append(errs, CellError{Sheet: d.name, Cell: ref, Msg: domain.Message{Key: "planxlsx.err.key_missing", Args: []any{k}}})
			}
		}
		t.Rows = append(t.Rows, r)
		t.Lines = append(t.Lines, n+1)
		t.file.errs = append(t.file.errs, errs)
	}
	return nil
}

func hasErr(errs []CellError, col, line int) bool {
	ref, _ := excelize.CoordinatesToCellName(col+1, line)
	for _, e := range errs {
		if e.Cell == ref {
			return true
		}
	}
	return false
}

func blank(r []string) bool {
	for _, s := range r {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// canonical reads a cell as its column's kind, returning its canonical
// text, or the catalogue key of why it cannot be read (each takes the
// cell's text as argument).
func canonical(k kind, s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		if k == flag {
			return "no", ""
		}
		return "", ""
	}
	switch k {
	case number, integer:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return s, "planxlsx.err.number"
		}
		if k == integer && (x != math.Trunc(x) || math.Abs(x) > 1e9) {
			return s, "planxlsx.err.whole"
		}
		return formatNumber(x), ""
	case date:
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format(time.DateOnly), ""
		}
		// A date typed into a spreadsheet is stored as its serial number.
		if x, err := strconv.ParseFloat(s, 64); err == nil && x > 0 && x < 2958466 {
			if t, err := excelize.ExcelDateToTime(x, false); err == nil {
				return t.Format(time.DateOnly), ""
			}
		}
		return s, "planxlsx.err.date"
	case flag:
		switch strings.ToLower(s) {
		case "yes", "true", "1", "oui", "vrai":
			return "yes", ""
		case "no", "false", "0", "non", "faux":
			return "no", ""
		}
		return s, "planxlsx.err.flag"
	case list:
		var xs []string
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			if p = strings.TrimSpace(p); p != "" {
				xs = append(xs, p)
			}
		}
		return joinList(xs), ""
	}
	return s, ""
}
