package report_test

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/report"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// today fixes the demo plan's dates so that the numbers are stable.
var today = time.Date(2025, 5, 20, 9, 0, 0, 0, time.UTC)

var secretariat = domain.Scope{UserID: 1, Role: domain.RoleSecretariat}

// demo gives the test a copy of a database holding the demo plan for
// today, loaded once per test process.
func demo(t testing.TB) *gorm.DB {
	t.Helper()
	return storetest.Demo(t, today)
}

// generate writes a report and opens it again, with its raw bytes.
func generate(t testing.TB, db *gorm.DB, o report.Options) (*excelize.File, []byte) {
	t.Helper()
	o.Plan, o.Now = seed.DemoPlanCode, today
	var buf bytes.Buffer
	if err := report.Workshop(context.Background(), db, o, &buf); err != nil {
		t.Fatalf("Workshop: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// iptt is the IPTT sheet read back: the header and the indicator rows by code.
type iptt struct {
	f      *excelize.File
	head   map[string]int // header text → column (1-based)
	rows   map[string]int // indicator code → row
	breaks map[string][]int
	labels []string // period labels in column order
}

func readIPTT(t *testing.T, f *excelize.File) *iptt {
	t.Helper()
	rows, err := f.GetRows("IPTT", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	x := &iptt{f: f, head: map[string]int{}, rows: map[string]int{}, breaks: map[string][]int{}}
	for i, h := range rows[3] {
		x.head[h] = i + 1
		if p, ok := strings.CutPrefix(h, "Target 20"); ok {
			x.labels = append(x.labels, "20"+p)
		}
	}
	for i, r := range rows[4:] {
		if len(r) < 3 {
			continue
		}
		if r[2] == "" {
			x.breaks[r[0]] = append(x.breaks[r[0]], i+5)
		} else {
			x.rows[r[0]] = i + 5
		}
	}
	return x
}

// cell returns the raw text of the cell under a header in an indicator's row.
func (x *iptt) cell(t *testing.T, code, header string) string {
	t.Helper()
	col, ok := x.head[header]
	if !ok {
		t.Fatalf("no column %q", header)
	}
	v, err := x.f.GetCellValue("IPTT", cellName(col, x.rows[code]), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func cellName(c, r int) string { n, _ := excelize.CoordinatesToCellName(c, r); return n }

// planData is the demo plan read from the database, independently of the report.
type planData struct {
	plan    domain.Plan
	periods []domain.ReportingPeriod
	inds    []domain.Indicator
	targets map[int64]map[int]float64
	values  map[int64][]domain.IndicatorValue // approved, in period order
	pidx    map[int64]int
}

func loadPlan(t *testing.T, db *gorm.DB) *planData {
	t.Helper()
	ctx := context.Background()
	p, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	d := &planData{plan: *p, targets: map[int64]map[int]float64{}, values: map[int64][]domain.IndicatorValue{}, pidx: map[int64]int{}}
	if d.periods, err = reporting.PlanPeriods(ctx, db, p.ID); err != nil {
		t.Fatal(err)
	}
	for i, pr := range d.periods {
		d.pidx[pr.ID] = i
	}
	db.Where("plan_id = ? AND archived_at IS NULL", p.ID).Order("id").Find(&d.inds)
	var ts []domain.IndicatorTarget
	db.Find(&ts)
	for _, x := range ts {
		if d.targets[x.IndicatorID] == nil {
			d.targets[x.IndicatorID] = map[int]float64{}
		}
		d.targets[x.IndicatorID][x.Year] = x.Value
	}
	var vs []domain.IndicatorValue
	db.Where("status = ? AND value IS NOT NULL", domain.StatusApproved).Find(&vs)
	for _, v := range vs {
		d.values[v.IndicatorID] = append(d.values[v.IndicatorID], v)
	}
	for id := range d.values {
		s := d.values[id]
		for i := range s {
			for j := i + 1; j < len(s); j++ {
				if d.pidx[s[j].PeriodID] < d.pidx[s[i].PeriodID] {
					s[i], s[j] = s[j], s[i]
				}
			}
		}
	}
	return d
}

// expected computes what the IPTT should show for one indicator and period.
func (d *planData) expected(ind domain.Indicator, k int) (target, actual *float64, rating expectedRating) {
	per := d.periods[k]
	y := per.Year()
	n, place := 0, 0
	for i, p := range d.periods {
		if p.Year() == y {
			n++
			if i <= k {
				place++
			}
		}
	}
	if t, ok := d.targets[ind.ID][y]; ok {
		var v float64
		count := ind.UnitType == domain.UnitNumber
		switch ind.Accumulation {
		case domain.AccumulateSum:
			v = t / float64(n)
			if count && t == math.Trunc(t) {
				// Whole numbers adding up to the year's target: the
				// earlier periods take the units left over.
				v = math.Floor(t / float64(n))
				if float64(place) <= t-v*float64(n) {
					v++
				}
			}
		case domain.AccumulateCumulative:
			start := 0.0
			if prev, ok := d.targets[ind.ID][y-1]; ok {
				start = prev
			} else if ind.BaselineValue != nil {
				start = *ind.BaselineValue
			}
			v = start + (t-start)*float64(place)/float64(n)
			if count {
				v = math.Round(v)
			}
		default:
			v = t
		}
		target = &v
	}
	var sum float64
	found := false
	for _, v := range d.values[ind.ID] { // in period order
		i := d.pidx[v.PeriodID]
		switch {
		case i > k:
		case ind.Accumulation == domain.AccumulateCumulative:
			sum += *v.Value
			found = found || i == k
		case i == k:
			sum, found = *v.Value, true
		}
	}
	if found {
		actual = &sum
	}
	switch {
	case actual == nil && today.Before(per.DueBy()):
		rating.RAG = domain.RAGNotDue
	case actual == nil || target == nil:
		rating.RAG = domain.RAGNoData
	default:
		var base *float64
		if ind.Accumulation != domain.AccumulateSum {
			base = ind.BaselineValue
		}
		p := figures.Progress(*actual, base, *target, ind.Direction)
		rating.Progress = &p
		rating.RAG = d.plan.Thresholds().Classify(p)
	}
	return target, actual, rating
}

// expectedRating is a rating word with the progress behind it.
type expectedRating struct {
	RAG      string
	Progress *float64
}

var ragWords = map[string]string{domain.RAGOnTrack: "On track", domain.RAGBehind: "Behind", domain.RAGOffTrack: "Off track",
	domain.RAGNoData: "No data", domain.RAGNotDue: "Not due"}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func checkNumber(t *testing.T, what, got string, want *float64) {
	t.Helper()
	if want == nil {
		if got != "–" {
			t.Errorf("%s = %q, want –", what, got)
		}
		return
	}
	x, err := strconv.ParseFloat(got, 64)
	if err != nil || !near(x, *want) {
		t.Errorf("%s = %q, want %v", what, got, *want)
	}
}

// TestIPTTMatchesTheModels checks, cell by cell, an indicator of every
// accumulation mode and direction in every period of the range.
func TestIPTTMatchesTheModels(t *testing.T) {
	t.Parallel()
	db := demo(t)
	f, _ := generate(t, db, report.Options{Scope: secretariat})
	x, d := readIPTT(t, f), loadPlan(t, db)
	if len(x.labels) == 0 {
		t.Fatal("no period columns")
	}
	seen := map[string]bool{}
	checked := 0
	for _, ind := range d.inds {
		key := ind.Accumulation + "/" + ind.Direction
		if seen[key] || x.rows[ind.Code] == 0 || len(d.values[ind.ID]) == 0 {
			continue
		}
		seen[key] = true
		for _, label := range x.labels {
			k := slicesIndex(d.periods, label)
			target, actual, rating := d.expected(ind, k)
			checkNumber(t, ind.Code+" target "+label, x.cell(t, ind.Code, "Target "+label), target)
			checkNumber(t, ind.Code+" actual "+label, x.cell(t, ind.Code, "Actual "+label), actual)
			checkNumber(t, ind.Code+" % "+label, x.cell(t, ind.Code, "% of target "+label), rating.Progress)
			if got := x.cell(t, ind.Code, "Rating "+label); got != ragWords[rating.RAG] {
				t.Errorf("%s rating %s = %q, want %q", ind.Code, label, got, ragWords[rating.RAG])
			}
			checked++
		}
	}
	for _, mode := range []string{domain.AccumulateSum, domain.AccumulateCumulative, domain.AccumulateLatest} {
		found := false
		for k := range seen {
			found = found || strings.HasPrefix(k, mode+"/")
		}
		if !found {
			t.Errorf("no indicator in %s mode was checked", mode)
		}
	}
	for _, dir := range []string{domain.Increase, domain.Decrease, domain.Maintain} {
		found := false
		for k := range seen {
			found = found || strings.HasSuffix(k, "/"+dir)
		}
		if !found {
			t.Errorf("no %s indicator was checked", dir)
		}
	}
	t.Logf("checked %d period cells of %d indicators (%v)", checked, len(seen), seen)
}

func slicesIndex(ps []domain.ReportingPeriod, label string) int {
	for i, p := range ps {
		if p.Label == label {
			return i
		}
	}
	return -1
}
