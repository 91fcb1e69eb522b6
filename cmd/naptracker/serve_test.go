package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"naptracker/store/storetest"
)

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeProcess starts the program as a process on an empty database as
// a new user would (the test binary runs main, see TestMain; CI builds the
// real binary without cgo as a step of its own), waits for /readyz, checks
// the demo is served, and stops it with SIGTERM, expecting a clean exit.
func TestServeProcess(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the program as a process")
	}
	bin := selfBinary(t)
	addr := freeAddr(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "NAPTRACKER_ADDR="+addr, "NAPTRACKER_LOG_LEVEL=info", "NAPTRACKER_DATA_DIR="+t.TempDir())
	if os.Getenv("TEST_DATABASE_URL") != "" {
		cmd.Env = append(cmd.Env, "DATABASE_URL="+storetest.DSN(t))
	} else {
		cmd.Env = append(cmd.Env, "DATABASE_URL=")
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	base := "http://" + addr
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("server exited before it was ready: %v\nstderr: %s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("server not ready after two minutes\nstderr: %s", stderr.String())
		}
	}
	t.Logf("cold start (empty database → ready, demo seeded): %s", time.Since(start).Round(time.Millisecond))

	if out := stdout.String(); !strings.Contains(out, "Demo accounts") || strings.Count(out, "@nap.example") != 5 {
		t.Errorf("the demo accounts were not printed once each:\n%s", out)
	}
	// Sign in through the form with the printed focal point password, as a new user would.
	m := regexp.MustCompile(`focal\.molsw@nap\.example\s+MOLSW\s+(\S+)`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no focal point password printed:\n%s", stdout.String())
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	form := fetch(t, browser, base+"/login", nil)
	token := regexp.MustCompile(`name="login_csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if token == nil {
		t.Fatalf("no sign-in form:\n%s", form)
	}
	home := fetch(t, browser, base+"/login", url.Values{"login_csrf": {token[1]}, "email": {"focal.molsw@nap.example"}, "password": {m[1]}})
	if !strings.Contains(home, `href="/plans/NPA-TIP-DEMO"`) {
		t.Fatalf("after signing in, the home page does not list the demo plan:\n%s", home)
	}
	if page := fetch(t, browser, base+"/plans/NPA-TIP-DEMO", nil); !strings.Contains(page, "Prosecution and law enforcement") {
		t.Error("the plan page does not show the demo plan")
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\nstderr: %s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no graceful shutdown in the log:\n%s", stderr.String())
	}
}

// fetch GETs a page, or POSTs a form when form is not nil, following redirects.
func fetch(t *testing.T, c *http.Client, u string, form url.Values) string {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = c.Get(u)
	} else {
		resp, err = c.PostForm(u, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
