package planxlsx

import (
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Write writes the book as a workbook: one sheet per table, in import
// order, the column names in the first row (the import reads them, so they
// are not translated), numbers as number cells and everything else as
// text cells (a text starting with = is a string, never a formula).
func (b *Book) Write(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}})
	if err != nil {
		return err
	}
	for i, d := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", d.name)
		} else {
			_, err = f.NewSheet(d.name)
		}
		if err != nil {
			return err
		}
		if err := writeSheet(f, &d, b.Tables[d.name], head); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

func writeSheet(f *excelize.File, d *sheetDef, t *Table, head int) error {
	names := make([]any, len(d.cols))
	for i, c := range d.cols {
		names[i] = c.name
	}
	if err := f.SetSheetRow(d.name, "A1", &names); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(d.cols), 1)
	if err := f.SetCellStyle(d.name, "A1", last, head); err != nil {
		return err
	}
	if err := f.SetPanes(d.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, c := range d.cols {
		width := 14.0
		if c.kind == text && c.name != "code" && c.name != "currency" {
			width = 32
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(d.name, col, col, width); err != nil {
			return err
		}
	}
	for n, r := range t.Rows {
		cells := make([]any, len(d.cols))
		for i, c := range d.cols {
			cells[i] = cellValue(c.kind, r[i])
		}
		ref, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := f.SetSheetRow(d.name, ref, &cells); err != nil {
			return err
		}
	}
	return nil
}

// cellValue is what a cell holds: a number for a number column (its
// canonical text parses), else the text.
func cellValue(k kind, s string) any {
	if (k == number || k == integer) && s != "" {
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			return x
		}
	}
	return s
}
