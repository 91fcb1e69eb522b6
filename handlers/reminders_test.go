package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/notify"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
)

// remFixture is the demo plan with people to remind: two MOLSW focal points
// and a disabled one, a MOPS focal point, a donor and a secretariat officer.
type remFixture struct {
	env                  *apptest.Env
	plan                 *domain.Plan
	cur                  domain.ReportingPeriod
	molsw, molsw2, mops  *domain.User
	disabled, donor, sec *domain.User
}

func newRemFixture(t *testing.T, smtpURL string) *remFixture {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.SMTPURL = smtpURL
	env := apptest.Start(t, cfg)
	ctx := context.Background()
	f := &remFixture{env: env}
	var err error
	if f.plan, err = planning.FindPlan(ctx, env.App.DB, seed.DemoPlanCode); err != nil {
		t.Fatal(err)
	}
	periods, err := reporting.PlanPeriods(ctx, env.App.DB, f.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	label := domain.CurrentPeriodLabel(*f.plan, env.Clock.Now().UTC())
	for _, p := range periods {
		if p.Label == label {
			f.cur = p
		}
	}
	f.molsw = env.User(t, domain.RoleFocalPoint, "MOLSW")
	f.molsw2 = env.User(t, domain.RoleFocalPoint, "MOLSW")
	f.mops = env.User(t, domain.RoleFocalPoint, "MOPS")
	f.disabled = env.User(t, domain.RoleFocalPoint, "MOLSW")
	now := env.Clock.Now().UTC()
	if err := env.App.DB.Model(&domain.User{}).Where("id = ?", f.disabled.ID).Update("disabled_at", now).Error; err != nil {
		t.Fatal(err)
	}
	f.donor = env.User(t, domain.RoleDonor, "APJP")
	f.sec = env.User(t, domain.RoleSecretariat, "")
	return f
}

// run runs the reminders once at the application's clock.
func (f *remFixture) run(t *testing.T) handlersRun {
	t.Helper()
	r, err := f.env.App.Reminders.Run(context.Background(), f.env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return handlersRun{r.Created, r.Sent, r.Failed, r.Unsent}
}

type handlersRun struct{ Created, Sent, Failed, Unsent int }

// moveTo sets the application's clock to the instant at.
func (f *remFixture) moveTo(at time.Time) { f.env.Clock.Advance(at.Sub(f.env.Clock.Now())) }

// returnValue has MOLSW submit indicator 2.1.1.b for the current period and
// the secretariat return it with comment.
func (f *remFixture) returnValue(t *testing.T, comment string) {
	t.Helper()
	fp, sec := f.env.APIClient(t, f.molsw), f.env.APIClient(t, f.sec)
	list := decode[struct {
		Values []struct {
			Indicator string
			Version   int
		}
	}](t, fp.Get("/api/v1/plans/"+seed.DemoPlanCode+"/values?period="+f.cur.Label))
	version := 0
	for _, v := range list.Values {
		if v.Indicator == "2.1.1.b" {
			version = v.Version
		}
	}
	path := fmt.Sprintf("/api/v1/plans/%s/indicators/2.1.1.b/values/%s", seed.DemoPlanCode, f.cur.Label)
	r := fp.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": 12, "narrative": "Two trainings", "version": %d}`, version))
	mustStatus(t, r, http.StatusOK)
	v := decode[struct{ Version int }](t, r)
	r = apiAct(t, fp, path, "submit", v.Version, http.StatusOK)
	v = decode[struct{ Version int }](t, r)
	mustStatus(t, sec.JSON(http.MethodPost, path+"/return", fmt.Sprintf(`{"version": %d, "comment": %q}`, v.Version, comment)), http.StatusOK)
}

// mailsAbout keeps the messages whose subject contains all the words.
func mailsAbout(mails []fakeMail, words ...string) []fakeMail {
	var out []fakeMail
	for _, m := range mails {
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(m.Subject, w)
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// indicatorOf returns an active indicator of the demo plan reported by org.
func (f *remFixture) indicatorOf(t *testing.T, org string) domain.Indicator {
	t.Helper()
	o, err := planning.FindOrganisationByAcronym(context.Background(), f.env.App.DB, org)
	if err != nil {
		t.Fatal(err)
	}
	var ind domain.Indicator
	if err := f.env.App.DB.Where("plan_id = ? AND reporting_org_id = ? AND archived_at IS NULL", f.plan.ID, o.ID).Order("code").Take(&ind).Error; err != nil {
		t.Fatal(err)
	}
	return ind
}

// TestRemindersByEmail follows a period through the reminders it causes,
// moving the clock along the demo plan's dates, against a mail server
// started by the test: who gets what, that a second run sends nothing new,
// and that a refused message is recorded and sent at a later run.
func TestRemindersByEmail(t *testing.T) {
	t.Parallel()
	smtp := startFakeSMTP(t)
	f := newRemFixture(t, smtp.URL())
	env := f.env

	// 1. The secretariat returns a MOLSW value: both MOLSW focal points are
	// told, with the comment and a link to the value; nobody else is.
	f.returnValue(t, "Please attach the attendance lists.")
	first := f.run(t)
	if first.Created == 0 || first.Sent != first.Created || first.Failed != 0 {
		t.Fatalf("first run: %+v, want everything recorded sent", first)
	}
	for _, u := range []*domain.User{f.molsw, f.molsw2} {
		got := mailsAbout(smtp.To(u.Email), "2.1.1.b", "returned")
		if len(got) != 1 {
			t.Fatalf("%s got %d mails about the returned 2.1.1.b, want 1 (all: %d)", u.Email, len(got), len(smtp.To(u.Email)))
		}
		m := got[0]
		link := env.Config.BaseURL + "/plans/" + seed.DemoPlanCode + "/indicators/2.1.1.b/values/" + f.cur.Label
		if !strings.Contains(m.Body, "> Please attach the attendance lists.") || !strings.Contains(m.Body, link) || !strings.Contains(m.Body, "Dear "+u.Name) {
			t.Errorf("returned mail to %s lacks the comment, the link or the greeting:\n%s", u.Email, m.Body)
		}
		if m.From != "nap@example.gov" || !strings.Contains(m.Header.Get("From"), "nap@example.gov") || m.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("envelope or headers: from %q, headers %v", m.From, m.Header)
		}
	}
	for _, u := range []*domain.User{f.mops, f.disabled, f.donor, f.sec} {
		if got := mailsAbout(smtp.To(u.Email), "2.1.1.b"); len(got) > 0 {
			t.Errorf("%s (%s) was told about MOLSW's returned value", u.Email, u.Role)
		}
	}
	for _, u := range []*domain.User{f.disabled, f.donor} {
		if got := smtp.To(u.Email); len(got) > 0 {
			t.Errorf("%s (%s) got %d mails, want none: %q", u.Email, u.Role, len(got), got[0].Subject)
		}
	}
	smtp.mu.Lock()
	logins := append([]string(nil), smtp.logins...)
	smtp.mu.Unlock()
	if len(logins) == 0 || logins[0] != "\x00nap\x00s3cret" {
		t.Errorf("the mail server saw logins %q, want PLAIN nap/s3cret", logins)
	}

	// 2. Running again sends nothing new.
	total := len(smtp.Mails())
	if again := f.run(t); again.Created != 0 || again.Sent != 0 {
		t.Errorf("second run: %+v, want nothing", again)
	}
	if n := len(smtp.Mails()); n != total {
		t.Errorf("second run sent %d more mails", n-total)
	}

	// 3. Three days before the current period's due date: each focal point is
	// reminded of what their own organisation still owes.
	f.moveTo(f.cur.DueDate.AddDate(0, 0, -3).Add(9 * time.Hour))
	f.run(t)
	molswInd, mopsInd := f.indicatorOf(t, "MOLSW"), f.indicatorOf(t, "MOPS")
	due := mailsAbout(smtp.To(f.molsw.Email), "MOLSW", f.cur.Label, "due")
	if len(due) != 1 {
		t.Fatalf("MOLSW focal point got %d due-soon mails for %s, want 1", len(due), f.cur.Label)
	}
	body := due[0].Body
	if !strings.Contains(body, "Indicator "+molswInd.Code+": "+molswInd.Name) || strings.Contains(body, "Indicator "+mopsInd.Code+": ") {
		t.Errorf("MOLSW's due-soon mail should list %s and not MOPS's %s:\n%s", molswInd.Code, mopsInd.Code, body)
	}
	if !strings.Contains(body, "2.1.1.b") || !strings.Contains(body, "returned for correction") || !strings.Contains(body, env.Config.BaseURL+"/plans/"+seed.DemoPlanCode+"/reporting") {
		t.Errorf("MOLSW's due-soon mail lacks the returned item or the link:\n%s", body)
	}
	if got := mailsAbout(smtp.To(f.mops.Email), "MOPS", f.cur.Label, "due"); len(got) != 1 || strings.Contains(got[0].Body, "Indicator "+molswInd.Code+": ") {
		t.Errorf("MOPS focal point got %d due-soon mails, or one listing MOLSW's items", len(got))
	}
	if got := smtp.To(f.donor.Email); len(got) > 0 {
		t.Errorf("the donor got %q", got[0].Subject)
	}

	// 4. The day after the due date the mail server refuses: the overdue
	// reminders are recorded with the error, shown as such, and sent by a
	// later run once the server accepts.
	smtp.Refuse("550 5.7.1 relaying denied")
	f.moveTo(f.cur.DueBy().Add(9 * time.Hour))
	refused := f.run(t)
	if refused.Created == 0 || refused.Failed != refused.Created || refused.Sent != 0 {
		t.Fatalf("run against a refusing server: %+v", refused)
	}
	var rem notify.Reminder
	if err := env.App.DB.Where("kind = ? AND user_id = ? AND period_id = ?", notify.ReminderOverdue, f.molsw.ID, f.cur.ID).Take(&rem).Error; err != nil {
		t.Fatalf("no overdue reminder recorded for MOLSW: %v", err)
	}
	if rem.SentAt != nil || !strings.Contains(rem.Error, "550") || rem.Attempts != 1 {
		t.Errorf("refused reminder: sent %v, error %q, attempts %d", rem.SentAt, rem.Error, rem.Attempts)
	}
	page := env.SignedIn(t, f.sec).Get("/reminders")
	mustStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, "relaying denied") || !strings.Contains(page.Body, "it will be tried again") {
		t.Errorf("the reminders page does not show the refusal")
	}
	smtp.Refuse("")
	retried := f.run(t)
	if retried.Created != 0 || retried.Sent != refused.Failed || retried.Failed != 0 {
		t.Errorf("retry: %+v, want the %d refused ones sent", retried, refused.Failed)
	}
	if got := mailsAbout(smtp.To(f.molsw.Email), "MOLSW", "overdue", f.cur.Label); len(got) != 1 {
		t.Errorf("MOLSW focal point got %d overdue mails, want 1", len(got))
	}
	env.App.DB.Take(&rem, rem.ID)
	if rem.SentAt == nil || rem.Error != "" || rem.Attempts != 2 {
		t.Errorf("after the retry: sent %v, error %q, attempts %d", rem.SentAt, rem.Error, rem.Attempts)
	}
	total = len(smtp.Mails())
	if again := f.run(t); again.Created+again.Sent != 0 || len(smtp.Mails()) != total {
		t.Errorf("a run after everything was sent did something: %+v", again)
	}
}

// TestRemindersAreSentOnceByConcurrentRuns runs the reminders on two
// "instances" at once: every reminder reaches its recipient exactly once.
func TestRemindersAreSentOnceByConcurrentRuns(t *testing.T) {
	t.Parallel()
	smtp := startFakeSMTP(t)
	f := newRemFixture(t, smtp.URL())
	f.moveTo(f.cur.DueBy().Add(9 * time.Hour))
	var wg sync.WaitGroup
	runs := make([]handlersRun, 2)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.env.App.Reminders.Run(context.Background(), f.env.Clock.Now())
			if err != nil {
				t.Error(err)
			}
			runs[i] = handlersRun{r.Created, r.Sent, r.Failed, r.Unsent}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, m := range smtp.Mails() {
		seen[m.To[0]+" | "+m.Subject]++
	}
	var recorded int64
	f.env.App.DB.Model(&notify.Reminder{}).Count(&recorded)
	if recorded == 0 || int64(len(smtp.Mails())) != recorded || runs[0].Created+runs[1].Created != int(recorded) {
		t.Errorf("%d reminders recorded, %d mails sent, runs %+v", recorded, len(smtp.Mails()), runs)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
	}
}

// TestRemindersWithoutEmail shows that without a mail server reminders are
// still recorded, once, and listed for the secretariat as not sent, and that
// the secretariat gets a weekly digest on Mondays only.
func TestRemindersWithoutEmail(t *testing.T) {
	t.Parallel()
	f := newRemFixture(t, "")
	env := f.env
	f.moveTo(f.cur.DueDate.AddDate(0, 0, -2).Add(8 * time.Hour))
	first := f.run(t)
	if first.Created == 0 || first.Sent != 0 || first.Unsent != first.Created {
		t.Fatalf("run without e-mail: %+v", first)
	}
	if again := f.run(t); again.Created != 0 || again.Unsent != first.Created {
		t.Errorf("second run without e-mail: %+v, want nothing new and %d waiting", again, first.Created)
	}
	page := env.SignedIn(t, f.sec).Get("/reminders")
	mustStatus(t, page, http.StatusOK)
	if n := strings.Count(page.Body, "not sent: e-mail is not configured"); n == 0 {
		t.Error("the reminders page does not say that e-mail is not configured")
	}
	if !strings.Contains(page.Body, f.molsw.Email) || !strings.Contains(page.Body, "MOLSW still owes") {
		t.Error("the reminders page does not list MOLSW's reminder with its subject")
	}
	mustStatus(t, env.SignedIn(t, f.donor).Get("/reminders"), http.StatusForbidden)
	mustStatus(t, env.SignedIn(t, f.molsw).Get("/reminders"), http.StatusForbidden)

	// The weekly digest: on the next Monday, to the secretariat only, once.
	now := env.Clock.Now().UTC()
	monday := domain.Date(now.Year(), now.Month(), now.Day()+(8-int(now.Weekday()))%7).Add(7 * time.Hour)
	if !monday.After(now) {
		monday = monday.AddDate(0, 0, 7)
	}
	digests := func() []notify.Reminder {
		var out []notify.Reminder
		env.App.DB.Where("kind = ?", notify.ReminderDigest).Order("id").Find(&out)
		return out
	}
	if got := digests(); len(got) != 0 {
		t.Fatalf("%d digests before Monday (today is %s)", len(got), now.Weekday())
	}
	f.moveTo(monday)
	f.run(t)
	got := digests()
	var toSec *notify.Reminder
	for i, d := range got {
		var u domain.User
		env.App.DB.Take(&u, d.UserID)
		if u.Role != domain.RoleSecretariat {
			t.Errorf("a digest went to %s (%s)", u.Email, u.Role)
		}
		if d.UserID == f.sec.ID {
			toSec = &got[i]
		}
	}
	if toSec == nil {
		t.Fatalf("no digest for the secretariat officer on %s", monday.Format(time.DateOnly))
	}
	if !strings.Contains(toSec.Body, "Most behind:") || !strings.Contains(toSec.Body, env.Config.BaseURL+"/plans/"+seed.DemoPlanCode+"/completeness") {
		t.Errorf("digest body:\n%s", toSec.Body)
	}
	f.moveTo(monday.Add(3 * time.Hour))
	f.run(t)
	if n := len(digests()); n != len(got) {
		t.Errorf("a second run on the same Monday made %d more digests", n-len(got))
	}
	f.moveTo(monday.AddDate(0, 0, 7))
	f.run(t)
	if n := len(digests()); n != 2*len(got) {
		t.Errorf("the next Monday: %d digests, want %d", n, 2*len(got))
	}
}
