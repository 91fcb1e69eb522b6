package apptest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/store/storetest"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium (or CHROMIUM_PATH): its headless
// shell when it is installed (Debian package chromium-headless-shell),
// otherwise the browser itself. The shell is the same engine (Blink, V8,
// the same layout and scripts) without the browser's own interface, which
// a headless Chromium still starts for every window: with it the browser
// tests use less than half the processor time (43 s against 100 s, counted
// over Chromium's processes).
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Browser is a tab of a headless Chromium driven by chromedp, with a folder
// for its screenshots. The test process starts one Chromium and gives each
// Browser a tab in a browser context of its own (like a private window), so
// its cookies are its own: use one per person in a test.
type Browser struct {
	Ctx  context.Context
	t    testing.TB
	dir  string
	step *atomic.Int32
	base string
}

// shared is the test process's Chromium: started by the first browser test,
// stopped by CloseBrowser (which Main calls) or with the process.
var shared struct {
	mu      sync.Mutex
	ctx     context.Context // the browser's first tab, never used for pages
	cancel  func()
	dataDir string
	err     error
}

func sharedBrowser(path string) (context.Context, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx != nil || shared.err != nil {
		return shared.ctx, shared.err
	}
	dir, err := os.MkdirTemp("", "naptracker-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		// Tabs of parallel tests are all in the background: they must not be throttled.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(dir),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	// The browser lives as long as the context of its first run, so that
	// context gets no deadline: a timer cancels it if Chromium is not up in time.
	stuck := time.AfterFunc(Scaled(2*time.Minute), cancelCtx)
	err = chromedp.Do(ctx)
	if !stuck.Stop() && err == nil {
		err = errors.New("Chromium did not start in time")
	}
	if err != nil {
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(dir)
		shared.err = fmt.Errorf("start Chromium: %w", err)
		return nil, shared.err
	}
	shared.ctx, shared.dataDir = ctx, dir
	shared.cancel = func() { cancelCtx(); cancelAlloc() }
	return ctx, nil
}

// CloseBrowser stops the shared Chromium, if one was started, and removes
// its profile.
func CloseBrowser() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cancel != nil {
		shared.cancel()
		os.RemoveAll(shared.dataDir)
	}
	shared.ctx, shared.cancel, shared.err = nil, nil, nil
}

// BrowserBudget is how long one browser test may take on a quiet machine of
// the project's kind (two cores) with -race, with room to spare; a test's
// browser gives up after Scaled(BrowserBudget), or a little before the
// test binary's -timeout, whichever comes first, so that a stuck page fails
// its own test with the step it was on instead of a panic of the whole binary.
const BrowserBudget = 5 * time.Minute

// Scaled stretches a time limit for a machine slower than the one it was
// chosen on: NAPTRACKER_TEST_SLOWDOWN=3 makes every limit three times as
// long. It never shortens one.
func Scaled(d time.Duration) time.Duration {
	if f, err := strconv.ParseFloat(os.Getenv("NAPTRACKER_TEST_SLOWDOWN"), 64); err == nil && f > 1 {
		return time.Duration(float64(d) * f)
	}
	return d
}

// NewBrowser opens a tab for the test in the test process's headless
// Chromium (starting it on first use); the test is skipped with -short
// and where no Chromium is installed (CI installs it), and on PostgreSQL
// (modelstest.SkipOnSecondDatabase): what a browser checks (layout,
// scripts, accessibility) is the same on either database. Screenshots go to
// $TMPDIR/naptracker-screenshots/<test name>, which the test log names.
func (e *Env) NewBrowser(t testing.TB, shots *atomic.Int32) *Browser {
	t.Helper()
	path := chromiumPath()
	if testing.Short() {
		t.Skip("a browser test: -short skips it")
	}
	if path == "" {
		t.Skip("no Chromium installed (apt-get install -y chromium-headless-shell)")
	}
	storetest.SkipOnSecondDatabase(t, "a browser test")
	root, err := sharedBrowser(path)
	if err != nil {
		t.Fatal(err)
	}
	tab, cancelTab := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	deadline := time.Now().Add(Scaled(BrowserBudget))
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if end, ok := d.Deadline(); ok && end.Add(-20*time.Second).Before(deadline) {
			deadline = end.Add(-20 * time.Second)
		}
	}
	ctx, cancelTimeout := context.WithDeadline(tab, deadline)
	t.Cleanup(func() { cancelTimeout(); cancelTab() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a Chromium tab: %v", err)
	}
	dir := filepath.Join(os.TempDir(), "naptracker-screenshots", strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &Browser{Ctx: ctx, t: t, dir: dir, step: shots, base: e.Server.URL}
	// A failed test leaves a picture of the page it failed on; registered
	// after the tab's own clean-up, so it runs before the tab closes.
	t.Cleanup(func() {
		if t.Failed() && ctx.Err() == nil {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				file := filepath.Join(dir, "failed.png")
				if os.WriteFile(file, png, 0o644) == nil {
					t.Logf("the page it failed on: %s", file)
				}
			}
		}
	})
	return b
}

// BrowserFor is NewBrowser for a test with one browser: it numbers its own
// screenshots, names their folder in the test log and, unless u is nil,
// signs u in with Password.
func (e *Env) BrowserFor(t testing.TB, u *domain.User) *Browser {
	t.Helper()
	b := e.NewBrowser(t, new(atomic.Int32))
	t.Logf("screenshots: %s", b.Dir())
	if u != nil {
		b.SignIn(u.Email, Password, nil)
	}
	return b
}

// Dir is where the screenshots go.
func (b *Browser) Dir() string { return b.dir }

// Run performs chromedp actions, failing the test on error.
func (b *Browser) Run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
		b.t.Fatalf("browser at %s: %v", loc, err)
	}
}

// Eval evaluates a JavaScript expression and returns its value.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Open navigates to a path of the application and waits for the page.
func (b *Browser) Open(path string) {
	b.t.Helper()
	b.Run(chromedp.Navigate(b.base + path))
	b.waitLoaded()
}

// ClickAndWait clicks a link or a submit button and waits until the page it
// leads to has loaded: the current page is marked first, and the wait ends
// when a page without the mark is complete. Waiting for an element instead
// could be satisfied by the old page, and the next step would then abort
// the navigation still in flight.
func (b *Browser) ClickAndWait(sel string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(document.documentElement.dataset.leaving = "1") === "1"`)); err != nil {
		b.t.Fatalf("mark the page: %v", err)
	}
	b.Run(chromedp.Click(chromedp.CSS(sel)))
	b.waitLoaded()
}

// waitLoaded waits until a new page (one without the mark) is complete.
func (b *Browser) waitLoaded() {
	b.t.Helper()
	for {
		done, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && !document.documentElement.dataset.leaving && !!document.querySelector("main")`))
		if err == nil && done {
			return
		}
		if b.Ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.Ctx), 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	b.t.Fatalf("the page after %s did not load before the browser's deadline", loc)
}

// Screenshots reports whether the browser tests save a screenshot of each
// step (NAPTRACKER_TEST_SCREENSHOTS=1). Without it, only a failed test saves
// one, of the page it failed on: encoding full-page PNGs is a third of the
// browser tests' time, and a passing test's pictures are rarely looked at.
func Screenshots() bool { return os.Getenv("NAPTRACKER_TEST_SCREENSHOTS") != "" }

// Shot saves a full-page screenshot named after the step, when screenshots
// are asked for (Screenshots).
func (b *Browser) Shot(name string) {
	b.t.Helper()
	if !Screenshots() {
		return
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	n := b.step.Add(1)
	file := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", n, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// Text returns the visible text of the page's main element.
func (b *Browser) Text() string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		b.t.Fatalf("text: %v", err)
	}
	return s
}

// SignIn signs in through the real form (and the second-factor form when
// code is not empty).
func (b *Browser) SignIn(email, password string, code func() string) {
	b.t.Helper()
	b.Open("/login")
	b.Run(
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	b.ClickAndWait(`main button[type=submit]`)
	if code != nil {
		b.Run(chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code()))
		b.ClickAndWait(`main form button[type=submit]`)
	}
	b.Run(chromedp.WaitVisible(chromedp.CSS(`.top .who`)))
}

// SignOut uses the sign-out button in the header.
func (b *Browser) SignOut() {
	b.t.Helper()
	b.ClickAndWait(`form[action="/logout"] button`)
}
