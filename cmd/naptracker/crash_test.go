package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store"

	"gorm.io/gorm"
)

// server is the naptracker binary running on a data directory.
type server struct {
	cmd            *exec.Cmd
	base           string
	exited         chan error
	stdout, stderr *syncBuffer
}

// startServer runs the binary on the SQLite database in dataDir and waits
// for /readyz.
func startServer(t *testing.T, bin, dataDir string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{base: "http://" + addr, exited: make(chan error, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	s.cmd = exec.Command(bin)
	s.cmd.Env = append(os.Environ(), runMainEnv+"=1", "NAPTRACKER_ADDR="+addr, "NAPTRACKER_DATA_DIR="+dataDir, "DATABASE_URL=", "NAPTRACKER_LOG_LEVEL=warn")
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	for start := time.Now(); ; {
		if resp, err := http.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case err := <-s.exited:
			t.Fatalf("server exited before it was ready: %v\nstderr: %s", err, s.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("server not ready after a minute\nstderr: %s", s.stderr.String())
		}
	}
}

// kill ends the server with SIGKILL, as a power cut of the process would,
// and waits until it is gone.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the killed server did not exit")
	}
}

// stop ends the server with SIGTERM and expects a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\nstderr: %s", err, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30 s of SIGTERM")
	}
}

// crashWrite is one value a writer sent, and what it was told.
type crashWrite struct {
	indicator string
	value     float64
	version   int // the version acknowledged, or the one the write would have made
}

// crashWriter PUTs increasing values of one indicator, each on the version
// the previous answer gave, until the server goes away.
type crashWriter struct {
	indicator string
	version   int          // the version read or last acknowledged
	acked     []crashWrite // answered 200
	nAcked    atomic.Int32 // len(acked), for the test to read while the writer runs
	stopped   atomic.Bool  // run has returned
	inflight  *crashWrite  // sent when the server died: it may or may not have been applied
	failure   string       // an answer that is neither 200 nor a broken connection
}

func (w *crashWriter) run(c *http.Client, base, token, period string, next float64) {
	defer w.stopped.Store(true)
	path := fmt.Sprintf("%s/api/v1/plans/%s/indicators/%s/values/%s", base, seed.DemoPlanCode, w.indicator, period)
	for value := next; ; value++ {
		body := fmt.Sprintf(`{"value": %v, "narrative": "write %v", "version": %d}`, value, value, w.version)
		req, _ := http.NewRequest(http.MethodPut, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			w.inflight = &crashWrite{indicator: w.indicator, value: value, version: w.version + 1}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil { // the answer was cut off: not acknowledged
			w.inflight = &crashWrite{indicator: w.indicator, value: value, version: w.version + 1}
			return
		}
		var saved struct{ Version int }
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &saved) != nil || saved.Version != w.version+1 {
			w.failure = fmt.Sprintf("PUT %s on version %d: %d %.300s", w.indicator, w.version, resp.StatusCode, b)
			return
		}
		w.version = saved.Version
		w.acked = append(w.acked, crashWrite{indicator: w.indicator, value: value, version: saved.Version})
		w.nAcked.Add(1)
	}
}

// storedValues reads the period's values through the API: indicator → (value, version).
func storedValues(t *testing.T, base, token, period string) map[string]crashWrite {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/plans/"+seed.DemoPlanCode+"/values?period="+period, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Values []struct {
			Indicator string
			Value     *float64
			Version   int
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET values: %d %v", resp.StatusCode, err)
	}
	out := map[string]crashWrite{}
	for _, v := range list.Values {
		cw := crashWrite{indicator: v.Indicator, version: v.Version}
		if v.Value != nil {
			cw.value = *v.Value
		}
		out[v.Indicator] = cw
	}
	return out
}

// TestSIGKILLDuringWrites starts the real binary on a SQLite file, lets
// several API clients write values as fast as it answers, and kills the
// process with SIGKILL in the middle, twice. After each restart every
// write that was acknowledged before the kill must be there — the value at
// the last acknowledged version (or at the next one, when the write in flight
// at the kill was committed but not answered) and every acknowledged version
// in the audit log — and the file must pass SQLite's integrity check.
func TestSIGKILLDuringWrites(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("about the SQLite file; PostgreSQL's durability is PostgreSQL's")
	}
	bin, dataDir := selfBinary(t), filepath.Join(t.TempDir(), "data")
	srv := startServer(t, bin, dataDir)

	// A token for the demo MOLSW focal point, made by the CLI while the server runs.
	tokenCmd := exec.Command(bin, "token", "create", "--email", "focal.molsw@nap.example")
	tokenCmd.Env = append(os.Environ(), runMainEnv+"=1", "NAPTRACKER_DATA_DIR="+dataDir, "DATABASE_URL=", "NAPTRACKER_LOG_LEVEL=warn")
	out, err := tokenCmd.Output()
	token := strings.TrimSpace(string(out))
	if err != nil || token == "" {
		t.Fatalf("token create: %v %q", err, out)
	}

	period, indicators := crashTargets(t, filepath.Join(dataDir, "naptracker.db"))
	writers := make([]*crashWriter, len(indicators))
	for i, code := range indicators {
		writers[i] = &crashWriter{indicator: code}
	}
	var acked []crashWrite
	client := &http.Client{Timeout: 10 * time.Second}
	for cycle, next := 0, 1.0; cycle < 2; cycle, next = cycle+1, next+100000 {
		stored := storedValues(t, srv.base, token, period)
		for _, w := range writers {
			checkSurvived(t, w, stored[w.indicator])
			w.version, w.acked, w.inflight = stored[w.indicator].version, nil, nil
			w.nAcked.Store(0)
			w.stopped.Store(false)
		}
		var wg sync.WaitGroup
		for _, w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.run(client, srv.base, token, period, next)
			}()
		}
		// Kill once every writer has had some writes acknowledged — however
		// slow the machine — while all of them keep writing.
		if err := waitForAcks(writers, 3+2*cycle, time.Now().Add(ackDeadline)); err != nil {
			srv.kill(t)
			wg.Wait()
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		srv.kill(t)
		wg.Wait()
		client.CloseIdleConnections()
		n, inflight := 0, 0
		for _, w := range writers {
			if w.failure != "" {
				t.Fatalf("cycle %d: %s", cycle, w.failure)
			}
			if len(w.acked) == 0 {
				t.Fatalf("cycle %d: no write to %s was acknowledged before the kill", cycle, w.indicator)
			}
			n += len(w.acked)
			if w.inflight != nil {
				inflight++
			}
			acked = append(acked, w.acked...)
		}
		t.Logf("cycle %d: %d writes acknowledged before SIGKILL, %d in flight", cycle, n, inflight)
		srv = startServer(t, bin, dataDir)
	}
	stored := storedValues(t, srv.base, token, period)
	for _, w := range writers {
		checkSurvived(t, w, stored[w.indicator])
	}
	srv.stop(t)
	checkFile(t, filepath.Join(dataDir, "naptracker.db"), acked)
}

// ackDeadline is how long the writers get to have their first writes
// acknowledged: generous, as a loaded machine answers slowly, but finite.
const ackDeadline = 3 * time.Minute

// waitForAcks waits until every writer has had at least n writes
// acknowledged. It fails when a writer stopped (with an error, or because
// the server went away) before that, or at the deadline, saying which
// writers had how many.
func waitForAcks(writers []*crashWriter, n int, deadline time.Time) error {
	for {
		done := true
		var counts []string
		for _, w := range writers {
			k := int(w.nAcked.Load())
			counts = append(counts, fmt.Sprintf("%s: %d", w.indicator, k))
			if k < n {
				done = false
				if w.stopped.Load() {
					if w.failure != "" {
						return fmt.Errorf("%s stopped after %d acknowledged writes: %s", w.indicator, k, w.failure)
					}
					return fmt.Errorf("%s stopped after %d acknowledged writes: the server went away before the kill", w.indicator, k)
				}
			}
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not every writer had %d writes acknowledged within %v (%s); the server answers too slowly or not at all", n, ackDeadline, strings.Join(counts, ", "))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// openFile opens the server's database file, for a look before or after a
// run; done closes it.
func openFile(t *testing.T, file string) (db *gorm.DB, done func()) {
	t.Helper()
	db, err := store.Open(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db, func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	}
}

// crashTargets reads the current period and a few MOLSW indicators counted
// in plain numbers (so that any increasing value is valid) from the file.
func crashTargets(t *testing.T, file string) (string, []string) {
	t.Helper()
	db, done := openFile(t, file)
	defer done()
	var plan domain.Plan
	if err := db.Where("code = ?", seed.DemoPlanCode).Take(&plan).Error; err != nil {
		t.Fatal(err)
	}
	var codes []string
	err := db.Table("indicators").Joins("JOIN organisations o ON o.id = indicators.reporting_org_id").
		Where("o.acronym = 'MOLSW' AND indicators.disaggregation_set_id IS NULL AND indicators.unit_type = ? AND indicators.plan_id = ? AND indicators.archived_at IS NULL", domain.UnitNumber, plan.ID).
		Order("indicators.code").Limit(6).Pluck("indicators.code", &codes).Error
	if err != nil || len(codes) < 3 {
		t.Fatalf("MOLSW number indicators: %v %v", codes, err)
	}
	return domain.CurrentPeriodLabel(plan, time.Now().UTC()), codes
}

// checkSurvived compares what a writer was told before the kill with what
// the restarted server holds.
func checkSurvived(t *testing.T, w *crashWriter, got crashWrite) {
	t.Helper()
	if len(w.acked) == 0 {
		return
	}
	last := w.acked[len(w.acked)-1]
	switch {
	case got.version == last.version && got.value == last.value:
	case w.inflight != nil && got.version == w.inflight.version && got.value == w.inflight.value:
		t.Logf("%s: the write in flight at the kill (%v, version %d) was committed before the answer", w.indicator, got.value, got.version)
	default:
		t.Errorf("%s after the restart: %v at version %d; the last acknowledged write was %v at version %d (in flight: %+v)",
			w.indicator, got.value, got.version, last.value, last.version, w.inflight)
	}
}

// checkFile opens the stopped server's file: it must pass the integrity
// check, and the audit log must hold every acknowledged write.
func checkFile(t *testing.T, file string, acked []crashWrite) {
	t.Helper()
	db, done := openFile(t, file)
	defer done()
	var check []string
	if err := db.Raw("PRAGMA integrity_check").Scan(&check).Error; err != nil {
		t.Fatal(err)
	}
	if len(check) != 1 || check[0] != "ok" {
		t.Errorf("integrity_check: %v", check)
	}
	var entries []struct {
		Code     string
		NewValue string
	}
	err := db.Table("audit_entries").Select("indicators.code, audit_entries.new_value").
		Joins("JOIN indicator_values ON indicator_values.id = audit_entries.entity_id").
		Joins("JOIN indicators ON indicators.id = indicator_values.indicator_id").
		Where("audit_entries.action = ? AND audit_entries.entity_type = ?", "value.save", "indicator_value").Scan(&entries).Error
	if err != nil {
		t.Fatal(err)
	}
	audited := map[crashWrite]bool{}
	for _, e := range entries {
		var s struct {
			Value   *float64
			Version int
		}
		if json.Unmarshal([]byte(e.NewValue), &s) == nil && s.Value != nil {
			audited[crashWrite{indicator: e.Code, value: *s.Value, version: s.Version}] = true
		}
	}
	missing := 0
	for _, a := range acked {
		if !audited[a] {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged write %+v is not in the audit log", a)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged writes are missing from the audit log", missing, len(acked))
		return
	}
	t.Logf("%d acknowledged writes, all in the audit log of a file that passes integrity_check", len(acked))
}
