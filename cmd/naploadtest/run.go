package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenarioNames are the scenarios run knows, in the order it runs them.
var scenarioNames = []string{"dashboard", "home", "plan", "indicator", "values", "report"}

// outcome is what one scenario measured.
type outcome struct {
	name              string
	requests          uint64
	elapsed           time.Duration
	p50, p99, max     time.Duration
	errors, conflicts int
	notModified       int
	codes             map[string]int
	firstError        string
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("naploadtest run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfgFile, base, scenarios string
	var duration, timeout time.Duration
	var connections int
	var revalidate bool
	fs.StringVar(&cfgFile, "config", "loadtest.json", "file written by naploadtest prepare")
	fs.StringVar(&base, "url", "http://127.0.0.1:8080", "address of the running server")
	fs.DurationVar(&duration, "duration", 10*time.Second, "how long each scenario runs")
	fs.DurationVar(&timeout, "timeout", time.Minute, "how long one request may take")
	fs.IntVar(&connections, "connections", 8, "requests at once in the page scenarios")
	fs.StringVar(&scenarios, "scenarios", strings.Join(scenarioNames, ","), "comma-separated scenarios to run: "+strings.Join(scenarioNames, ", "))
	fs.BoolVar(&revalidate, "revalidate", false, "pages: send back the ETag of a first answer in If-None-Match, as a browser refreshing does")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(cfgFile)
	if err != nil {
		return err
	}
	var cfg Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		return fmt.Errorf("%s: %w", cfgFile, err)
	}
	base = strings.TrimRight(base, "/")
	if connections < 1 {
		return fmt.Errorf("--connections must be at least 1")
	}
	cookie, err := signIn(ctx, base, cfg.Facilitator)
	if err != nil {
		return fmt.Errorf("sign the facilitator in: %w", err)
	}
	plan := "/plans/" + url.PathEscape(cfg.Plan)
	pages := map[string]string{
		"dashboard": plan + "/dashboard",
		"home":      "/",
		"plan":      plan,
		"indicator": plan + "/indicators/" + url.PathEscape(cfg.Indicator),
		"report":    plan + "/report.xlsx",
	}
	fmt.Fprintf(stdout, "%s, plan %s, %s per scenario, %d connections\n", base, cfg.Plan, duration, connections)
	var results []outcome
	for name := range strings.SplitSeq(scenarios, ",") {
		name = strings.TrimSpace(name)
		if ctx.Err() != nil {
			break
		}
		var o outcome
		switch {
		case name == "values":
			o, err = runWriters(ctx, base, cfg, duration, timeout)
		case pages[name] != "":
			o, err = runPage(ctx, name, base+pages[name], cookie, connections, duration, timeout, revalidate)
		default:
			return fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames, ", "))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		results = append(results, o)
	}
	printOutcomes(stdout, results)
	return nil
}

// printOutcomes writes the table of results.
func printOutcomes(w io.Writer, results []outcome) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests\treq/s\tp50\tp99\tmax\terrors\tconflicts\t304s\tstatus codes\t")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	for _, o := range results {
		rate := 0.0
		if o.elapsed > 0 {
			rate = float64(o.requests) / o.elapsed.Seconds()
		}
		codes := make([]string, 0, len(o.codes))
		for _, c := range []string{"200", "304", "409", "0"} {
			if n := o.codes[c]; n > 0 {
				codes = append(codes, fmt.Sprintf("%s×%d", c, n))
			}
		}
		for c, n := range o.codes {
			if c != "200" && c != "304" && c != "409" && c != "0" {
				codes = append(codes, fmt.Sprintf("%s×%d", c, n))
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t\n", o.name, o.requests, rate, ms(o.p50), ms(o.p99), ms(o.max),
			o.errors, o.conflicts, o.notModified, strings.Join(codes, " "))
	}
	tw.Flush()
	for _, o := range results {
		if o.firstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", o.name, o.firstError)
		}
	}
}

// newClient is an HTTP client keeping up to n connections to the server.
func newClient(n int, timeout time.Duration, rt func(http.RoundTripper) http.RoundTripper) *http.Client {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: n,
		MaxConnsPerHost:     n,
		IdleConnTimeout:     90 * time.Second,
	}
	var t http.RoundTripper = tr
	if rt != nil {
		t = rt(tr)
	}
	return &http.Client{Transport: t, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="login_csrf"\s+value="([^"]+)"`)

// signIn fills in the sign-in form as a browser does and returns the
// session cookie.
func signIn(ctx context.Context, base string, a Account) (*http.Cookie, error) {
	jar, _ := cookiejar.New(nil)
	c := newClient(1, 30*time.Second, nil)
	c.Jar = jar
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("no sign-in form token on %s/login (status %d)", base, resp.StatusCode)
	}
	form := url.Values{"email": {a.Email}, "password": {a.Password}, "login_csrf": {string(m[1])}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "nap_session" && ck.Value != "" {
			if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/login/2fa") || strings.HasPrefix(loc, "/account/2fa") {
				return nil, fmt.Errorf("%s must use a second factor: use an account that signs in with a password only", a.Email)
			}
			return &http.Cookie{Name: ck.Name, Value: ck.Value}, nil
		}
	}
	return nil, fmt.Errorf("sign-in of %s failed (status %d)", a.Email, resp.StatusCode)
}

// runPage reads one page as the facilitator, connections requests at once.
func runPage(ctx context.Context, name, target string, cookie *http.Cookie, connections int, duration, timeout time.Duration, revalidate bool) (outcome, error) {
	client := newClient(connections, timeout, nil)
	header := http.Header{"Cookie": {cookie.String()}, "Accept-Encoding": {"gzip"}, "Accept-Language": {"en"}}
	// One request first: the page must answer, and its ETag is what a
	// refreshing browser sends back.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	req.Header = header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return outcome{}, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return outcome{}, fmt.Errorf("GET %s: status %d", target, resp.StatusCode)
	}
	if etag := resp.Header.Get("ETag"); revalidate && etag != "" {
		header.Set("If-None-Match", etag)
	}
	tgt := vegeta.Target{Method: http.MethodGet, URL: target, Header: header}
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(uint64(connections)), vegeta.MaxWorkers(uint64(connections)), vegeta.MaxBody(0))
	return attack(ctx, name, []*vegeta.Attacker{atk}, []vegeta.Targeter{vegeta.NewStaticTargeter(tgt)}, duration)
}

// attack runs the attackers at once, as fast as they go, for the duration
// and sums up their results.
func attack(ctx context.Context, name string, atks []*vegeta.Attacker, trs []vegeta.Targeter, duration time.Duration) (outcome, error) {
	o := outcome{name: name, codes: map[string]int{}}
	var m vegeta.Metrics
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i, atk := range atks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stop := context.AfterFunc(ctx, func() { atk.Stop() })
			defer stop()
			for res := range atk.Attack(trs[i], vegeta.Rate{Freq: 0}, duration, name) {
				mu.Lock()
				m.Add(res)
				switch {
				case res.Code == http.StatusNotModified:
					o.notModified++
				case res.Code == http.StatusConflict:
					o.conflicts++
				case res.Error != "":
					o.errors++
					if o.firstError == "" {
						o.firstError = res.Error
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	o.elapsed = time.Since(start)
	m.Close()
	o.requests = m.Requests
	o.p50, o.p99, o.max = m.Latencies.P50, m.Latencies.P99, m.Latencies.Max
	for c, n := range m.StatusCodes {
		o.codes[c] = n
	}
	return o, nil
}

// versions holds, for one writer, the version of each value it last read.
type versions struct {
	mu   sync.Mutex
	of   map[string]int
	next int
	list []string
}

// valuePath matches …/indicators/{code}/values/{period}.
var valuePath = regexp.MustCompile(`/indicators/([^/]+)/values/[^/]+$`)

// tracking is a RoundTripper that reads the version out of every answer to
// a value's PUT before the writer sends its next request: the saved
// value's version, or on a 409 the current one the answer names.
type tracking struct {
	next http.RoundTripper
	v    *versions
}

func (t tracking) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodPut {
		return resp, err
	}
	m := valuePath.FindStringSubmatch(req.URL.Path)
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil || m == nil {
		return resp, rerr
	}
	code, _ := url.PathUnescape(m[1])
	var ans struct {
		Version int `json:"version"`
		Error   *struct {
			Current *int `json:"current"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &ans) == nil {
		t.v.mu.Lock()
		switch {
		case resp.StatusCode == http.StatusOK:
			t.v.of[code] = ans.Version
		case resp.StatusCode == http.StatusConflict && ans.Error != nil && ans.Error.Current != nil:
			t.v.of[code] = *ans.Error.Current
		}
		t.v.mu.Unlock()
	}
	return resp, nil
}

// runWriters has every focal point save values through the API at once,
// one request at a time each, as a person or a script of theirs would.
func runWriters(ctx context.Context, base string, cfg Config, duration, timeout time.Duration) (outcome, error) {
	if len(cfg.Writers) == 0 {
		return outcome{}, fmt.Errorf("no writers in the configuration")
	}
	plan := base + "/api/v1/plans/" + url.PathEscape(cfg.Plan)
	var atks []*vegeta.Attacker
	var trs []vegeta.Targeter
	sharing := map[string]int{} // writers per organisation so far
	for _, w := range cfg.Writers {
		v := &versions{of: map[string]int{}}
		// Read the versions of the values this writer may change.
		if err := readVersions(ctx, plan, cfg.Period, w, v); err != nil {
			return outcome{}, fmt.Errorf("%s: %w", w.Email, err)
		}
		if len(v.list) == 0 {
			return outcome{}, fmt.Errorf("%s: no value left to write in %s (all submitted or approved)", w.Email, cfg.Period)
		}
		// Writers of the same organisation start apart in its list.
		v.next = sharing[w.Org] * len(v.list) / 2 % len(v.list)
		sharing[w.Org]++
		client := newClient(1, timeout, func(rt http.RoundTripper) http.RoundTripper { return tracking{next: rt, v: v} })
		header := http.Header{"Authorization": {"Bearer " + w.Token}, "Content-Type": {"application/json"}}
		period := url.PathEscape(cfg.Period)
		trs = append(trs, func(t *vegeta.Target) error {
			v.mu.Lock()
			code := v.list[v.next%len(v.list)]
			v.next++
			version := v.of[code]
			v.mu.Unlock()
			body, _ := json.Marshal(map[string]any{"value": version + 1, "narrative": "load test", "version": version})
			*t = vegeta.Target{Method: http.MethodPut, URL: plan + "/indicators/" + url.PathEscape(code) + "/values/" + period, Body: body, Header: header}
			return nil
		})
		atks = append(atks, vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(1), vegeta.MaxWorkers(1), vegeta.MaxBody(0)))
	}
	return attack(ctx, "values", atks, trs, duration)
}

// readVersions reads, with the writer's token, the values of the period it
// may change and their versions, leaving out those submitted or approved.
func readVersions(ctx context.Context, plan, period string, w Writer, v *versions) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, plan+"/values?period="+url.QueryEscape(period), nil)
	req.Header.Set("Authorization", "Bearer "+w.Token)
	resp, err := newClient(1, time.Minute, nil).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET values: status %d", resp.StatusCode)
	}
	var out struct {
		Values []struct {
			Indicator string `json:"indicator"`
			Status    string `json:"status"`
			Version   int    `json:"version"`
		} `json:"values"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	status := map[string]string{}
	for _, x := range out.Values {
		status[x.Indicator] = x.Status
		v.of[x.Indicator] = x.Version
	}
	for _, code := range w.Indicators {
		if s := status[code]; s != "submitted" && s != "approved" {
			v.list = append(v.list, code)
		}
	}
	return nil
}
