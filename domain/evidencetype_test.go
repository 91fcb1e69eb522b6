package domain_test

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"

	"naptracker/domain"
)

func evidenceZip(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate}
		if n == "mimetype" {
			h.Method = zip.Store
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if n == "mimetype" {
			io.WriteString(f, "application/vnd.oasis.opendocument.text")
		} else {
			io.WriteString(f, "<x/>")
		}
	}
	w.Close()
	return buf.Bytes()
}

// The type comes from the content; the name only tells CSV from text.
func TestEvidenceSniffing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		content []byte
		want    string // "" for refused
	}{
		{"a.pdf", []byte("%PDF-1.7\n"), "application/pdf"},
		{"a.txt", []byte("%PDF-1.7\n"), "application/pdf"},
		{"a.png", []byte("\x89PNG\r\n\x1a\n...."), "image/png"},
		{"a.jpg", []byte("\xff\xd8\xff\xdb...."), "image/jpeg"},
		{"a.docx", evidenceZip(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a.xlsx", evidenceZip(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"a.odt", evidenceZip(t, "mimetype", "content.xml"), "application/vnd.oasis.opendocument.text"},
		{"a.csv", []byte("a,b\n1,2\n"), "text/csv"},
		{"a.txt", []byte("\xef\xbb\xbfplain text\r\n"), "text/plain"},
		{"a.pdf", []byte("<html><body>hi</body></html>"), ""},
		{"a.txt", []byte("Totals\n<script>alert(1)</script>\n"), ""},
		{"a.pdf", []byte("\x7fELF\x02\x01\x01"), ""},
		{"a.pdf", []byte("MZ\x90\x00"), ""},
		{"a.docx", evidenceZip(t, "random.bin"), ""},
		{"a.docx", evidenceZip(t, "[Content_Types].xml"), ""},
		{"a.xlsx", evidenceZip(t, "[Content_Types].xml", "word/x.xml", "xl/y.xml"), ""},
		{"a.odt", evidenceZip(t, "content.xml", "mimetype"), ""},
		{"a.txt", []byte("bad \xff bytes"), ""},
		{"a.txt", []byte("bell \x07"), ""},
		{"a.txt", nil, ""},
		{"a.gif", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"), ""},
	} {
		got, ok := domain.SniffEvidence(tc.name, bytes.NewReader(tc.content), int64(len(tc.content)))
		if ok != (tc.want != "") || got.ContentType != tc.want {
			t.Errorf("%s %.16q: %q %v, want %q", tc.name, tc.content, got.ContentType, ok, tc.want)
		}
	}
}

func TestEvidenceFilenamesAreSanitised(t *testing.T) {
	t.Parallel()
	long := string(bytes.Repeat([]byte("a"), 300))
	for _, tc := range []struct {
		in   string
		t    domain.EvidenceType
		want string
	}{
		{"Rapport T4.pdf", domain.TypePDF, "Rapport T4.pdf"},
		{`C:\Users\x\Desktop\scan.PDF`, domain.TypePDF, "scan.pdf"},
		{"../../etc/passwd", domain.TypeTXT, "passwd.txt"},
		{"invoice\u202efdp.exe", domain.TypePDF, "invoicefdp.exe.pdf"},
		{"photo.pdf", domain.TypePNG, "photo.pdf.png"},
		{"a\r\nb\t\"c\".jpeg", domain.TypeJPEG, "a b c.jpeg"},
		{" . ", domain.TypePDF, "evidence.pdf"},
		{"ລາຍງານ.txt", domain.TypeTXT, "ລາຍງານ.txt"},
		{long + ".pdf", domain.TypePDF, long[:120] + ".pdf"},
	} {
		if got := domain.SanitizeFilename(tc.in, tc.t); got != tc.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
