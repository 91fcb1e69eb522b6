package offline

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/figures"
	"naptracker/i18n"
	"naptracker/reporting"

	"github.com/xuri/excelize/v2"
)

// TemplateOptions say who a template is made for and how it is signed.
type TemplateOptions struct {
	// L writes the headers, help texts and validation messages.
	L *i18n.Localizer
	// Keys sign the hidden sheet (HMAC with a key derived from the server key).
	Keys *account.Keyring
	// UserID is the user the template is made for (0 from the command line).
	UserID int64
	Now    time.Time
}

// WriteRangeTemplate writes the offline template of the grids of one
// organisation over consecutive periods (reporting.LoadValueGrids, for the
// user it is made for), in period order: one row per indicator owed in each
// period, and under a disaggregated one a row per breakdown cell; the
// identity and read-only columns protected, the inputs open with data
// validation by unit; a last column naming each row's period when there
// are several; and a very hidden sheet naming the plan, organisation, range
// and every row's indicator, period, value and version, signed with the
// server key.
func WriteRangeTemplate(w io.Writer, grids []*reporting.ValueGrid, o TemplateOptions) error {
	f := excelize.NewFile()
	defer f.Close()
	first, last := grids[0], grids[len(grids)-1]
	t := &templateWriter{sheetWriter: sheetWriter{f: f, l: o.L, sheet: sheetName(o.L.T("offline.sheet"), "Values")}, g: first,
		ranged: len(grids) > 1}
	if err := t.start(); err != nil {
		return err
	}
	m := &meta{Plan: first.Plan.Code, OrgID: first.Org.ID, Org: first.Org.Acronym, Period: rangeLabel(first.Period.Label, last.Period.Label),
		Lang: o.L.Lang, UserID: o.UserID, Generated: o.Now.UTC().Truncate(time.Second), Sheet: t.sheet}
	if err := t.header(m.Period); err != nil {
		return err
	}
	row := firstDataRow
	for _, g := range grids {
		t.g = g
		for i := range g.Rows {
			rows, err := t.item(&g.Rows[i], row)
			if err != nil {
				return err
			}
			m.Rows = append(m.Rows, rows...)
			row += len(rows)
		}
	}
	return t.finish(w, m, o.Keys)
}

// start names the input sheet and makes the styles.
func (t *sheetWriter) start() error {
	if err := t.f.SetSheetName("Sheet1", t.sheet); err != nil {
		return err
	}
	return t.styles()
}

// finish adds the validations, signs and writes the hidden sheet, protects
// the input sheet (only the open cells can be changed) and writes the file.
func (t *sheetWriter) finish(w io.Writer, m *meta, keys *account.Keyring) error {
	if err := t.validations(); err != nil {
		return err
	}
	m.Signature = sign(keys.Derive(signaturePurpose), m.payload())
	if err := writeMeta(t.f, m); err != nil {
		return err
	}
	if err := t.f.ProtectSheet(t.sheet, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
		FormatColumns: true, FormatRows: true}); err != nil {
		return err
	}
	_, err := t.f.WriteTo(w)
	return err
}

// sheetName makes a translated title a valid sheet name (fallback when
// nothing is left of it).
func sheetName(s, fallback string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if strings.TrimSpace(s) == "" || s == MetaSheet {
		s = fallback
	}
	return s
}

// sheetWriter writes the input sheet of a template: its styles and the
// data validation of its open cells.
type sheetWriter struct {
	f     *excelize.File
	l     *i18n.Localizer
	sheet string
	// Styles.
	head, title, text, num, input, inputNum, locked int
	// rules collects the input cells of each validation rule.
	rules map[string][]string
}

// templateWriter writes the values template.
type templateWriter struct {
	sheetWriter
	g *reporting.ValueGrid // the grid of the rows being written
	// ranged: the template covers several periods; each row names its own
	// in colPeriod.
	ranged bool
}

func (t *sheetWriter) styles() error {
	var err error
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = t.f.NewStyle(s)
		return id
	}
	open := &excelize.Protection{Locked: false}
	t.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	t.head = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})
	t.text = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})
	t.num = mk(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}, Border: border})
	t.input = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}, Protection: open,
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border, NumFmt: 49})
	t.inputNum = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}, Protection: open,
		Alignment: &excelize.Alignment{Vertical: "top"}, Border: border})
	t.locked = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}, Border: border,
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	return err
}

func (t *templateWriter) header(periods string) error {
	l, g := t.l, t.g
	prev := g.PreviousLabel
	if prev == "" {
		prev = "–"
	}
	title := l.T("offline.title", g.Org.Acronym, periods, g.Plan.Code)
	previous, lastCol := l.T("offline.col.previous", prev), "J"
	if t.ranged {
		previous, lastCol = l.T("offline.col.previous_period"), "K"
	}
	heads := []any{l.T("offline.col.code"), l.T("offline.col.name"), l.T("offline.col.unit"), l.T("offline.col.target"),
		previous, l.T("offline.col.status"), l.T("offline.col.value"), l.T("offline.col.text"),
		l.T("offline.col.narrative"), l.T("offline.col.reason")}
	if t.ranged {
		heads = append(heads, l.T("offline.updates.col.period"))
	}
	widths := map[string]float64{"A": 10, "B": 48, "C": 14, "D": 11, "E": 11, "F": 13, "G": 12, "H": 28, "I": 48, "J": 30, "K": 10}
	return t.heading(title, heads, lastCol+"2", widths, 2)
}

// heading writes the title row and the header row of the input sheet (the
// headers styled up to lastHead), the columns' widths, and freezes the
// header rows and the first frozenCols columns.
func (t *sheetWriter) heading(title string, heads []any, lastHead string, widths map[string]float64, frozenCols int) error {
	s := t.sheet
	if err := t.f.SetSheetRow(s, "A1", &[]any{title}); err != nil {
		return err
	}
	if err := t.f.SetCellStyle(s, "A1", "A1", t.title); err != nil {
		return err
	}
	if err := t.f.SetSheetRow(s, "A2", &heads); err != nil {
		return err
	}
	if err := t.f.SetCellStyle(s, "A2", lastHead, t.head); err != nil {
		return err
	}
	for col, width := range widths {
		if err := t.f.SetColWidth(s, col, col, width); err != nil {
			return err
		}
	}
	if err := t.f.SetRowHeight(s, 2, 32); err != nil {
		return err
	}
	return t.f.SetPanes(s, &excelize.Panes{Freeze: true, XSplit: frozenCols, YSplit: 2, TopLeftCell: cellRef(frozenCols+1, 3), ActivePane: "bottomRight"})
}

// figureCell writes a figure as the audience may see it: the number, or
// the word that replaces a hidden one.
func (t *templateWriter) figureCell(f *figures.Figure) any {
	switch {
	case f == nil || !f.Reported():
		return ""
	case f.Small:
		return "<5"
	case f.Withheld:
		return t.l.T("pages.withheld")
	}
	return *f.Value
}

// item writes the rows of one indicator from sheet row r and returns their meta lines.
func (t *templateWriter) item(gr *reporting.GridRow, r int) ([]metaRow, error) {
	l, g, s, ind := t.l, t.g, t.sheet, gr.Indicator
	editable := gr.Editable(g.Open())
	aud := figures.Internal // the template goes to those who report for the organisation
	stored := storedInput(gr)
	var cells []float64
	var cellKeys []string
	if gr.Set != nil {
		cellKeys = gr.Set.Cells()
		for _, k := range cellKeys {
			cells = append(cells, stored.Disaggregation[k])
		}
	}
	status := l.T("offline.status.none")
	unapproved := true
	if gr.Value != nil {
		status, unapproved = l.T("status."+gr.Value.Status), gr.Value.Status != domain.StatusApproved
	}
	if !editable {
		status += " · " + l.T("offline.status.locked")
	}
	total, split := figures.Disclose(ind.Sensitive, aud, stored.Value, cells, unapproved)
	var target *figures.Figure
	if gr.Target != nil {
		target = &figures.Figure{Value: gr.Target}
	}
	unit := l.T("unit." + ind.UnitType)
	if ind.UnitLabel != "" {
		unit += " (" + ind.UnitLabel + ")"
	}
	name := ind.Name
	if tr := strings.TrimSpace(ind.NameI18n[l.Lang]); tr != "" {
		name = tr
	}
	returned := gr.Value != nil && gr.Value.Status == domain.StatusReturned
	row := []any{ind.Code, name, unit, t.figureCell(target), t.figureCell(gr.Previous), status,
		t.figureCell(&total), stored.TextValue, stored.Narrative, ""}
	if err := t.f.SetSheetRow(s, cellRef(colCode, r), &row); err != nil {
		return nil, err
	}
	if err := t.style(r, colCode, colStatus, t.text); err != nil {
		return nil, err
	}
	inputs := []struct {
		col  int
		open bool
	}{{colValue, editable}, {colText, editable && ind.UnitType == domain.UnitMilestone}, {colNarrative, editable}, {colReason, editable && returned}}
	for _, in := range inputs {
		st := t.locked
		if in.open {
			st = t.input
			if in.col == colValue {
				st = t.inputNum
				t.rule(ind, in.col, r)
			}
		}
		if err := t.style(r, in.col, in.col, st); err != nil {
			return nil, err
		}
	}
	if err := t.period(r); err != nil {
		return nil, err
	}
	out := []metaRow{{SheetRow: r, Kind: kindIndicator, ItemID: ind.ID, Code: ind.Code, RowID: valueID(gr),
		Version: gr.Version(), Original: contentHash(stored)}}
	if t.ranged {
		out[0].Cell = g.Period.Label // the period of the row and of its breakdown rows
	}
	labels := cellLabels(gr.Set)
	for i, k := range cellKeys {
		r++
		var v any = ""
		if _, ok := stored.Disaggregation[k]; ok {
			v = t.figureCell(&split[i])
		}
		row := []any{ind.Code, "  " + labels[k], "", "", "", "", v}
		if err := t.f.SetSheetRow(s, cellRef(colCode, r), &row); err != nil {
			return nil, err
		}
		if err := t.style(r, colCode, colStatus, t.text); err != nil {
			return nil, err
		}
		st := t.locked
		if editable {
			st = t.inputNum
			t.rule(ind, colValue, r)
		}
		if err := t.style(r, colValue, colValue, st); err != nil {
			return nil, err
		}
		if err := t.style(r, colText, colReason, t.locked); err != nil {
			return nil, err
		}
		if err := t.f.SetRowOutlineLevel(s, r, 1); err != nil {
			return nil, err
		}
		if err := t.period(r); err != nil {
			return nil, err
		}
		out = append(out, metaRow{SheetRow: r, Kind: kindCell, ItemID: ind.ID, Code: ind.Code, Cell: k})
	}
	return out, nil
}

// period names the row's period in the last column of a range template.
func (t *templateWriter) period(r int) error {
	if !t.ranged {
		return nil
	}
	if err := t.f.SetCellStr(t.sheet, cellRef(colPeriod, r), t.g.Period.Label); err != nil {
		return err
	}
	return t.style(r, colPeriod, colPeriod, t.text)
}

func valueID(gr *reporting.GridRow) int64 {
	if gr.Value == nil {
		return 0
	}
	return gr.Value.ID
}

// cellLabels names each breakdown cell by its categories ("Female · Child").
func cellLabels(set *domain.DisaggregationSet) map[string]string {
	out := map[string]string{}
	if set == nil {
		return out
	}
	labels := map[string]string{}
	for _, d := range set.Dimensions {
		for _, c := range d.Categories {
			labels[d.Code+"="+c.Code] = c.Label
		}
	}
	for _, cell := range set.Cells() {
		var parts []string
		for _, p := range strings.Split(cell, ";") {
			parts = append(parts, labels[p])
		}
		out[cell] = strings.Join(parts, " · ")
	}
	return out
}

func (t *sheetWriter) style(r, from, to, style int) error {
	return t.f.SetCellStyle(t.sheet, cellRef(from, r), cellRef(to, r), style)
}

// ruleOf names the validation of an indicator's value cells.
func ruleOf(ind domain.Indicator) string {
	switch {
	case ind.UnitType == domain.UnitPercentage:
		return "percentage"
	case ind.UnitType == domain.UnitYesNo || ind.UnitType == domain.UnitMilestone:
		return "yes_no"
	case ind.Sensitive:
		return "count" // counts of people: whole numbers
	}
	return "number"
}

func (t *templateWriter) rule(ind domain.Indicator, col, r int) { t.addRule(ruleOf(ind), col, r) }

// addRule adds a cell to the cells of a validation rule.
func (t *sheetWriter) addRule(name string, col, r int) {
	if t.rules == nil {
		t.rules = map[string][]string{}
	}
	refs := t.rules[name]
	ref := cellRef(col, r)
	// Consecutive rows of a rule become one range ("G3:G9").
	if n := len(refs); n > 0 {
		last := refs[n-1]
		from, to, _ := strings.Cut(last, ":")
		if to == "" {
			to = from
		}
		if _, lr, err := excelize.CellNameToCoordinates(to); err == nil && lr == r-1 && strings.HasPrefix(to, columnName(col)) {
			refs[n-1] = from + ":" + ref
			return
		}
	}
	t.rules[name] = append(refs, ref)
}

// validations adds one data validation per rule over all its cells.
func (t *sheetWriter) validations() error {
	for _, name := range []string{"number", "count", "percentage", "yes_no", "percent_complete", "expenditure", "progress"} {
		refs := t.rules[name]
		if len(refs) == 0 {
			continue
		}
		dv := excelize.NewDataValidation(true)
		var err error
		switch name {
		case "number":
			err = dv.SetRange(0, 1e12, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		case "count":
			err = dv.SetRange(0, 1e12, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
		case "percentage":
			err = dv.SetRange(0, 100, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		case "yes_no":
			err = dv.SetRange(0, 1, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
		case "percent_complete": // as the update grid: a whole percentage
			err = dv.SetRange(0, 100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
		case "expenditure":
			err = dv.SetRange(0, 1e13, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		case "progress": // the statuses the update grid offers, in the template's language
			err = dv.SetDropList(progressLabels(t.l))
		}
		if err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, t.l.T("offline.dv.title"), t.l.T("offline.dv."+name))
		dv.SetInput(t.l.T("offline.dv.title"), t.l.T("offline.dv."+name))
		dv.SetSqref(strings.Join(refs, " "))
		if err := t.f.AddDataValidation(t.sheet, dv); err != nil {
			return err
		}
	}
	return nil
}

// writeMeta writes the very hidden sheet.
func writeMeta(f *excelize.File, m *meta) error {
	if _, err := f.NewSheet(MetaSheet); err != nil {
		return err
	}
	head := [][]any{
		{"format", m.format()}, {"plan", m.Plan}, {"organisation", strconv.FormatInt(m.OrgID, 10), m.Org}, {"period", m.Period},
		{"language", m.Lang}, {"user", strconv.FormatInt(m.UserID, 10)}, {"generated", m.Generated.Format(time.RFC3339)},
		{"sheet", m.Sheet}, {"signature", m.Signature},
		{"row", "kind", "indicator", "code", "cell", "value", "version", "original"},
	}
	if m.format() == UpdatesFormat {
		head[len(head)-1] = []any{"row", "kind", "activity", "code", "period", "update", "version", "original"}
	}
	for i, row := range head {
		if err := f.SetSheetRow(MetaSheet, cellRef(1, i+1), &row); err != nil {
			return err
		}
	}
	for i, r := range m.Rows {
		row := []any{strconv.Itoa(r.SheetRow), r.Kind, strconv.FormatInt(r.ItemID, 10), r.Code, r.Cell,
			strconv.FormatInt(r.RowID, 10), strconv.Itoa(r.Version), r.Original}
		if err := f.SetSheetRow(MetaSheet, cellRef(1, len(head)+1+i), &row); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(MetaSheet, false, true); err != nil {
		return err
	}
	return f.ProtectSheet(MetaSheet, &excelize.SheetProtectionOptions{})
}

func cellRef(col, row int) string {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(fmt.Sprintf("cell %d,%d: %v", col, row, err)) // columns and rows are ours, within bounds
	}
	return ref
}

func columnName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}
