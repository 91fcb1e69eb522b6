package offline_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"naptracker/offline"
)

// BenchmarkTemplate writes the template of a grid of n indicators (every
// third one with a two-cell breakdown).
func BenchmarkTemplate(b *testing.B) {
	for _, n := range []int{60, 5000} {
		g := syntheticGrid(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				err := offline.WriteTemplate(io.Discard, g, offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys, UserID: 5, Now: time.Now()})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse reads an uploaded template of n indicators with the
// hostile-file-safe reader: limits, signature, every input cell (the part
// of the import preview that grows with the file; the comparison with the
// stored values is models.LoadValueGrid's, benchmarked with the grid).
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{60, 5000} {
		var buf bytes.Buffer
		if err := offline.WriteTemplate(&buf, syntheticGrid(n), offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys, Now: time.Now()}); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				f, err := offline.Parse(data, fuzzKeys, offline.Limits{})
				if err != nil || len(f.Items) != n {
					b.Fatal(err)
				}
			}
		})
	}
}
