package report_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/report"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// BenchmarkWorkshopReport generates the report of a synthetic plan of 1,000
// activities × 5 indicators × 5 years (5,000 indicators, 20 quarterly
// periods, 100,000 values) and of one ten times smaller, on SQLite or, with
// TEST_DATABASE_URL, on PostgreSQL. Besides time and allocations it reports
// the peak heap in use (runtime.MemStats.HeapInuse sampled every 2 ms in a
// goroutine) and the peak resident set size of the process over the timed
// loop (VmHWM after resetting it through /proc/self/clear_refs; Linux).
func BenchmarkWorkshopReport(b *testing.B) {
	for _, size := range []struct {
		name       string
		activities int
	}{{"plan=500ind", 100}, {"plan=5000ind", 1000}} {
		b.Run(size.name, func(b *testing.B) {
			db := storetest.New(b)
			today := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
			opts := seed.SyntheticOptions{Activities: size.activities, IndicatorsPerActivity: 5, Years: 5}
			sum, err := seed.Synthetic(context.Background(), db, opts, today)
			if err != nil {
				b.Fatal(err)
			}
			var plan domain.Plan
			db.Take(&plan, sum.PlanID)
			var periods []domain.ReportingPeriod
			db.Where("plan_id = ?", plan.ID).Order("start_date").Find(&periods)
			// The whole plan: all 20 quarters and their 100,000 values.
			o := report.Options{Plan: plan.Code, From: periods[0].Label, To: periods[len(periods)-1].Label,
				Scope: domain.Scope{Role: domain.RoleDonor}, Now: today}
			// Hand the seeding's garbage back to the system, so the peak
			// resident size measures the report, not the loading.
			debug.FreeOSMemory()
			resetPeakRSS()
			startRSS := procStatus("VmRSS:")
			cpu0 := cpuTime()
			var peak uint64
			stop, done := make(chan struct{}), sync.WaitGroup{}
			done.Add(1)
			go func() {
				defer done.Done()
				var m runtime.MemStats
				for {
					runtime.ReadMemStats(&m)
					peak = max(peak, m.HeapInuse)
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
				}
			}()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := report.Workshop(context.Background(), db, o, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// CPU time per report: on a busy machine it says more than the
			// wall time (it includes the sampling goroutine, a few percent).
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			close(stop)
			done.Wait()
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			if rss := procStatus("VmHWM:"); rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
				// What the reports added to the process (the rest is the
				// test binary, the database's caches and the seeding).
				b.ReportMetric(float64(rss-min(rss, startRSS))/(1<<20), "RSS-growth-MB")
			}
		})
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the process's peak resident set size (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// procStatus reads a size from /proc/self/status in bytes, such as the
// peak ("VmHWM:") or current ("VmRSS:") resident set size (0 if unknown).
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
