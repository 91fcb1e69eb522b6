package offline

// Workbook is an uploaded workbook opened by the hostile-file-safe reader,
// for other importers (the plan import) that read their own sheets: the
// same size, unzip, part, shared-string, row, column and cell limits as the
// offline template, and a panic inside excelize turned into a Refusal.
type Workbook struct{ b *book }

// OpenWorkbook checks data against the limits (zero limits take their
// defaults) and opens it; a file it cannot take is a *Refusal.
func OpenWorkbook(data []byte, lim Limits) (*Workbook, error) {
	b, err := openBook(data, lim)
	if err != nil {
		return nil, err
	}
	return &Workbook{b: b}, nil
}

// Close removes the reader's temporary files.
func (w *Workbook) Close() { w.b.Close() }

// Sheets lists the sheet names in order.
func (w *Workbook) Sheets() ([]string, error) { return w.b.sheets() }

// Rows reads a sheet's cells as stored (no number format applied; a
// formula as its cached value), within the row, column and cell limits;
// trailing empty cells and rows are dropped.
func (w *Workbook) Rows(sheet string) ([][]string, error) { return w.b.rows(sheet) }
