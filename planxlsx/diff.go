package planxlsx

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"naptracker/domain"
)

// Row statuses of an import preview.
const (
	Create    = "create"
	Update    = "update"
	Unchanged = "unchanged"
	Invalid   = "error"
)

// Change is one field an update changes.
type Change struct {
	Column string `json:"column"`
	Old    string `json:"old"`
	New    string `json:"new"`
}

// RowResult is what the import does with one row of the file.
type RowResult struct {
	Sheet   string
	Line    int
	Key     string // the row's key cells, joined by " / "
	Status  string
	Changes []Change
	Errors  []CellError
}

// Result is the preview of an import, or what it did.
type Result struct {
	Plan   string
	SHA256 string
	Rows   []RowResult
	// Applied is set when the import was written.
	Applied bool
}

// Count counts the rows with a status.
func (r *Result) Count(status string) int {
	n := 0
	for _, x := range r.Rows {
		if x.Status == status {
			n++
		}
	}
	return n
}

// Digest sums up what the preview would do, so that a confirmation made
// from a preview is refused when the plan changed since.
func (r *Result) Digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", r.Plan, r.SHA256)
	for _, x := range r.Rows {
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00", x.Sheet, x.Line, x.Status)
		for _, c := range x.Changes {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00", c.Column, c.Old, c.New)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// diff compares every row of the file with the database: create when its
// key is new, update (with the changed fields) when a cell differs,
// unchanged otherwise; a row repeating the key of an earlier row, or that
// could not be read, is an error. rows[sheet][i] is the result of the
// i-th row of that sheet.
func diff(file, current *Book) map[string][]*RowResult {
	out := map[string][]*RowResult{}
	for i := range sheets {
		d := &sheets[i]
		ft, ct := file.Tables[d.name], current.Tables[d.name]
		have := map[string]Row{}
		for _, r := range ct.Rows {
			have[ct.key(r)] = r
		}
		seen := map[string]int{}
		for n, r := range ft.Rows {
			keyCells := make([]string, len(d.key))
			for j, k := range d.key {
				keyCells[j] = ft.get(r, k)
			}
			res := &RowResult{Sheet: d.name, Line: ft.Lines[n], Key: strings.Join(keyCells, " / "), Errors: ft.file.errs[n]}
			out[d.name] = append(out[d.name], res)
			k := ft.key(r)
			if first, dup := seen[k]; dup {
				res.Errors = append(res.Errors, CellError{Sheet: d.name, Cell: ft.ref(n, d.key[len(d.key)-1]),
					Msg: domain.Message{Key: "planxlsx.err.duplicate", Args: []any{res.Key, first}}})
			} else {
				seen[k] = ft.Lines[n]
			}
			old, exists := have[k]
			switch {
			case !exists:
				res.Status = Create
			default:
				for j, c := range d.cols {
					if c.optional && ft.file != nil && ft.file.cols[j] < 0 {
						r[j] = old[j] // a column the file does not have
					}
					if old[j] != r[j] {
						res.Changes = append(res.Changes, Change{Column: c.name, Old: old[j], New: r[j]})
					}
				}
				res.Status = Unchanged
				if len(res.Changes) > 0 {
					res.Status = Update
				}
			}
			if len(res.Errors) > 0 {
				res.Status = Invalid
			}
		}
	}
	return out
}

// fail marks a row as an error with a message on one of its cells.
func (t *Table) fail(res *RowResult, i int, column, key string, args ...any) {
	res.Status = Invalid
	res.Errors = append(res.Errors, CellError{Sheet: t.def.name, Cell: t.ref(i, column), Msg: domain.Message{Key: key, Args: args}})
}

// Details are a row's changes (old → new) and messages, translated by t
// (a localizer's T).
func (r RowResult) Details(t func(key string, args ...any) string) []string {
	var out []string
	orEmpty := func(s string) string {
		if s == "" {
			return t("planxlsx.empty")
		}
		return s
	}
	for _, c := range r.Changes {
		out = append(out, t("planxlsx.change", c.Column, orEmpty(c.Old), orEmpty(c.New)))
	}
	for _, e := range r.Errors {
		out = append(out, e.Cell+": "+e.Msg.Translate(t))
	}
	return out
}
