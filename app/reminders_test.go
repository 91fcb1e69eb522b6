package app_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"naptracker/app"
	"naptracker/domain"
	"naptracker/notify"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
)

func TestSMTPConfiguration(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"NAPTRACKER_SMTP_URL":          "smtp://nap%40mail:pa%3Ass@mail.example.gov:2525?from=NAP%20Tracker%20%3Cnap@example.gov%3E&starttls=1",
		"NAPTRACKER_REMINDER_DAYS":     "10",
		"NAPTRACKER_REMINDER_INTERVAL": "5m",
	}
	cfg := app.ConfigFromEnv(func(k string) string { return env[k] })
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	if err := fs.Parse([]string{"-reminder-days", "3"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.ReminderDays != 3 || cfg.ReminderInterval != 5*time.Minute {
		t.Errorf("days %d (flag wins), interval %s", cfg.ReminderDays, cfg.ReminderInterval)
	}
	s, err := notify.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "mail.example.gov" || s.Port != "2525" || s.Username != "nap@mail" || s.Password != "pa:ss" || !s.StartTLS ||
		s.From.Address != "nap@example.gov" || s.From.Name != "NAP Tracker" {
		t.Errorf("parsed %+v", s)
	}
	if d := app.DefaultConfig(); d.ReminderDays != 7 || d.ReminderInterval != 15*time.Minute || d.SMTPURL != "" {
		t.Errorf("defaults: %d days, every %s, smtp %q", d.ReminderDays, d.ReminderInterval, d.SMTPURL)
	}

	for _, tt := range []struct{ url, want string }{
		{"smtp://mail.example.gov:25", "?from="},
		{"smtp://mail.example.gov?from=not-an-address", "not an e-mail address"},
		{"http://mail.example.gov?from=nap@example.gov", "smtp://"},
		{"smtp://?from=nap@example.gov", "no host"},
		{"smtp://nap:topsecret@mail.example.gov?from=nap@example.gov", "starttls=1"},
		{"smtps://nap:topsecret@mail.example.gov?from=nap@example.gov&starttls=1", "already uses TLS"},
		{"smtp://mail.example.gov?from=nap@example.gov&starttls=yes", "starttls"},
	} {
		c := app.DefaultConfig()
		c.SMTPURL = tt.url
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "topsecret") {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
	for _, ok := range []string{"smtps://nap:pw@mail.example.gov?from=nap@example.gov", "smtp://nap:pw@127.0.0.1:2525?from=nap@example.gov"} {
		if _, err := notify.ParseSMTPURL(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []func(*app.Config){
		func(c *app.Config) { c.ReminderDays = 0 },
		func(c *app.Config) { c.ReminderDays = 91 },
		func(c *app.Config) { c.ReminderInterval = time.Millisecond },
	} {
		c := app.DefaultConfig()
		bad(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "NAPTRACKER_REMINDER") {
			t.Errorf("config %+v accepted: %v", c, err)
		}
	}
	if c := app.ConfigFromEnv(func(k string) string { return map[string]string{"NAPTRACKER_REMINDER_DAYS": "a week"}[k] }); c.Validate() == nil {
		t.Error("NAPTRACKER_REMINDER_DAYS=a week accepted")
	}
}

// TestServeRunsTheReminders shows that Serve runs the reminders at once and
// on its timer, using the application's clock, and stops them when it stops.
func TestServeRunsTheReminders(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	a.Config.Addr = "127.0.0.1:0"
	a.Config.ReminderInterval = time.Second
	ctx := context.Background()
	plan, err := planning.FindPlan(ctx, a.DB, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	periods, err := reporting.PlanPeriods(ctx, a.DB, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur := domain.CurrentPeriodLabel(*plan, time.Now().UTC())
	for _, p := range periods {
		if p.Label == cur {
			// Two days before the due date, the demo MOLSW focal point owes items.
			at := p.DueDate.AddDate(0, 0, -2)
			a.Handler.Now = func() time.Time { return at }
		}
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx) }()
	var n int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && n == 0; time.Sleep(50 * time.Millisecond) {
		a.DB.Model(&notify.Reminder{}).Where("kind = ?", notify.ReminderDueSoon).Count(&n)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not stop")
	}
	if n == 0 {
		t.Fatal("the server recorded no due-soon reminder")
	}
	var unsent int64
	a.DB.Model(&notify.Reminder{}).Where("sent_at IS NULL AND error = ?", notify.ReminderNotConfigured).Count(&unsent)
	if unsent == 0 {
		t.Error("without a mail server the reminders should be marked as waiting for one")
	}
}
