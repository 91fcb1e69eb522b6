package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The rows of the biggest sheet are not kept in memory, not even in
// excelize's StreamWriter (which holds up to 16 MB of every streamed sheet
// until the workbook is zipped). excelize writes that sheet's frame — column
// widths, panes, merged header cells, autofilter, print setup and the header
// rows — and when it zips the sheet, spliceZip writes the data rows straight
// into the zip entry, computed from the data at that moment. The response
// is written as it is produced and memory does not grow with the plan.

// rowSink takes rows the way excelize's StreamWriter.SetRow does.
type rowSink interface {
	SetRow(cell string, values []any, opts ...excelize.RowOpts) error
}

// discardRows is the rowSink of a first pass, which only learns the last
// row (excelize needs it for the autofilter before the rows are written).
type discardRows struct{}

func (discardRows) SetRow(string, []any, ...excelize.RowOpts) error { return nil }

// xmlRows writes rows as SpreadsheetML, cell for cell what
// StreamWriter.SetRow writes for the value types the report uses.
type xmlRows struct {
	w    *bufio.Writer
	num  []byte
	cols []string // column letters by index - 1
}

func newXMLRows(w io.Writer) *xmlRows { return &xmlRows{w: bufio.NewWriterSize(w, 64<<10)} }

func (x *xmlRows) SetRow(cell string, values []any, opts ...excelize.RowOpts) error {
	col, row, err := excelize.CellNameToCoordinates(cell)
	if err != nil {
		return err
	}
	w := x.w
	w.WriteString(`<row r="`)
	w.WriteString(strconv.Itoa(row))
	w.WriteByte('"')
	for _, o := range opts {
		if o.StyleID > 0 {
			w.WriteString(` s="` + strconv.Itoa(o.StyleID) + `" customFormat="1"`)
		}
		if o.Height > 0 {
			w.WriteString(` ht="` + strconv.FormatFloat(o.Height, 'f', -1, 64) + `" customHeight="1"`)
		}
		if o.OutlineLevel > 0 {
			w.WriteString(` outlineLevel="` + strconv.Itoa(o.OutlineLevel) + `"`)
		}
		if o.Hidden {
			w.WriteString(` hidden="1"`)
		}
	}
	w.WriteByte('>')
	for i, v := range values {
		if v == nil {
			continue
		}
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			style, v = c.StyleID, c.Value
		}
		if v == nil {
			continue
		}
		if err := x.cell(col+i, row, style, v); err != nil {
			return err
		}
	}
	_, err = w.WriteString(`</row>`)
	return err
}

func (x *xmlRows) cell(col, row, style int, v any) error {
	w := x.w
	if t, ok := v.(time.Time); ok {
		// Excel's serial day number (days since 1899-12-30, which accounts
		// for Excel's phantom 29 February 1900), as excelize writes it.
		if t.Before(excelFirstDay) {
			t = excelEpoch
		}
		v = float64(t.Sub(excelEpoch)) / float64(24*time.Hour)
	}
	for len(x.cols) < col {
		name, err := excelize.ColumnNumberToName(len(x.cols) + 1)
		if err != nil {
			return err
		}
		x.cols = append(x.cols, name)
	}
	w.WriteString(`<c r="`)
	w.WriteString(x.cols[col-1])
	x.num = strconv.AppendInt(x.num[:0], int64(row), 10)
	w.Write(x.num)
	w.WriteByte('"')
	if style != 0 {
		w.WriteString(` s="`)
		x.num = strconv.AppendInt(x.num[:0], int64(style), 10)
		w.Write(x.num)
		w.WriteByte('"')
	}
	switch v := v.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return x.text(strconv.FormatFloat(v, 'f', -1, 64))
		}
		x.num = strconv.AppendFloat(x.num[:0], v, 'f', -1, 64)
		w.WriteString(`><v>`)
		w.Write(limitDigits(x.num))
		_, err := w.WriteString(`</v></c>`)
		return err
	case int:
		w.WriteString(`><v>`)
		w.WriteString(strconv.Itoa(v))
		_, err := w.WriteString(`</v></c>`)
		return err
	case string:
		return x.text(v)
	default:
		return errors.New("report: unsupported cell value")
	}
}

// text writes an inline string cell, as excelize does: at most 32,767
// UTF-16 units, whitespace at either end preserved, XML escaped, and
// literal "_xHHHH_" sequences escaped so no reader decodes them.
func (x *xmlRows) text(s string) error {
	w := x.w
	s = truncateUTF16(s, excelize.TotalCellChars)
	w.WriteString(` t="inlineStr"><is><t`)
	if s != "" && (strings.ContainsRune("\t\n\r ", rune(s[0])) || strings.ContainsRune("\t\n\r ", rune(s[len(s)-1]))) {
		w.WriteString(` xml:space="preserve"`)
	}
	w.WriteByte('>')
	if strings.Contains(s, "_x") {
		s = bstrEscape.ReplaceAllString(s, "_x005F$0")
	}
	escapeText(w, s)
	_, err := w.WriteString(`</t></is></c>`)
	return err
}

func (x *xmlRows) flush() error { return x.w.Flush() }

// excelEpoch is day 0 of Excel's date serials for dates after excelFirstDay.
var excelEpoch, excelFirstDay = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)

var bstrEscape = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// escapeText escapes XML text; newlines stay literal (as excelize writes
// them) and characters XML 1.0 forbids become U+FFFD.
func escapeText(b *bufio.Writer, s string) {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '<' && c != '>' && c != '&' && c != '"' && c != '\''
	}
	if plain {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\t':
			b.WriteString("&#x9;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '\n':
			b.WriteByte('\n')
		case r < 0x20 || r == utf8.RuneError || (r >= 0xFFFE && r <= 0xFFFF):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
}

// utf16Len is the length of s in UTF-16 code units, as Excel counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncateUTF16 cuts s to at most n UTF-16 code units (Excel's cell limit).
func truncateUTF16(s string, n int) string {
	if len(s) <= n {
		return s
	}
	units := 0
	for i, r := range s {
		units += len(utf16.Encode([]rune{r}))
		if units > n {
			return s[:i]
		}
	}
	return s
}

// limitDigits keeps Excel's 15 significant digits, as excelize does.
func limitDigits(num []byte) []byte {
	const maxPrec = 15
	dot, significant := bytes.IndexByte(num, '.'), 0
	for i, c := range num {
		if c < '0' || c > '9' || significant == 0 && c == '0' {
			continue
		}
		significant++
		if significant <= maxPrec {
			continue
		}
		if dot >= 0 && i > dot {
			return bytes.TrimSuffix(num[:i], []byte("."))
		}
		if dot < 0 {
			dot = len(num)
		}
		for ; i < dot; i++ {
			num[i] = '0'
		}
		return num[:dot]
	}
	return num
}

// spliceZip is the zip writer excelize writes the workbook into. For the
// entries given rows, it keeps excelize's sheet frame and writes the rows
// produced by the function in place of the empty sheet data.
//
// Every worksheet's head is also corrected on the way: its dimension
// element (excelize leaves "A1", so streaming readers see an empty sheet)
// gets the sheet's used range from dims, and the filterMode flag excelize
// sets with every autofilter (readers take it for rows hidden by a filter)
// goes.
type spliceZip struct {
	zw      *zip.Writer
	rows    map[string]func(rowSink) error
	dims    map[string]string
	charts  map[string]map[string]any
	chart   *chartCache
	pending *splice
	head    *headPatch
}

type splice struct {
	to    io.Writer
	frame bytes.Buffer
	rows  func(rowSink) error
}

func newSpliceZip(w io.Writer, rows map[string]func(rowSink) error, dims map[string]string, charts map[string]map[string]any) *spliceZip {
	zw := zip.NewWriter(w)
	// Fastest deflate: the workbook is mostly repetitive XML, and speed
	// matters more than the last few percent of size. One compressor
	// serves every entry in turn (the zip writer closes each before it
	// opens the next): a new one per entry cost 1 MB each, 25 MB a report.
	var fw *flate.Writer
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fw == nil {
			var err error
			fw, err = flate.NewWriter(out, flate.BestSpeed)
			return fw, err
		}
		fw.Reset(out)
		return fw, nil
	})
	return &spliceZip{zw: zw, rows: rows, dims: dims, charts: charts}
}

func (z *spliceZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	if cells := z.charts[name]; cells != nil {
		z.chart = &chartCache{to: w, cells: cells}
		return z.chart, nil
	}
	if strings.HasPrefix(name, "xl/worksheets/sheet") {
		z.head = &headPatch{to: w, dim: z.dims[name]}
		w = z.head
	}
	if rows := z.rows[name]; rows != nil {
		z.pending = &splice{to: w, rows: rows}
		return &z.pending.frame, nil
	}
	return w, nil
}

func (z *spliceZip) AddFS(fsys fs.FS) error {
	if err := z.finish(); err != nil {
		return err
	}
	return z.zw.AddFS(fsys)
}

func (z *spliceZip) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	return z.zw.Close()
}

// finish writes the pending sheet: its frame up to the end of the sheet
// data, the rows, then the rest of the frame.
func (z *spliceZip) finish() error {
	if err := z.finishSheet(); err != nil {
		return err
	}
	if c := z.chart; c != nil {
		z.chart = nil
		if err := c.flush(); err != nil {
			return err
		}
	}
	if h := z.head; h != nil {
		z.head = nil
		return h.flush()
	}
	return nil
}

// finishSheet writes the pending spliced sheet.
func (z *spliceZip) finishSheet() error {
	s := z.pending
	if s == nil {
		return nil
	}
	z.pending = nil
	frame := s.frame.Bytes()
	at := bytes.Index(frame, []byte("</sheetData>"))
	if at < 0 {
		return errors.New("report: streamed sheet has no sheet data")
	}
	if _, err := s.to.Write(frame[:at]); err != nil {
		return err
	}
	// The rows are made on one core and compressed on the other.
	pr, pw := io.Pipe()
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(s.to, pr)
		pr.CloseWithError(err)
		copied <- err
	}()
	x := newXMLRows(pw)
	err := s.rows(x)
	if err == nil {
		err = x.flush()
	}
	pw.CloseWithError(err)
	if cerr := <-copied; err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, err = s.to.Write(frame[at:])
	return err
}
