package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/notify"
	"naptracker/reporting"
	"naptracker/seed"
)

// countingMailer is a mail server that counts what it is asked to send, by
// recipient and subject; both instances of a test share one.
type countingMailer struct {
	mu   sync.Mutex
	sent map[string]int
}

func (m *countingMailer) Send(_ context.Context, to, subject, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[to+"\x00"+subject]++
	return nil
}

// TestTwoInstancesOnOnePostgreSQL runs two servers on one PostgreSQL
// database, as a ministry does behind a reverse proxy when one server is not
// enough: a session made on one works on the other, a value approved on one
// shows at once on the other's dashboard, reminders run by both go out once,
// and approvals made on both at the same time leave the roll-ups equal to a
// rebuild.
func TestTwoInstancesOnOnePostgreSQL(t *testing.T) {
	t.Parallel()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("two instances share a PostgreSQL database: set TEST_DATABASE_URL")
	}
	// The same database and the same secret key, each its own data directory.
	cfg := apptest.DemoConfig(t)
	cfg.SecretKey = "bmFwLXRyYWNrZXItdHdvLWluc3RhbmNlcy10ZXN0LWs="
	cfgB := cfg
	cfgB.DataDir = t.TempDir()
	a, b := apptest.Start(t, cfg), apptest.Start(t, cfgB)
	ctx := context.Background()
	db := a.App.DB
	plan := mustPlan(t, a)

	// A session made by signing in on A is good on B, forms included.
	donor := a.User(t, domain.RoleDonor, "APJP")
	onA := a.Client(t)
	mustStatus(t, onA.Login(donor.Email, apptest.Password), http.StatusSeeOther)
	onB := b.Client(t)
	urlA, _ := url.Parse(a.Server.URL)
	urlB, _ := url.Parse(b.Server.URL)
	onB.HTTP.Jar.SetCookies(urlB, onA.HTTP.Jar.Cookies(urlA))
	onB.CSRF = onA.CSRF
	account := onB.Get("/account")
	mustStatus(t, account, http.StatusOK)
	if !strings.Contains(account.Body, donor.Email) {
		t.Error("B does not know who signed in on A")
	}
	if r := onB.Post("/logout", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("signing out on B with A's session: %d", r.StatusCode)
	}
	if r := onA.Get("/account"); !redirectsToLogin(r) {
		t.Errorf("the session ended on B still works on A: %d", r.StatusCode)
	}

	// Values submitted and waiting: the first is approved on A while B's
	// dashboard has been shown (anything B kept would now be stale), the
	// rest on both at once.
	type waiting struct {
		Code, Label string
		Version     int
	}
	var subs []waiting
	if err := db.Table("indicator_values v").Select("i.code, p.label, v.version").Joins("JOIN indicators i ON i.id = v.indicator_id").
		Joins("JOIN reporting_periods p ON p.id = v.period_id").Where("i.plan_id = ? AND v.status = ? AND i.archived_at IS NULL", plan.ID, domain.StatusSubmitted).
		Order("p.start_date, i.code").Limit(7).Find(&subs).Error; err != nil {
		t.Fatal(err)
	}
	if len(subs) < 3 {
		t.Fatalf("the demo plan has %d submitted values, want at least 3", len(subs))
	}
	sec := a.User(t, domain.RoleSecretariat, "")
	apiA, apiB := a.APIClient(t, sec), b.APIClient(t, sec)
	approve := func(c *apptest.Client, s waiting) *apptest.Response {
		return c.JSON(http.MethodPost, fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s/approve", seed.DemoPlanCode, s.Code, s.Label),
			fmt.Sprintf(`{"version": %d}`, s.Version))
	}
	path := "/plans/" + seed.DemoPlanCode + "/dashboard"
	viewer := b.SignedIn(t, b.User(t, domain.RoleFacilitator, ""))
	mustStatus(t, viewer.Get(path), http.StatusOK)
	mustStatus(t, approve(apiA, subs[0]), http.StatusOK)
	after := viewer.Get(path)
	mustStatus(t, after, http.StatusOK)
	if want := "Value approved <span class=\"item\">" + subs[0].Code + " · " + subs[0].Label + "</span>"; !strings.Contains(after.Body, want) {
		t.Errorf("B's dashboard does not show the approval just made on A (%s · %s)", subs[0].Code, subs[0].Label)
	}
	pillar, _, _ := strings.Cut(subs[0].Code, ".")
	rags, _ := expectedPillarFigures(t, db, plan, pillar, b.Clock.Now().UTC())
	want := fmt.Sprintf("Pillar %s (Total %d): On track %d, Behind %d, Off track %d", pillar,
		rags[domain.RAGOnTrack]+rags[domain.RAGBehind]+rags[domain.RAGOffTrack]+rags[domain.RAGNoData]+rags[domain.RAGNotDue],
		rags[domain.RAGOnTrack], rags[domain.RAGBehind], rags[domain.RAGOffTrack])
	if got := chartDescs(after.Body)["ch-rag"]; !strings.Contains(got, want) {
		t.Errorf("B's dashboard after the approval on A:\n got %s\nwant %s…", got, want)
	}

	var wg sync.WaitGroup
	for i, s := range subs[1:] {
		c := apiA
		if i%2 == 1 {
			c = apiB
		}
		wg.Go(func() {
			if r := approve(c, s); r.StatusCode != http.StatusOK {
				t.Errorf("approving %s · %s: %d %.300s", s.Code, s.Label, r.StatusCode, r.Body)
			}
		})
	}
	wg.Wait()
	res, err := reporting.RebuildAllRollupsChecked(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed != 0 {
		t.Errorf("after approvals on both instances at once, %d roll-up row(s) differed from a rebuild", res.Changed)
	}

	// Both instances run the reminders at the same moment, twice, with one
	// mail server: each reminder goes out once.
	mail := &countingMailer{sent: map[string]int{}}
	a.App.Reminders.Mailer, b.App.Reminders.Mailer = mail, mail
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	var at time.Time
	cur := domain.CurrentPeriodLabel(*plan, time.Now().UTC())
	for _, p := range periods {
		if p.Label == cur {
			at = p.DueDate.AddDate(0, 0, -2) // the MOLSW focal point owes items
		}
	}
	for range 2 {
		for _, runner := range []*apptest.Env{a, b, a, b} {
			wg.Go(func() {
				if _, err := runner.App.Reminders.Run(ctx, at); err != nil {
					t.Errorf("reminders: %v", err)
				}
			})
		}
		wg.Wait()
	}
	var recorded, sent int64
	db.Model(&notify.Reminder{}).Count(&recorded)
	db.Model(&notify.Reminder{}).Where("sent_at IS NOT NULL").Count(&sent)
	if recorded == 0 {
		t.Fatal("no reminder was due: the check proves nothing")
	}
	total := 0
	for key, n := range mail.sent {
		total += n
		if n != 1 {
			to, subject, _ := strings.Cut(key, "\x00")
			t.Errorf("%q to %s went out %d times", subject, to, n)
		}
	}
	if int64(total) != recorded || sent != recorded {
		t.Errorf("%d reminder(s) recorded, %d marked sent, %d e-mail(s) sent", recorded, sent, total)
	}
}
