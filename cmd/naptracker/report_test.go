package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
)

// TestReportCommand writes the workshop report as a user would: for the
// external audience by default (the Cover says so), internal on request
// (and said on the Cover), as PDF with --pdf when LibreOffice is installed;
// a bad --audience is a usage error and writes nothing.
func TestReportCommand(t *testing.T) {
	t.Parallel()
	env := demoEnv(t)
	dir := t.TempDir()
	cover := func(path string) string {
		t.Helper()
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows("Cover")
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, " ") + "\n")
		}
		return b.String()
	}
	ext := filepath.Join(dir, "external.xlsx")
	if code, out, errOut := runCmd(t, env, "", "report", "workshop", "--plan", "NPA-TIP-DEMO", "-o", ext); code != exitOK || !strings.Contains(out, "wrote") {
		t.Fatalf("report = %d %q %q", code, out, errOut)
	}
	if c := cover(ext); !strings.Contains(c, "External — small counts of victims are protected") || strings.Contains(c, "do not share") {
		t.Errorf("the default workbook's Cover:\n%s", c)
	}
	in := filepath.Join(dir, "internal.xlsx")
	if code, _, errOut := runCmd(t, env, "", "report", "workshop", "--plan", "NPA-TIP-DEMO", "--audience", "internal", "-o", in); code != exitOK {
		t.Fatalf("report --audience internal: %s", errOut)
	}
	if c := cover(in); !strings.Contains(c, "Internal — contains unsuppressed small counts, do not share") {
		t.Errorf("the internal workbook's Cover:\n%s", c)
	}
	bad := filepath.Join(dir, "bad.xlsx")
	if code, _, _ := runCmd(t, env, "", "report", "workshop", "--plan", "NPA-TIP-DEMO", "--audience", "public", "-o", bad); code != exitUsage {
		t.Errorf("--audience public: exit %d, want usage", code)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a refused report left a file")
	}
	if testing.Short() {
		return
	}
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Log("LibreOffice is not installed: --pdf is not checked")
		return
	}
	if storetest.OnSecondDatabase() {
		t.Log("the PDF is LibreOffice's reading of the same workbook: checked on SQLite only")
		return
	}
	pdf := filepath.Join(dir, "report.pdf")
	if code, _, errOut := runCmd(t, env, "", "report", "workshop", "--plan", "NPA-TIP-DEMO", "--pdf", "-o", pdf); code != exitOK {
		t.Fatalf("report --pdf: %s", errOut)
	}
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("--pdf wrote %d bytes that are not a PDF (%v)", len(b), err)
	}
}

// TestReportIATICommand writes the demo plan's IATI file and refuses a bad
// country code without writing anything.
func TestReportIATICommand(t *testing.T) {
	t.Parallel()
	env := demoEnv(t)
	out := filepath.Join(t.TempDir(), "iati.xml")
	if code, stdout, errOut := runCmd(t, env, "", "report", "iati", "--plan", "NPA-TIP-DEMO", "--funder", "APJP", "--country", "la", "-o", out); code != exitOK || !strings.Contains(stdout, "wrote") {
		t.Fatalf("report iati = %d %q %q", code, stdout, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte(`<iati-activities version="2.03"`)) || !bytes.Contains(b, []byte(`<recipient-country code="LA"`)) {
		t.Errorf("the IATI file (%v): %.300s", err, b)
	}
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if code, _, errOut := runCmd(t, env, "", "report", "iati", "--plan", "NPA-TIP-DEMO", "--country", "Laos", "-o", bad); code != exitError || !strings.Contains(errOut, "--country") {
		t.Errorf("a bad country: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a refused export left a file")
	}
}
