package apptest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os/exec"
	"testing"
)

// Gunzip decodes a gzip response body with Go's reader, which checks the
// trailer's checksum and length, and, when the system has gzip, with
// gzip -dc as well (another decoder, as a browser is): both must accept
// the stream and agree.
func Gunzip(t testing.TB, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the gzip stream is broken: %v", err)
	}
	if path, err := exec.LookPath("gzip"); err == nil {
		cmd := exec.Command(path, "-dc")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gzip -dc refuses the stream: %v", err)
		}
		if !bytes.Equal(out, plain) {
			t.Fatal("gzip -dc and Go's reader decode the stream differently")
		}
	}
	return plain
}
