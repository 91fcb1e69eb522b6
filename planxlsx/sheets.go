// Package planxlsx exchanges a whole plan through one workbook: the
// export the secretariat edits in a spreadsheet, and the import that
// upserts it by code (a dry run lists every row as create, update,
// unchanged or error before anything is written; applying saves every row
// through the plan-editing functions of models in one transaction, or
// nothing). Nothing is ever deleted by an import.
package planxlsx

import (
	"slices"
	"strconv"
	"strings"
)

// kind says how a column's cells are read and written.
type kind int

const (
	text    kind = iota
	number       // a decimal number, written as a number cell
	integer      // a whole number, written as a number cell
	date         // an ISO date (YYYY-MM-DD), written as text
	flag         // yes or no
	list         // acronyms separated by commas, sorted
)

type column struct {
	name string
	kind kind
	// optional columns may be missing from a file (one written before
	// they existed): the row then keeps what is stored.
	optional bool
}

// sheetDef is one sheet of the workbook: its columns (the header row holds
// their names) and the columns that identify a row (the upsert key).
type sheetDef struct {
	name string
	cols []column
	key  []string
}

// Sheet names, in workbook and import order (what a row refers to comes first).
const (
	SheetPlan          = "plan"
	SheetOrganisations = "organisations"
	SheetBreakdowns    = "breakdowns"
	SheetPillars       = "pillars"
	SheetObjectives    = "objectives"
	SheetActivities    = "activities"
	SheetIndicators    = "indicators"
	SheetTargets       = "targets"
	SheetFunding       = "funding"
)

func cols(spec ...any) []column {
	var out []column
	for i := 0; i < len(spec); i += 2 {
		out = append(out, column{name: spec[i].(string), kind: spec[i+1].(kind)})
	}
	return out
}

// archived is the column of an archived item (yes or no), last on the
// sheets of the four tiers: an archived item is exported as archived and
// an import archives or restores it.
var archived = column{name: ColArchived, kind: flag, optional: true}

// ColArchived names the archived column.
const ColArchived = "archived"

// TranslationLanguages are the languages of the translation columns
// (title_fr, title_lo…) of every translatable text.
var TranslationLanguages = []string{"fr", "lo"}

func withTranslations(name string) []any {
	out := []any{name, text}
	for _, l := range TranslationLanguages {
		out = append(out, name+"_"+l, text)
	}
	return out
}

func join(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// sheets lists every sheet of the workbook.
var sheets = []sheetDef{
	{name: SheetPlan, key: []string{"code"}, cols: cols("code", text, "title", text, "description", text, "country", text,
		"start_year", integer, "end_year", integer, "frequency", text, "tier1_label", text, "tier2_label", text, "tier3_label", text,
		"green_threshold", number, "red_threshold", number, "language", text, "currency", text)},
	{name: SheetOrganisations, key: []string{"acronym"}, cols: cols("acronym", text, "name", text, "type", text)},
	{name: SheetBreakdowns, key: []string{"set", "dimension", "category"}, cols: cols("set", text, "set_name", text,
		"dimension", text, "dimension_name", text, "category", text, "category_label", text)},
	{name: SheetPillars, key: []string{"code"}, cols: append(cols(join([]any{"code", text, "position", integer}, withTranslations("title"),
		[]any{"description", text})...), archived)},
	{name: SheetObjectives, key: []string{"code"}, cols: append(cols(join([]any{"code", text, "position", integer}, withTranslations("title"),
		[]any{"description", text})...), archived)},
	{name: SheetActivities, key: []string{"code"}, cols: append(cols(join([]any{"code", text, "position", integer}, withTranslations("title"),
		[]any{"description", text, "start_date", date, "end_date", date, "lead", text, "supporting", list, "budget", number, "currency", text})...), archived)},
	{name: SheetIndicators, key: []string{"code"}, cols: append(cols(join([]any{"code", text, "parent", text, "position", integer},
		withTranslations("name"), []any{"definition", text, "unit_type", text, "unit_label", text, "direction", text,
			"accumulation", text, "baseline_value", number, "baseline_year", integer, "end_target", number,
			"means_of_verification", text, "reporting_org", text, "breakdown", text, "sensitive", flag})...), archived)},
	{name: SheetTargets, key: []string{"indicator", "year"}, cols: cols("indicator", text, "year", integer, "value", number)},
	{name: SheetFunding, key: []string{"activity", "funder", "line"}, cols: cols("activity", text, "funder", text, "line", integer,
		"amount", number, "currency", text, "status", text, "note", text)},
}

// col is the index of a column of the sheet (-1 when it has none).
func (d *sheetDef) col(name string) int {
	return slices.IndexFunc(d.cols, func(c column) bool { return c.name == name })
}

// Row is one row of a sheet: its cells in the sheet's column order, each
// in its canonical text (numbers as Go writes them, dates ISO, flags yes/no).
type Row []string

// Table is the rows of one sheet; Lines holds each row's line in the
// uploaded sheet (nil for a table loaded from the database).
type Table struct {
	def   *sheetDef
	Rows  []Row
	Lines []int
	file  *fileInfo
}

// Book is a whole plan in the workbook's shape: one table per sheet.
type Book struct {
	Tables map[string]*Table
}

func newBook() *Book {
	b := &Book{Tables: map[string]*Table{}}
	for i := range sheets {
		b.Tables[sheets[i].name] = &Table{def: &sheets[i]}
	}
	return b
}

// get is the cell of column name in a row.
func (t *Table) get(r Row, name string) string {
	i := t.def.col(name)
	if i < 0 || i >= len(r) {
		return ""
	}
	return r[i]
}

// key joins a row's key cells.
func (t *Table) key(r Row) string {
	parts := make([]string, len(t.def.key))
	for i, k := range t.def.key {
		parts[i] = t.get(r, k)
	}
	return strings.Join(parts, "\x1f")
}

// PlanCode is the code on the plan sheet ("" when it has no row).
func (b *Book) PlanCode() string {
	t := b.Tables[SheetPlan]
	if len(t.Rows) == 0 {
		return ""
	}
	return t.get(t.Rows[0], "code")
}

// formatNumber is the canonical text of a number.
func formatNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// codeLess orders dotted codes segment by segment, numbers by value
// (2.9 before 2.10), then as text.
func codeLess(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		switch {
		case errx == nil && erry == nil && x != y:
			return x - y
		case errx == nil && erry != nil:
			return -1
		case errx != nil && erry == nil:
			return 1
		case as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return len(as) - len(bs)
}
