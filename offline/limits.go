// Package offline is the exchange of reporting values through a workbook:
// the pre-filled template a focal point downloads, fills in without a
// connection and uploads back, and the import that previews and saves it
// through the same checks as the data-entry grid. An uploaded workbook is
// treated as hostile: every reader limit is set before excelize sees it.
package offline

// Limits bound what the reader accepts from an uploaded workbook. The
// defaults fit a template of several thousand rows with room to spare and
// keep a hostile file's cost to a few tens of megabytes.
type Limits struct {
	// MaxFileBytes is the largest upload (the compressed file).
	MaxFileBytes int64
	// MaxUnzipBytes bounds the sum of the declared sizes of every part of
	// the zip (excelize's UnzipSizeLimit; its default is 16 GB).
	MaxUnzipBytes int64
	// MaxXMLBytes is the size above which excelize spills a worksheet to a
	// temporary file instead of memory (UnzipXMLSizeLimit; default 16 MB).
	MaxXMLBytes int64
	// MaxParts caps the number of files in the zip.
	MaxParts int
	// MaxRows and MaxCols cap the rows and columns read from any sheet.
	MaxRows, MaxCols int
	// MaxSharedStrings caps the shared-string table: its entries and its
	// uncompressed size in bytes.
	MaxSharedStrings      int
	MaxSharedStringsBytes int64
	// MaxCellChars caps the text of any one cell (Excel's own limit).
	MaxCellChars int
}

// DefaultLimits are the limits of an upload unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:          10 << 20,
		MaxUnzipBytes:         64 << 20,
		MaxXMLBytes:           4 << 20,
		MaxParts:              200,
		MaxRows:               40000,
		MaxCols:               32,
		MaxSharedStrings:      200000,
		MaxSharedStringsBytes: 16 << 20,
		MaxCellChars:          32767,
	}
}

// orDefault fills every zero limit with its default.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	set := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	seti := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxFileBytes, d.MaxFileBytes)
	set(&l.MaxUnzipBytes, d.MaxUnzipBytes)
	set(&l.MaxXMLBytes, d.MaxXMLBytes)
	set(&l.MaxSharedStringsBytes, d.MaxSharedStringsBytes)
	seti(&l.MaxParts, d.MaxParts)
	seti(&l.MaxRows, d.MaxRows)
	seti(&l.MaxCols, d.MaxCols)
	seti(&l.MaxSharedStrings, d.MaxSharedStrings)
	seti(&l.MaxCellChars, d.MaxCellChars)
	l.MaxXMLBytes = min(l.MaxXMLBytes, l.MaxUnzipBytes)
	return l
}
