package offline_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/offline"
	"naptracker/reporting"
)

// syntheticGrid is a grid made without a database: n indicators of MOLSW,
// every third one disaggregated by sex.
func syntheticGrid(n int) *reporting.ValueGrid {
	set := &domain.DisaggregationSet{ID: 1, Code: "sex", Dimensions: []domain.DisaggregationDimension{{Code: "sex", Name: "Sex",
		Categories: []domain.DisaggregationCategory{{Code: "female", Label: "Female"}, {Code: "male", Label: "Male"}}}}}
	g := &reporting.ValueGrid{Plan: domain.Plan{ID: 1, Code: "FUZZ"}, Org: domain.Organisation{ID: 7, Acronym: "MOLSW"},
		Period: domain.ReportingPeriod{ID: 3, Label: "2025-Q1"}, State: domain.PeriodOpen, PreviousLabel: "2024-Q4"}
	units := []string{domain.UnitNumber, domain.UnitPercentage, domain.UnitYesNo, domain.UnitMilestone}
	for i := 0; i < n; i++ {
		ind := domain.Indicator{ID: int64(i + 1), Code: "1." + string(rune('1'+i%9)) + "." + itoa(i), Name: "Indicator " + itoa(i), UnitType: units[i%4], Sensitive: i%5 == 0}
		r := reporting.GridRow{Indicator: ind}
		if i%3 == 0 && ind.UnitType == domain.UnitNumber {
			r.Set = set
		}
		if i%2 == 0 {
			x := float64(i)
			r.Value = &domain.IndicatorValue{ID: int64(100 + i), Value: &x, Narrative: "stored", Workflow: domain.Workflow{Status: domain.StatusDraft, Version: 2}}
		}
		t := float64(10 * i)
		r.Target = &t
		g.Rows = append(g.Rows, r)
	}
	return g
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

var fuzzKeys = func() *account.Keyring {
	k, err := account.ParseKeys("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		panic(err)
	}
	return k
}()

// syntheticUpdateGrid is an update grid made without a database: n
// activities of MOLSW over two quarters, every other one with a stored update.
func syntheticUpdateGrid(n int) *reporting.UpdateGrid {
	periods := []domain.ReportingPeriod{{ID: 3, Label: "2025-Q1"}, {ID: 4, Label: "2025-Q2"}}
	g := &reporting.UpdateGrid{Plan: domain.Plan{ID: 1, Code: "FUZZ"}, Org: domain.Organisation{ID: 7, Acronym: "MOLSW"}, Periods: periods}
	for _, p := range periods {
		for i := 0; i < n; i++ {
			r := reporting.UpdateRow{Activity: domain.Activity{ID: int64(i + 1), Code: "1.1." + itoa(i+1), Title: "Activity " + itoa(i)},
				Period: p, Open: p.ID == 4}
			if i%2 == 0 {
				r.Update = &domain.ActivityUpdate{ID: int64(100 + i), UpdateContent: domain.UpdateContent{Progress: domain.ProgressStatuses[i%5], PercentComplete: 10 * (i % 10),
					Expenditure: float64(i) * 12.5, Achievements: "stored"}, Workflow: domain.Workflow{Status: domain.StatusDraft, Version: 2}}
			}
			g.Rows = append(g.Rows, r)
		}
	}
	return g
}

func syntheticUpdatesTemplate(t testing.TB, n int) []byte {
	return writeSynthetic(t, offline.WriteUpdatesTemplate, syntheticUpdateGrid(n))
}

func syntheticTemplate(t testing.TB, n int) []byte {
	return writeSynthetic(t, offline.WriteTemplate, syntheticGrid(n))
}

// writeSynthetic writes the template of a synthetic grid, in French, for
// user 5, as made on 1 February 2025.
func writeSynthetic[G any](t testing.TB, write func(io.Writer, G, offline.TemplateOptions) error, g G) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, g, offline.TemplateOptions{L: bundle.For("fr"), Keys: fuzzKeys, UserID: 5, Now: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fuzzLimits are small limits, so that the hostile seeds are refused after
// little work and the fuzzer spends its time on mutations, not on reading
// the same megabytes again (the default limits are checked by
// TestHostileFilesAreRefusedCleanly).
var fuzzLimits = offline.Limits{MaxFileBytes: 1 << 20, MaxUnzipBytes: 8 << 20, MaxXMLBytes: 1 << 20, MaxRows: 2000,
	MaxSharedStrings: 5000, MaxSharedStringsBytes: 1 << 20}

// FuzzParse feeds the import parsers (of values and of activity updates)
// mutations of valid and hostile files: they may refuse them, never panic,
// and stay within the limits' memory.
func FuzzParse(f *testing.F) {
	tmpl := syntheticTemplate(f, 12)
	f.Add(tmpl)
	f.Add(edit(f, tmpl, "Valeurs", map[string]any{"G3": "=SUM(1,2)", "G4": "62,5", "G6": time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		"I3": "=HYPERLINK(\"http://x\")", "G7": "abc", "A8": "moved"}))
	f.Add(edit(f, tmpl, offline.MetaSheet, map[string]any{"G11": "9"}))
	f.Add(tmpl[:len(tmpl)/2])
	f.Add(tmpl[:40])
	f.Add(zipBomb(f, 16<<20))
	f.Add(edit(f, emptyWorkbook(f), "Sheet1", map[string]any{"A1": "format", "B1": offline.Format}))
	f.Add(rezip(f, tmpl, map[string][]byte{"xl/worksheets/sheet2.xml": manyRows(1048576, true)}))
	f.Add(rezip(f, tmpl, map[string][]byte{"xl/sharedStrings.xml": manyStrings(5001)}))
	f.Add(rezip(f, tmpl, map[string][]byte{"xl/worksheets/sheet1.xml": manyRows(2100, false)}))
	f.Add([]byte("PK\x03\x04"))
	first, second := syntheticGrid(6), syntheticGrid(6)
	second.Period = domain.ReportingPeriod{ID: 4, Label: "2025-Q2"}
	var ranged bytes.Buffer
	if err := offline.WriteRangeTemplate(&ranged, []*reporting.ValueGrid{first, second}, offline.TemplateOptions{L: bundle.For("en"), Keys: fuzzKeys,
		UserID: 5, Now: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		f.Fatal(err)
	}
	f.Add(ranged.Bytes())
	f.Add(edit(f, ranged.Bytes(), "Values", map[string]any{"G12": "7", "K12": "2025-Q9", "G4": "=A1"}))
	upd := syntheticUpdatesTemplate(f, 8)
	f.Add(upd)
	f.Add(edit(f, upd, "Mises à jour", map[string]any{"E11": "=A1", "F11": "62,5", "G12": time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		"E12": "Presque", "H13": "=HYPERLINK(\"http://x\")", "A14": "moved", "F13": "1e400"}))
	f.Add(edit(f, upd, offline.MetaSheet, map[string]any{"E11": "2025-Q9"}))
	f.Add(upd[:len(upd)/2])
	f.Add(rezip(f, upd, map[string][]byte{"xl/worksheets/sheet1.xml": manyRows(2100, false)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := offline.Parse(data, fuzzKeys, fuzzLimits)
		if err == nil && file == nil {
			t.Fatal("no file and no error")
		}
		if err != nil {
			if _, ok := offline.AsRefusal(err); !ok {
				t.Fatalf("an error that is not a refusal: %v", err)
			}
		}
		ufile, err := offline.ParseUpdates(data, fuzzKeys, fuzzLimits)
		if err == nil && ufile == nil {
			t.Fatal("no file and no error")
		}
		if err != nil {
			if _, ok := offline.AsRefusal(err); !ok {
				t.Fatalf("an error that is not a refusal (updates): %v", err)
			}
		}
	})
}
