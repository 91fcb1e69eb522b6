package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"naptracker/domain"

	"github.com/xuri/excelize/v2"
)

// fontName renders Lao script as well as Latin; it is the workbook's
// default font, so a spreadsheet without it falls back to a font of the
// same script (Phetsarath OT, Saysettha OT) rather than to boxes.
const fontName = "Noto Sans Lao"

// styles are the cell styles of the workbook, created once.
type styles struct {
	title, subtitle, header, text, wrap, bold  int
	pillar, objective, indent                  int
	intNum, decNum, pct, money, date, dateTime int
	// unapproved numbers: the same formats, marked by fill and italics.
	uIntNum, uDecNum, uPct int
	rag                    map[string]int
	note                   int
}

// ragColours are the fill and font colours of each rating; the word is
// always written beside, so colour is never the only signal.
var ragColours = map[string][2]string{
	domain.RAGOnTrack:  {"C6EFCE", "006100"},
	domain.RAGBehind:   {"FFEB9C", "7A4500"},
	domain.RAGOffTrack: {"FFC7CE", "9C0006"},
	domain.RAGNoData:   {"EDEDED", "404040"},
	domain.RAGNotDue:   {"EDEDED", "404040"},
	domain.RAGWithheld: {"D9E1F2", "1F3864"},
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	font := func(bold, italic bool, size float64, colour string) *excelize.Font {
		return &excelize.Font{Family: fontName, Bold: bold, Italic: italic, Size: size, Color: colour}
	}
	fill := func(colour string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}
	}
	top := &excelize.Alignment{Vertical: "top"}
	wrapTop := &excelize.Alignment{Vertical: "top", WrapText: true}
	thin := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	num := func(format string, unapproved bool) *excelize.Style {
		st := &excelize.Style{Font: font(false, false, 10, ""), CustomNumFmt: &format, Alignment: top}
		if unapproved {
			st.Font.Italic, st.Fill = true, fill("FCE4D6")
		}
		return st
	}
	defs := []struct {
		dst *int
		st  *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: font(true, false, 14, "1F3864")}},
		{&s.subtitle, &excelize.Style{Font: font(false, true, 10, "404040"), Alignment: &excelize.Alignment{WrapText: false}}},
		{&s.header, &excelize.Style{Font: font(true, false, 10, ""), Fill: fill("D9E1F2"), Border: thin,
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.text, &excelize.Style{Font: font(false, false, 10, ""), Alignment: top}},
		{&s.wrap, &excelize.Style{Font: font(false, false, 10, ""), Alignment: wrapTop}},
		{&s.bold, &excelize.Style{Font: font(true, false, 10, ""), Alignment: top}},
		{&s.pillar, &excelize.Style{Font: font(true, false, 11, "FFFFFF"), Fill: fill("1F4E78")}},
		{&s.objective, &excelize.Style{Font: font(true, false, 10, ""), Fill: fill("DDEBF7")}},
		{&s.indent, &excelize.Style{Font: font(false, true, 9, "404040"), Alignment: &excelize.Alignment{Indent: 2, Vertical: "top"}}},
		{&s.intNum, num("#,##0", false)},
		{&s.decNum, num("#,##0.00", false)},
		{&s.pct, num("0.0%", false)},
		{&s.money, num("#,##0", false)},
		{&s.date, num("yyyy-mm-dd", false)},
		{&s.dateTime, num("yyyy-mm-dd hh:mm", false)},
		{&s.uIntNum, num("#,##0", true)},
		{&s.uDecNum, num("#,##0.00", true)},
		{&s.uPct, num("0.0%", true)},
		{&s.note, &excelize.Style{Font: font(false, true, 9, "7A4500"), Alignment: top}},
	}
	for _, d := range defs {
		if *d.dst, err = f.NewStyle(d.st); err != nil {
			return s, err
		}
	}
	s.rag = map[string]int{}
	// In a fixed order, so that two reports number their styles alike.
	for _, rag := range slices.Sorted(maps.Keys(ragColours)) {
		c := ragColours[rag]
		st := &excelize.Style{Font: font(true, false, 9, c[1]), Fill: fill(c[0]), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}
		if s.rag[rag], err = f.NewStyle(st); err != nil {
			return s, err
		}
	}
	return s, nil
}

// safe makes text that a spreadsheet could take for a formula (starting
// with = + - @, a tab or a carriage return) inert: it is always written as
// a string cell, and such text also gets a leading space, so that copying
// it out as CSV cannot turn it into a formula either.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return " " + s
	}
	return s
}

// str is a string cell with a style.
func str(style int, s string) excelize.Cell { return excelize.Cell{StyleID: style, Value: safe(s)} }

// number is a numeric cell, whole numbers without decimals; unapproved
// numbers get the marked style.
func (s styles) number(x float64, unapproved bool) excelize.Cell {
	st := s.decNum
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		st = s.intNum
		if unapproved {
			st = s.uIntNum
		}
	} else if unapproved {
		st = s.uDecNum
	}
	return excelize.Cell{StyleID: st, Value: x}
}

// percent is a fraction shown as a percentage.
func (s styles) percent(x float64, unapproved bool) excelize.Cell {
	if unapproved {
		return excelize.Cell{StyleID: s.uPct, Value: x}
	}
	return excelize.Cell{StyleID: s.pct, Value: x}
}

// dash marks a cell with no data.
func (s styles) dash() excelize.Cell { return excelize.Cell{StyleID: s.text, Value: "–"} }

// pageSetup prints a sheet on A4 landscape with its header rows first..last
// repeated on every page and the plan, the audience banner, the sheet, the
// data status and page numbers in the header and footer. A narrow sheet
// (repeatCols 0) fits the page width. A wide one, whose columns are widths
// characters wide, is fitted to as many pages across as keep its 10-point
// text at 8 points or more, each page repeating its first repeatCols
// columns so that a row can be followed across pages; shrinking it to one
// page wide made the IPTT's text 3–4 points. (A plain print scale makes
// LibreOffice add blank pages.)
func (b *build) pageSetup(sheet string, first, last, repeatCols int, widths []float64) error {
	land, a4, zero := "landscape", 9, 0
	lay := &excelize.PageLayoutOptions{Orientation: &land, Size: &a4, FitToHeight: &zero}
	across := 1
	if repeatCols > 0 {
		across = pagesAcross(widths, repeatCols)
	}
	lay.FitToWidth = &across
	if err := b.f.SetPageLayout(sheet, lay); err != nil {
		return err
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "&", "&&") }
	hf := &excelize.HeaderFooterOptions{
		OddHeader: fmt.Sprintf("&L%s&C%s&R%s", esc(b.tree.Plan.Code), esc(b.audienceBanner()), esc(sheet)),
		// The page number codes go in after the text is escaped.
		OddFooter: fmt.Sprintf("&L%s&R%s", esc(b.statusLabel()),
			strings.NewReplacer("\x00P", "&P", "\x00N", "&N").Replace(esc(b.L.T("report.page", "\x00P", "\x00N")))),
	}
	if err := b.f.SetHeaderFooter(sheet, hf); err != nil {
		return err
	}
	// The print area is the used range: styled rows (the pillar bands)
	// would otherwise make LibreOffice print blank pages to their right.
	if dim := b.dims[sheetPath(sheetKeys, b.keyOf(sheet))]; dim != "" {
		from, to, _ := strings.Cut(dim, ":")
		abs := func(cell string) string {
			c, r, _ := excelize.CellNameToCoordinates(cell)
			return "$" + colName(c) + "$" + strconv.Itoa(max(r, b.printRows[sheet]))
		}
		area := &excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("'%s'!%s:%s", sheet, abs(from), abs(to)), Scope: sheet}
		if err := b.f.SetDefinedName(area); err != nil {
			return err
		}
	}
	titles := fmt.Sprintf("'%s'!$%d:$%d", sheet, first, last)
	if repeatCols > 0 {
		titles = fmt.Sprintf("'%s'!$A:$%s,%s", sheet, colName(repeatCols), titles)
	}
	return b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: titles, Scope: sheet})
}

// filter puts an autofilter on a table whose header is row header and last
// row lastRow, when it has data rows, and records the sheet's used range.
// excelize marks every filtered sheet as having a filter applied
// (filterMode), which readers take for hidden rows: spliceZip removes it.
func (b *build) filter(sheet string, cols, header, lastRow int) error {
	b.used(b.keyOf(sheet), cols, max(lastRow, header))
	if lastRow <= header {
		return nil
	}
	return b.f.AutoFilter(sheet, cellName(1, header)+":"+cellName(cols, lastRow), nil)
}

// used records the used range of a sheet (A1 to the given column and row),
// which spliceZip writes into its dimension element.
func (b *build) used(key string, cols, rows int) {
	path := sheetPath(sheetKeys, key)
	if old := b.dims[path]; old != "" { // keep the larger of two ranges
		_, to, _ := strings.Cut(old, ":")
		c, r, _ := excelize.CellNameToCoordinates(to)
		cols, rows = max(cols, c), max(rows, r)
	}
	b.dims[path] = "A1:" + cellName(max(cols, 1), max(rows, 1))
}

// keyOf is the key of a sheet by its (translated) name.
func (b *build) keyOf(sheet string) string {
	for k, name := range b.sheet {
		if name == sheet {
			return k
		}
	}
	return ""
}

// long is a cell of free text that may exceed what a cell holds (32,767
// characters): cut, it ends with a visible mark saying where the full
// text is.
func (b *build) long(style int, s string) excelize.Cell {
	if len(s) > excelize.TotalCellChars/2 {
		mark := b.L.T("report.cut")
		if cut := truncateUTF16(s, excelize.TotalCellChars-utf16Len(mark)-1); len(cut) < len(s) {
			s = cut + mark
		}
	}
	return str(style, s)
}

// sheetProps fits a sheet to its pages (see pageSetup) and puts outline
// summary rows above their details (an indicator above its breakdown).
// Streamed sheets must call it before their stream writer is created.
// streamSheet opens the sheet of key for streaming, with the report's sheet
// properties, the panes frozen as given and the column widths.
func (b *build) streamSheet(key string, panes *excelize.Panes, widths []float64) (string, *excelize.StreamWriter, error) {
	sheet := b.sheet[key]
	if err := b.sheetProps(sheet); err != nil {
		return "", nil, err
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return "", nil, err
	}
	if err := sw.SetPanes(panes); err != nil {
		return "", nil, err
	}
	return sheet, sw, setWidths(sw, widths)
}

// headRow writes the column headings (the catalogue's report.col.<key>) in row.
func (b *build) headRow(sw *excelize.StreamWriter, row int, keys []string) error {
	heads := make([]any, len(keys))
	for i, k := range keys {
		heads[i] = str(b.st.header, b.L.T("report.col."+k))
	}
	return sw.SetRow(cellName(1, row), heads, excelize.RowOpts{Height: 30})
}

func (b *build) sheetProps(sheet string) error {
	yes, no := true, false
	return b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &yes, OutlineSummaryBelow: &no})
}

// pageChars is how many characters of column width an A4 landscape page
// holds with 10-point text printed at about 8.5 points.
const pageChars = 130

// pagesAcross is the number of pages across that prints columns of these
// widths, the first repeatCols of them repeated on every page, with no
// page holding more than pageChars.
func pagesAcross(widths []float64, repeatCols int) int {
	var total, rep float64
	for i, w := range widths {
		total += w
		if i < repeatCols {
			rep += w
		}
	}
	if total <= pageChars {
		return 1
	}
	return int(math.Ceil((total - rep) / (pageChars - rep)))
}

// cellName is the A1 name of a cell (column and row from 1).
func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// colName is the letter name of a column.
func colName(col int) string {
	n, _ := excelize.ColumnNumberToName(col)
	return n
}

// widthSetter is a stream writer or a sheet in normal mode.
type widthSetter interface {
	SetColWidth(minVal, maxVal int, width float64) error
}

// setWidths sets column widths from the first column on.
func setWidths(w widthSetter, widths []float64) error {
	for i, x := range widths {
		if err := w.SetColWidth(i+1, i+1, x); err != nil {
			return err
		}
	}
	return nil
}

// sheetWidths sets the widths of a sheet in normal mode.
type sheetWidths struct {
	f     *excelize.File
	sheet string
}

// SetColWidth sets the width of columns minVal..maxVal.
func (s sheetWidths) SetColWidth(minVal, maxVal int, width float64) error {
	return s.f.SetColWidth(s.sheet, colName(minVal), colName(maxVal), width)
}

// wrapHeight is the height in points a row needs to show its wrapped texts
// whole — texts[i] in a column widths[i] characters wide, at the workbook's
// 10-point font — or 0 (the default height) when one line is enough.
// LibreOffice does not grow rows for wrapped text by itself, so cells were
// cut to one line.
func wrapHeight(texts []string, widths []float64) float64 {
	lines := 1
	for i, t := range texts {
		if t == "" {
			continue
		}
		perLine := max(1, int(widths[i]*1.1))
		n := 0
		for _, par := range strings.Split(t, "\n") {
			n += max(1, (utf8.RuneCountInString(par)+perLine-1)/perLine)
		}
		lines = max(lines, n)
	}
	if lines <= 1 {
		return 0
	}
	return min(409, float64(lines)*14+4)
}

// fitRow gives the row options that show the row's wrapped text cells
// whole, the columns being widths characters wide (see wrapHeight).
func (b *build) fitRow(cells []any, widths []float64) excelize.RowOpts {
	texts, ws := make([]string, 0, 4), make([]float64, 0, 4)
	for i, c := range cells {
		cell, ok := c.(excelize.Cell)
		if !ok || i >= len(widths) || (cell.StyleID != b.st.wrap && cell.StyleID != b.st.note) {
			continue
		}
		if s, ok := cell.Value.(string); ok {
			texts, ws = append(texts, s), append(ws, widths[i])
		}
	}
	return excelize.RowOpts{Height: wrapHeight(texts, ws)}
}
