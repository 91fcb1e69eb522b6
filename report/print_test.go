package report_test

// How the workbook reads and prints outside Go: LibreOffice's PDF and
// openpyxl's streaming reader.

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"naptracker/report"
	"naptracker/store/storetest"
)

// TestLibreOfficeOpensAndPrintsTheWorkbook converts the report to PDF with
// LibreOffice, which fails on a workbook it would need to repair, and reads
// the PDF as a printed page: the IPTT's text is at least 8 points (measured
// from the words' boxes with pdftotext -bbox), every word of every
// indicator name and of the Cover's notes is printed (a cell cut to one
// line loses words), and no page is blank.
func TestLibreOfficeOpensAndPrintsTheWorkbook(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skips LibreOffice")
	}
	storetest.SkipOnSecondDatabase(t, "LibreOffice's reading of the workbook")
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed")
	}
	db := demo(t)
	f, raw := generate(t, db, report.Options{Scope: secretariat, IncludeUnapproved: true})
	dir := t.TempDir()
	in := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir, in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "report.pdf")
	st, err := os.Stat(pdf)
	if err != nil || st.Size() < 10000 {
		t.Fatalf("no PDF produced (%v): %s", err, out)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (Debian poppler-utils) is not installed: the PDF is not measured")
	}
	html, err := exec.Command("pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Each page's words with their box heights; a word box is about 1.11
	// times the font size (10-point text gives 11.1-point boxes).
	pageRe := regexp.MustCompile(`(?s)<page [^>]*>(.*?)</page>`)
	wordRe := regexp.MustCompile(`<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>`)
	ipttWords, coverWords := map[string]bool{}, map[string]bool{}
	ipttPages, smallest := 0, 100.0
	for i, pm := range pageRe.FindAllStringSubmatch(string(html), -1) {
		words := wordRe.FindAllStringSubmatch(pm[1], -1)
		if len(words) == 0 {
			t.Errorf("page %d is blank", i+1)
			continue
		}
		var text []string
		for _, w := range words {
			text = append(text, html2text(w[3]))
		}
		header := strings.Join(text[:min(4, len(text))], " ")
		switch {
		case strings.Contains(header, "IPTT"):
			ipttPages++
			for _, w := range words {
				y0, _ := strconv.ParseFloat(w[1], 64)
				y1, _ := strconv.ParseFloat(w[2], 64)
				smallest = min(smallest, (y1-y0)/1.11)
				ipttWords[html2text(w[3])] = true
			}
		case strings.Contains(header, "Cover"):
			for _, w := range text {
				coverWords[w] = true
			}
		}
	}
	if ipttPages == 0 {
		t.Fatal("no IPTT page found in the PDF")
	}
	if smallest < 8 {
		t.Errorf("the printed IPTT has text of %.1f points, under 8", smallest)
	}
	t.Logf("%d IPTT pages, smallest text %.1f pt", ipttPages, smallest)
	x := readIPTT(t, f)
	rows, _ := f.GetRows("IPTT")
	missing := 0
	for code, r := range x.rows {
		for _, w := range strings.Fields(rows[r-1][1]) {
			if !ipttWords[w] && missing < 10 {
				missing++
				t.Errorf("%s: the word %q of its name is not printed (cut cell?)", code, w)
			}
		}
	}
	cover, _ := f.GetRows("Cover")
	for _, row := range cover {
		if len(row) < 2 || len(row[1]) < 200 {
			continue
		}
		for _, w := range strings.Fields(row[1]) {
			if !coverWords[w] && missing < 20 {
				missing++
				t.Errorf("the Cover's note word %q is not printed (cut cell?)", w)
			}
		}
	}
}

// html2text undoes pdftotext's HTML escaping of a word.
func html2text(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&#39;", "'").Replace(s)
}

// TestStreamingReadersSeeEveryRow: openpyxl in read-only mode (a streaming
// reader that trusts each sheet's dimension, as many tools do) reads every
// row of every sheet, and the charts carry cached values for viewers that
// do not recalculate. CI installs python3-openpyxl; without it the test
// skips.
func TestStreamingReadersSeeEveryRow(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skips the Python reader")
	}
	python := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Skip("python3 with openpyxl is not installed (Debian: python3-openpyxl)")
	}
	db := demo(t)
	f, raw := generate(t, db, report.Options{Scope: secretariat, From: "2024-Q1", To: "2025-Q2"})
	path := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
for ws in wb.worksheets:
    last = 0
    for i, row in enumerate(ws.iter_rows(values_only=True), 1):
        if any(v is not None for v in row):
            last = i
    print(ws.title + "\t" + str(last))
`
	out, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	got := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, n, _ := strings.Cut(line, "\t")
		got[name], _ = strconv.Atoi(n)
	}
	for _, s := range sheets {
		rows, _ := f.GetRows(s)
		if got[s] != len(rows) || len(rows) < 2 {
			t.Errorf("%s: openpyxl read-only reads %d rows, the sheet has %d", s, got[s], len(rows))
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, _ := zf.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if n := bytes.Count(body, []byte("<pt idx=")); n == 0 || bytes.Contains(body, []byte("<numCache><formatCode></formatCode></numCache>")) {
			t.Errorf("%s: the chart has no cached values (%d points)", zf.Name, n)
		}
	}
}
