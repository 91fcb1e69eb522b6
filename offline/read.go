package offline

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// book is an uploaded workbook opened by the hostile-file-safe reader.
// Every call into excelize goes through guard, which turns a panic into
// an error; the zip was checked against the limits before excelize saw it.
type book struct {
	f   *excelize.File
	lim Limits
}

// openBook checks an upload against the limits and opens it: the size of
// the file; that it is a zip (an .xlsx, not an old .xls or an encrypted
// file); the number of parts and the sum of their uncompressed sizes as
// the zip declares them (Go's zip reader refuses a part that inflates past
// its declared size, so a bomb cannot lie its way through); the size and
// the entry count of the shared-string table. Only then is it handed to
// excelize, with unzip limits far below its defaults.
func openBook(data []byte, lim Limits) (*book, error) {
	lim = lim.orDefault()
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, refuse(KindTooLarge, "offline.err.too_large", nil, lim.MaxFileBytes>>20)
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, unreadable("offline.err.not_xlsx", nil)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, unreadable("offline.err.damaged", err)
	}
	if len(zr.File) > lim.MaxParts {
		return nil, unreadable("offline.err.too_many_parts", nil, lim.MaxParts)
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxUnzipBytes) {
			return nil, unreadable("offline.err.unzipped_too_large", nil, lim.MaxUnzipBytes>>20)
		}
		if strings.EqualFold(strings.ReplaceAll(zf.Name, "\\", "/"), "xl/sharedStrings.xml") {
			if err := checkSharedStrings(zf, lim); err != nil {
				return nil, err
			}
		}
	}
	b := &book{lim: lim}
	err = guard(func() error {
		var err error
		b.f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{
			UnzipSizeLimit:    lim.MaxUnzipBytes,
			UnzipXMLSizeLimit: lim.MaxXMLBytes,
		})
		return err
	})
	if err != nil {
		if r, ok := AsRefusal(err); ok {
			return nil, r
		}
		return nil, unreadable("offline.err.damaged", err)
	}
	return b, nil
}

// checkSharedStrings refuses a shared-string table over the limits,
// counting its entries as a stream (nothing is kept).
func checkSharedStrings(zf *zip.File, lim Limits) error {
	if zf.UncompressedSize64 > uint64(lim.MaxSharedStringsBytes) {
		return unreadable("offline.err.shared_strings", nil, lim.MaxSharedStrings)
	}
	rc, err := zf.Open()
	if err != nil {
		return unreadable("offline.err.damaged", err)
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, lim.MaxSharedStringsBytes+1))
	n := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return unreadable("offline.err.damaged", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "si" {
			if n++; n > lim.MaxSharedStrings {
				return unreadable("offline.err.shared_strings", nil, lim.MaxSharedStrings)
			}
		}
	}
}

// guard runs fn, turning a panic inside excelize into an error.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = unreadable("offline.err.damaged", errPanic{r})
		}
	}()
	return fn()
}

// Close removes the reader's temporary files.
func (b *book) Close() {
	if b != nil && b.f != nil {
		_ = guard(b.f.Close)
	}
}

// sheets lists the sheet names.
func (b *book) sheets() (names []string, err error) {
	err = guard(func() error {
		names = b.f.GetSheetList()
		return nil
	})
	return names, err
}

// rows reads a sheet's cells as stored (no number format applied: a date
// or a number comes back as the number itself), refusing a sheet with more
// rows, columns or characters in a cell than the limits allow.
func (b *book) rows(sheet string) ([][]string, error) {
	return b.rowsUpTo(sheet, b.lim.MaxRows)
}

// rowsUpTo is rows with a lower cap on the rows (never above the limit).
func (b *book) rowsUpTo(sheet string, maxRows int) ([][]string, error) {
	maxRows = min(maxRows, b.lim.MaxRows)
	var out [][]string
	err := guard(func() error {
		it, err := b.f.Rows(sheet)
		if err != nil {
			return err
		}
		defer it.Close()
		for it.Next() {
			if len(out) >= maxRows {
				return unreadable("offline.err.too_many_rows", nil, maxRows)
			}
			cols, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return err
			}
			for len(cols) > 0 && cols[len(cols)-1] == "" {
				cols = cols[:len(cols)-1]
			}
			if len(cols) > b.lim.MaxCols {
				return unreadable("offline.err.too_many_columns", nil, b.lim.MaxCols)
			}
			for _, s := range cols {
				if len(s) > 4*b.lim.MaxCellChars {
					return unreadable("offline.err.cell_too_long", nil, b.lim.MaxCellChars)
				}
			}
			out = append(out, cols)
		}
		return it.Error()
	})
	if err != nil {
		if r, ok := AsRefusal(err); ok {
			return nil, r
		}
		return nil, unreadable("offline.err.damaged", err)
	}
	// Trailing empty rows (a sheet formatted further down) are dropped.
	for len(out) > 0 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out, nil
}

// cellKind says how a cell stores what it holds.
type cellKind int

const (
	cellEmpty cellKind = iota
	cellNumber
	cellText
	cellFormula
	cellOther // a boolean, an error value, an ISO date
)

// kind tells how a cell stores its content. Only input cells are asked,
// after rows has bounded the sheet.
func (b *book) kind(sheet, ref string) (k cellKind, err error) {
	err = guard(func() error {
		formula, err := b.f.GetCellFormula(sheet, ref)
		if err != nil {
			return err
		}
		if formula != "" {
			k = cellFormula
			return nil
		}
		t, err := b.f.GetCellType(sheet, ref)
		if err != nil {
			return err
		}
		switch t {
		case excelize.CellTypeUnset, excelize.CellTypeNumber:
			k = cellNumber
		case excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula:
			k = cellText // "str": a string, here without a formula
		default:
			k = cellOther
		}
		return nil
	})
	if err != nil {
		return cellOther, unreadable("offline.err.damaged", err)
	}
	return k, nil
}

// formatted reads a cell as the spreadsheet shows it (a date as a date).
func (b *book) formatted(sheet, ref string) (s string, err error) {
	err = guard(func() error {
		s, err = b.f.GetCellValue(sheet, ref)
		return err
	})
	if err != nil {
		return "", unreadable("offline.err.damaged", err)
	}
	return s, nil
}
