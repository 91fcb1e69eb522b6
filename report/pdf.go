package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// PDFContentType is the media type of the report as PDF.
const PDFContentType = "application/pdf"

// ErrNoPDF says that no PDF converter (LibreOffice) is installed.
var ErrNoPDF = errors.New("report: LibreOffice (soffice) is not installed, so no PDF can be made")

// pdfSlots bounds the conversions running at once: LibreOffice takes a few
// hundred megabytes and most of a core for each.
var pdfSlots = make(chan struct{}, 1)

// pdfTimeout bounds one conversion.
const pdfTimeout = 3 * time.Minute

// CanPDF reports whether PDF can convert (LibreOffice is installed).
func CanPDF() bool {
	_, err := exec.LookPath("soffice")
	return err == nil
}

// PDF converts a workbook to PDF with LibreOffice, as it prints (the
// workbook's page setup: A4 landscape, repeated headers, each IPTT pillar
// on its own pages), and writes it to w. It returns ErrNoPDF when
// LibreOffice is not installed. Each conversion runs with a profile of its
// own in a temporary directory, one at a time.
func PDF(ctx context.Context, xlsx []byte, w io.Writer) error {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		return ErrNoPDF
	}
	select {
	case pdfSlots <- struct{}{}:
		defer func() { <-pdfSlots }()
	case <-ctx.Done():
		return ctx.Err()
	}
	dir, err := os.MkdirTemp("", "naptracker-pdf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(in, xlsx, 0o600); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "pdf", "--outdir", dir, in)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("report: LibreOffice could not convert the workbook: %w: %s", err, bytes.TrimSpace(out.Bytes()))
	}
	f, err := os.Open(filepath.Join(dir, "report.pdf"))
	if err != nil {
		return fmt.Errorf("report: LibreOffice wrote no PDF: %s", bytes.TrimSpace(out.Bytes()))
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
