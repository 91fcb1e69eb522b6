package account_test

// These tests sign in over HTTP, through the real server, and watch the
// password-hashing slots and checks of this package (export_test.go).

import (
	"bufio"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
)

// burstLogin sends n sign-in attempts at once, each with its own e-mail
// address from emailFor, all from the test's one client address, and
// returns how many answers had each status.
func burstLogin(t *testing.T, env *apptest.Env, n int, emailFor func(i int) string) map[int]int {
	t.Helper()
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			form := url.Values{"login_csrf": {"burst"}, "email": {emailFor(i)}, "password": {"wrong password " + strconv.Itoa(i)}}
			req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "nap_login", Value: "burst"})
			<-start
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
				t.Error("a busy answer has no Retry-After")
			}
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}(i)
	}
	close(start)
	wg.Wait()
	return statuses
}

// resetPeakRSS clears the kernel's record of this process's peak resident
// memory (VmHWM), so that peakRSS then reports the peak of what follows.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns VmHWM of this process in bytes (0 when unknown).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb * 1024
		}
	}
	return 0
}

// An attacker sends many wrong passwords at once, hoping that they are all
// checked before the first failure is recorded (and that the server runs
// out of memory hashing them). The account and address limits must hold
// for parallel bursts: each attempt is counted before its password is
// hashed, and only a few hashes run at once.
func TestParallelSignInBurstsAreThrottledBeforeHashing(t *testing.T) {
	env := apptest.New(t)
	u := env.User(t, domain.RoleSecretariat, "")

	// 40 at once against one account: at most the account's free failures
	// (5) are checked; the others wait (429) or find the server busy (503).
	before := account.PasswordChecks()
	statuses := burstLogin(t, env, 40, func(int) string { return u.Email })
	checked := account.PasswordChecks() - before
	t.Logf("40 parallel wrong passwords to one account: %d checked, answers %v", checked, statuses)
	if checked > 6 {
		t.Errorf("40 parallel wrong passwords to one account: %d were checked, want at most 6", checked)
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("no attempt of the burst was throttled: %v", statuses)
	}
	for s := range statuses {
		if s != http.StatusUnauthorized && s != http.StatusTooManyRequests && s != http.StatusServiceUnavailable {
			t.Errorf("unexpected status %d in the burst: %v", s, statuses)
		}
	}

	// The right password still fails while the account is throttled.
	wantStatus(t, env.Client(t).Login(u.Email, apptest.Password), http.StatusTooManyRequests)

	// 60 at once from one address, each to a different account: at most
	// the address's 20 free failures are checked, and memory stays bounded.
	if err := env.App.DB.Where("1 = 1").Delete(&account.LoginThrottle{}).Error; err != nil {
		t.Fatal(err)
	}
	measured := resetPeakRSS()
	base := peakRSS()
	before = account.PasswordChecks()
	statuses = burstLogin(t, env, 60, func(i int) string { return fmt.Sprintf("nobody%d@test.example", i) })
	checked = account.PasswordChecks() - before
	peak := peakRSS()
	t.Logf("60 parallel wrong passwords from one address: %d checked, answers %v, RSS %d MB before, peak %d MB", checked, statuses, base>>20, peak>>20)
	if checked > 20 {
		t.Errorf("60 parallel wrong passwords from one address: %d were checked, want at most 20", checked)
	}
	// The test binary holds earlier tests' databases and templates, so the
	// bound is on what the burst adds: the server alone starts near 100 MB
	// and must stay under 300 MB.
	// Under the race detector every allocation has shadow memory several
	// times its size, so the bound is checked only without it (go test ./...).
	if measured && !raceEnabled && peak-base > 200<<20 {
		t.Errorf("the burst made the process grow from %d MB to %d MB, want less than 200 MB more", base>>20, peak>>20)
	}
}

// When every hashing slot is taken, a sign-in is answered at once with 503
// and Retry-After, and the attempt is not counted against the account or
// the address (an honest user caught in someone else's burst is not
// throttled for it).
func TestSignInWhenHashingIsSaturated(t *testing.T) {
	env := apptest.New(t)
	u := env.User(t, domain.RoleFocalPoint, "MOJ")
	defer func(w time.Duration) { account.HashWait = w }(account.HashWait)
	account.HashWait = 50 * time.Millisecond
	release := account.HoldHashSlots()
	before := account.PasswordChecks()
	r := env.Client(t).Login(u.Email, apptest.Password)
	release()
	wantStatus(t, r, http.StatusServiceUnavailable)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "The server is busy") {
		t.Errorf("busy answer lacks Retry-After or its message: %q", r.Header.Get("Retry-After"))
	}
	if n := account.PasswordChecks() - before; n != 0 {
		t.Errorf("%d passwords were checked while every slot was taken", n)
	}
	var failures []account.LoginThrottle
	env.App.DB.Where("failures > 0").Find(&failures)
	if len(failures) != 0 {
		t.Errorf("the busy attempt was counted as a failure: %+v", failures)
	}
	wantStatus(t, env.Client(t).Login(u.Email, apptest.Password), http.StatusSeeOther)
}

// wantStatus stops the test when r does not have the status want.
func wantStatus(t *testing.T, r *apptest.Response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d\n%.600s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.Body)
	}
}
