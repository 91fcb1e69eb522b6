package offline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"
)

// File is an uploaded template, read and its signature checked: what it
// is for, and what each of its indicators holds now.
type File struct {
	// SHA256 is the hex digest of the uploaded bytes, for the audit log.
	SHA256 string
	Plan   string
	OrgID  int64
	Org    string
	// Period is the period's label, or of a range "FROM..TO".
	Period string
	// Lang is the language the template was made in (numbers typed as
	// text are read in its notation).
	Lang      string
	UserID    int64
	Generated time.Time
	Items     []Item
}

// Item is one indicator of the file: its identity as the file was made,
// what its input cells hold now, and the cells that could not be read.
type Item struct {
	Code string
	// Period is the label of the item's period (of a template of a range,
	// each row's own).
	Period      string
	IndicatorID int64
	ValueID     int64
	Version     int
	// Original is the hash of the inputs when the file was made.
	Original string
	// Row is the sheet row of the indicator; CellRows the row of each
	// breakdown cell.
	Row      int
	CellRows map[string]int
	Input    reporting.ValueInput
	Errors   []CellError
}

// CellError is a message about one cell ("G7").
type CellError struct {
	Cell string
	Msg  domain.Message
}

// Parse reads an uploaded template with the hostile-file-safe reader and
// checks its hidden sheet against the server keys: a file that is not a
// template, or whose identity was changed, is refused (a *Refusal) before
// any of its values is looked at. Cells that cannot be read are kept as
// errors of their item, with their address.
func Parse(data []byte, keys *account.Keyring, lim Limits) (*File, error) {
	sf, err := readSigned(data, keys, lim, Format)
	if err != nil {
		return nil, err
	}
	defer sf.b.Close()
	m, data2, sum := sf.meta, sf.rows, sf.sum
	f := &File{SHA256: hex.EncodeToString(sum[:]), Plan: m.Plan, OrgID: m.OrgID, Org: m.Org, Period: m.Period,
		Lang: m.Lang, UserID: m.UserID, Generated: m.Generated}
	p := &itemParser{b: sf.b, sheet: m.Sheet, rows: data2, lang: m.Lang}
	for _, r := range m.Rows {
		if r.Kind == kindIndicator {
			period := r.Cell
			if period == "" {
				period = m.Period
			}
			f.Items = append(f.Items, Item{Code: r.Code, Period: period, IndicatorID: r.ItemID, ValueID: r.RowID, Version: r.Version,
				Original: r.Original, Row: r.SheetRow, CellRows: map[string]int{}, Input: reporting.ValueInput{Version: r.Version}})
		}
		if len(f.Items) == 0 || f.Items[len(f.Items)-1].IndicatorID != r.ItemID {
			return nil, refuse(KindTampered, "offline.err.tampered", errors.New("a breakdown row before its indicator"))
		}
		if err := p.read(&f.Items[len(f.Items)-1], r); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// signedFile is an uploaded template whose hidden sheet was read and
// whose signature holds: the open reader, the meta, the input sheet's rows
// (as far as the signed rows go, and a margin for notes typed below), and
// the file's SHA-256.
type signedFile struct {
	b    *book
	meta *meta
	rows [][]string
	sum  [sha256.Size]byte
}

// readSigned opens an upload and checks its hidden sheet: a file that is
// not a template, is a template of another kind than format, or whose
// identity was changed is refused (a *Refusal) before any of its inputs is
// looked at. The caller closes the reader.
func readSigned(data []byte, keys *account.Keyring, lim Limits, format string) (*signedFile, error) {
	sum := sha256.Sum256(data)
	b, err := openBook(data, lim)
	if err != nil {
		return nil, err
	}
	sf, err := checkSigned(b, keys, format)
	if err != nil {
		b.Close()
		return nil, err
	}
	sf.sum = sum
	return sf, nil
}

func checkSigned(b *book, keys *account.Keyring, format string) (*signedFile, error) {
	sheets, err := b.sheets()
	if err != nil {
		return nil, err
	}
	if !contains(sheets, MetaSheet) {
		return nil, refuse(KindTampered, "offline.err.not_template", nil)
	}
	raw, err := b.rows(MetaSheet)
	if err != nil {
		return nil, err
	}
	m, err := parseMeta(raw)
	if err != nil {
		return nil, err
	}
	if !m.verify(keys) {
		return nil, refuse(KindTampered, "offline.err.tampered", nil)
	}
	if m.format() != format {
		return nil, refuse(KindTampered, "offline.err.wrong_kind."+m.format(), nil)
	}
	if !contains(sheets, m.Sheet) {
		return nil, refuse(KindTampered, "offline.err.sheet_missing", nil, m.Sheet)
	}
	// The input sheet is read only as far as the signed rows go (and a
	// margin for notes typed below): its cells are then looked at one by
	// one, which loads the sheet whole.
	last := firstDataRow
	for _, r := range m.Rows {
		last = max(last, r.SheetRow)
	}
	rows, err := b.rowsUpTo(m.Sheet, last+200)
	if err != nil {
		return nil, err
	}
	return &signedFile{b: b, meta: m, rows: rows}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseMeta reads the hidden sheet; anything out of shape is a file that
// was not made here, or was altered.
func parseMeta(raw [][]string) (*meta, error) {
	cell := func(r, c int) string {
		if r < len(raw) && c < len(raw[r]) {
			return raw[r][c]
		}
		return ""
	}
	if cell(0, 0) != "format" || (cell(0, 1) != Format && cell(0, 1) != UpdatesFormat) {
		return nil, refuse(KindTampered, "offline.err.not_template", nil)
	}
	bad := func(err error) error { return refuse(KindTampered, "offline.err.tampered", err) }
	kinds := []string{kindIndicator, kindCell}
	if cell(0, 1) == UpdatesFormat {
		kinds = []string{kindUpdate}
	}
	m := &meta{Format: cell(0, 1), Plan: cell(1, 1), Org: cell(2, 2), Period: cell(3, 1), Lang: cell(4, 1), Sheet: cell(7, 1), Signature: cell(8, 1)}
	var err error
	if m.OrgID, err = strconv.ParseInt(cell(2, 1), 10, 64); err != nil {
		return nil, bad(err)
	}
	if m.UserID, err = strconv.ParseInt(cell(5, 1), 10, 64); err != nil {
		return nil, bad(err)
	}
	if m.Generated, err = time.Parse(time.RFC3339, cell(6, 1)); err != nil {
		return nil, bad(err)
	}
	for i := 10; i < len(raw); i++ {
		var r metaRow
		var e1, e2, e3, e4 error
		r.SheetRow, e1 = strconv.Atoi(cell(i, 0))
		r.Kind = cell(i, 1)
		r.ItemID, e2 = strconv.ParseInt(cell(i, 2), 10, 64)
		r.Code, r.Cell = cell(i, 3), cell(i, 4)
		r.RowID, e3 = strconv.ParseInt(cell(i, 5), 10, 64)
		r.Version, e4 = strconv.Atoi(cell(i, 6))
		r.Original = cell(i, 7)
		if err := errors.Join(e1, e2, e3, e4); err != nil || !contains(kinds, r.Kind) || r.SheetRow < firstDataRow {
			return nil, bad(err)
		}
		m.Rows = append(m.Rows, r)
	}
	return m, nil
}

// itemParser reads the input cells of the values sheet.
type itemParser struct {
	b     *book
	sheet string
	rows  [][]string
	lang  string
}

func (p *itemParser) raw(col, row int) string {
	if row-1 < len(p.rows) && col-1 < len(p.rows[row-1]) {
		return p.rows[row-1][col-1]
	}
	return ""
}

// read fills the item with the inputs of one of its rows.
func (p *itemParser) read(it *Item, r metaRow) error {
	if got := strings.TrimSpace(p.raw(colCode, r.SheetRow)); got != r.Code {
		it.Errors = append(it.Errors, CellError{cellRef(colCode, r.SheetRow), domain.Message{Key: "offline.err.row_moved", Args: []any{r.Code}}})
		return nil
	}
	x, msg, err := p.number(colValue, r.SheetRow)
	if err != nil {
		return err
	}
	if msg != nil {
		it.Errors = append(it.Errors, CellError{cellRef(colValue, r.SheetRow), *msg})
	}
	if r.Kind == kindCell {
		it.CellRows[r.Cell] = r.SheetRow
		if x != nil {
			if it.Input.Disaggregation == nil {
				it.Input.Disaggregation = map[string]float64{}
			}
			it.Input.Disaggregation[r.Cell] = *x
		}
		return nil
	}
	it.Input.Value = x
	for _, c := range []struct {
		col int
		to  *string
	}{{colText, &it.Input.TextValue}, {colNarrative, &it.Input.Narrative}, {colReason, &it.Input.Reason}} {
		s, msg, err := p.text(c.col, r.SheetRow)
		if err != nil {
			return err
		}
		if msg != nil {
			it.Errors = append(it.Errors, CellError{cellRef(c.col, r.SheetRow), *msg})
		}
		*c.to = s
	}
	return nil
}

// number reads a value cell: a number as stored (a date is its serial
// number), or text in the template language's notation or plain digits.
// A formula is refused: what it computes is not what was typed, and a
// file saved by a program that does not calculate has no result for it.
func (p *itemParser) number(col, row int) (*float64, *domain.Message, error) {
	raw := strings.TrimSpace(p.raw(col, row))
	k, err := p.b.kind(p.sheet, cellRef(col, row))
	if err != nil {
		return nil, nil, err
	}
	switch {
	case k == cellFormula:
		return nil, &domain.Message{Key: "offline.err.formula"}, nil
	case raw == "":
		return nil, nil, nil
	case k == cellNumber:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &domain.Message{Key: "value.not_a_number"}, nil
		}
		return &x, nil, nil
	case k == cellText:
		x, err := i18n.ParseNumber(p.lang, raw)
		if errors.Is(err, i18n.ErrAmbiguous) {
			return nil, &domain.Message{Key: "value.ambiguous_number"}, nil
		}
		if err != nil {
			if y, err := i18n.ParseNumber(i18n.Default, raw); err == nil && !strings.Contains(raw, ",") {
				return &y, nil, nil // plain digits and a decimal point, in any language
			}
			return nil, &domain.Message{Key: "value.not_a_number"}, nil
		}
		return &x, nil, nil
	}
	return nil, &domain.Message{Key: "value.not_a_number"}, nil
}

// text reads a text cell; a number or date typed there is kept as shown.
func (p *itemParser) text(col, row int) (string, *domain.Message, error) {
	raw := p.raw(col, row)
	k, err := p.b.kind(p.sheet, cellRef(col, row))
	if err != nil {
		return "", nil, err
	}
	switch k {
	case cellFormula:
		return "", &domain.Message{Key: "offline.err.formula"}, nil
	case cellNumber, cellOther:
		if raw == "" {
			return "", nil, nil
		}
		shown, err := p.b.formatted(p.sheet, cellRef(col, row))
		if err != nil {
			return "", nil, err
		}
		return strings.TrimSpace(shown), nil, nil
	}
	return raw, nil, nil
}
