package domain

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EvidenceType is one kind of file accepted as evidence: what its content
// looks like decides it, never the name or the browser's Content-Type.
type EvidenceType struct {
	ContentType string
	// Exts are the file name endings that fit the type; the first is used
	// when the name given does not end with one of them.
	Exts []string
}

// Accepted evidence types.
var (
	TypePDF  = EvidenceType{"application/pdf", []string{".pdf"}}
	TypePNG  = EvidenceType{"image/png", []string{".png"}}
	TypeJPEG = EvidenceType{"image/jpeg", []string{".jpg", ".jpeg"}}
	TypeDOCX = EvidenceType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}}
	TypeXLSX = EvidenceType{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}}
	TypeODT  = EvidenceType{"application/vnd.oasis.opendocument.text", []string{".odt"}}
	TypeCSV  = EvidenceType{"text/csv", []string{".csv"}}
	TypeTXT  = EvidenceType{"text/plain", []string{".txt"}}
)

// maxZipEntries bounds the central directory read of an office document.
const maxZipEntries = 10000

// SniffEvidence decides the type of a file from its content: PDF, PNG and
// JPEG by their signatures; DOCX and XLSX as zip files holding
// [Content_Types].xml and a word/ or xl/ part; ODT as a zip whose first
// entry is "mimetype" naming an OpenDocument text; CSV and TXT as UTF-8
// text without NUL or control characters and without markup a browser
// would run (HTML, SVG, XML). The name only tells CSV from plain text. It
// returns false for anything else: executables, random zips, HTML.
func SniffEvidence(name string, r io.ReaderAt, size int64) (EvidenceType, bool) {
	head := make([]byte, 512)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case n == 0:
		return EvidenceType{}, false
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF, true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, true
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return TypeJPEG, true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return sniffZip(r, size)
	}
	content, err := io.ReadAll(io.NewSectionReader(r, 0, size))
	if err != nil || !plainText(content) {
		return EvidenceType{}, false
	}
	if strings.EqualFold(path.Ext(name), ".csv") {
		return TypeCSV, true
	}
	return TypeTXT, true
}

// sniffZip tells the office documents from other zip files by their inner markers.
func sniffZip(r io.ReaderAt, size int64) (EvidenceType, bool) {
	zr, err := zip.NewReader(r, size)
	if err != nil || len(zr.File) == 0 || len(zr.File) > maxZipEntries {
		return EvidenceType{}, false
	}
	if f := zr.File[0]; f.Name == "mimetype" && f.Method == zip.Store && f.UncompressedSize64 < 100 {
		rc, err := f.Open()
		if err != nil {
			return EvidenceType{}, false
		}
		b, err := io.ReadAll(io.LimitReader(rc, 100))
		rc.Close()
		if err == nil && string(b) == TypeODT.ContentType {
			return TypeODT, true
		}
		return EvidenceType{}, false
	}
	var types, word, xl bool
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			types = true
		case strings.HasPrefix(f.Name, "word/"):
			word = true
		case strings.HasPrefix(f.Name, "xl/"):
			xl = true
		}
	}
	switch {
	case types && word && !xl:
		return TypeDOCX, true
	case types && xl && !word:
		return TypeXLSX, true
	}
	return EvidenceType{}, false
}

// markup lists what, anywhere in a text file, a browser could take for a
// page or an image with scripts.
var markup = []string{"<html", "<!doctype", "<script", "<body", "<head", "<iframe", "<svg", "<?xml", "<object", "<embed", "<meta", "<a href", "<img", "<style", "javascript:"}

// plainText reports whether b is UTF-8 text (a byte order mark allowed)
// with no NUL or control characters other than tab, line feed, carriage
// return and form feed, and no markup.
func plainText(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			return false
		}
	}
	lower := bytes.ToLower(b)
	for _, m := range markup {
		if bytes.Contains(lower, []byte(m)) {
			return false
		}
	}
	return true
}

// maxFilenameRunes bounds a stored file name.
const maxFilenameRunes = 120

// SanitizeFilename makes the name a file is stored and offered under: the
// last path segment only, without control, format (bidirectional
// overrides) or reserved characters, trimmed, at most 120 characters, and
// ending with an extension that fits the type sniffed.
func SanitizeFilename(name string, t EvidenceType) string {
	name = CleanFilename(name)
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	fits := false
	for _, e := range t.Exts {
		fits = fits || strings.EqualFold(ext, e)
	}
	if !fits {
		base, ext = name, t.Exts[0]
	}
	base = strings.Trim(base, " .")
	if r := []rune(base); len(r) > maxFilenameRunes {
		base = strings.TrimRight(string(r[:maxFilenameRunes]), " .")
	}
	if base == "" {
		base = "evidence"
	}
	return base + strings.ToLower(ext)
}

// cleanFilename keeps the last path segment of a name, without control,
// format or reserved characters, its spaces collapsed.
func CleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`<>:"/\|?*;`, r):
			return -1
		}
		return r
	}, name)
	return strings.Join(strings.Fields(name), " ")
}

// TypeLabel is the short name of the file's type for lists: PDF, PNG, …
func (e Evidence) TypeLabel() string {
	for _, t := range []struct {
		t     EvidenceType
		label string
	}{{TypePDF, "PDF"}, {TypePNG, "PNG"}, {TypeJPEG, "JPEG"}, {TypeDOCX, "DOCX"}, {TypeXLSX, "XLSX"}, {TypeODT, "ODT"}, {TypeCSV, "CSV"}, {TypeTXT, "TXT"}} {
		if e.ContentType == t.t.ContentType {
			return t.label
		}
	}
	return e.ContentType
}

// KB is the file's size in kilobytes, rounded up.
func (e Evidence) KB() int { return int((e.SizeBytes + 1023) / 1024) }

// UploadedBy reports whether the user with this id uploaded the file.
func (e Evidence) UploadedBy(userID int64) bool {
	return e.Kind == EvidenceFile && e.UploadedByID != nil && *e.UploadedByID == userID
}
