// Package notify tells people what they have to do: the reminder job
// (which reminders are due, their text in the recipient's language,
// sending them once) and the SMTP client that sends them.
package notify

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// Mailer sends one plain-text e-mail. The application's SMTP client
// implements it; tests may use their own.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// ReminderRunner decides which reminders are due, records them with their
// text (in the recipient's language) and sends those not sent yet. It is
// safe to run on several instances at once: recording is idempotent and
// each reminder is claimed before it is sent.
type ReminderRunner struct {
	DB      *gorm.DB
	Log     *slog.Logger
	I18n    *i18n.Bundle
	BaseURL string
	// Mailer is nil when no mail server is configured: reminders are then
	// recorded, logged and listed, but not sent.
	Mailer Mailer
	Policy ReminderPolicy
}

// ReminderRun says what one run did.
type ReminderRun struct {
	Created int
	Sent    int
	Failed  int
	// Unsent counts the reminders waiting for a mail server to be configured.
	Unsent int
}

// reminderBatch is how many reminders one run tries to send at most.
const reminderBatch = 500

// Run records the reminders due at now and sends what is waiting.
func (r *ReminderRunner) Run(ctx context.Context, now time.Time) (ReminderRun, error) {
	var run ReminderRun
	now = now.UTC()
	due, err := DueReminders(ctx, r.DB, r.Policy, now)
	if err != nil {
		return run, err
	}
	rems := make([]Reminder, 0, len(due))
	for _, d := range due {
		rems = append(rems, r.compose(d, now))
	}
	created, err := CreateReminders(ctx, r.DB, rems)
	run.Created = len(created)
	for _, c := range created {
		r.Log.Info("reminder recorded", "kind", c.Kind, "reminder_id", c.ID, "user_id", c.UserID, "to", c.ToAddress,
			"subject", c.Subject, "email_configured", r.Mailer != nil)
	}
	if err != nil {
		return run, err
	}
	if r.Mailer == nil {
		n, err := MarkRemindersUnconfigured(ctx, r.DB)
		run.Unsent = int(n)
		if run.Created > 0 {
			r.Log.Warn("reminders not sent: e-mail is not configured (set NAPTRACKER_SMTP_URL)", "waiting", n)
		}
		return run, err
	}
	waiting, err := SendableReminders(ctx, r.DB, now, reminderBatch)
	if err != nil {
		return run, err
	}
	for _, rem := range waiting {
		if ctx.Err() != nil {
			return run, ctx.Err()
		}
		ok, err := ClaimReminder(ctx, r.DB, rem.ID, now)
		if err != nil {
			return run, err
		}
		if !ok {
			continue // another instance is sending it
		}
		if err := r.Mailer.Send(ctx, rem.ToAddress, rem.Subject, rem.Body); err != nil {
			run.Failed++
			r.Log.Warn("reminder not sent; it will be retried", "reminder_id", rem.ID, "kind", rem.Kind, "to", rem.ToAddress, "err", err)
			if err := ReminderFailed(ctx, r.DB, rem.ID, err.Error()); err != nil {
				return run, err
			}
			continue
		}
		if err := ReminderSent(ctx, r.DB, rem.ID, now); err != nil {
			return run, err
		}
		run.Sent++
		r.Log.Info("reminder sent", "reminder_id", rem.ID, "kind", rem.Kind, "to", rem.ToAddress)
	}
	return run, nil
}

// compose writes a due reminder's e-mail in its recipient's language.
func (r *ReminderRunner) compose(d DueReminder, now time.Time) Reminder {
	l := r.I18n.For(d.User.Language)
	rem := Reminder{Kind: d.Kind, UserID: d.User.ID, PlanID: &d.Plan.ID, Ref: d.Ref, ToAddress: d.User.Email, CreatedAt: now}
	if d.Period != nil {
		rem.PeriodID = &d.Period.ID
	}
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(l.T("reminder.greeting", d.User.Name))
	line("")
	switch d.Kind {
	case ReminderDueSoon, ReminderOverdue:
		p := d.Period
		if d.Kind == ReminderDueSoon {
			rem.Subject = l.N("reminder.due_soon.subject", len(d.Items), d.Org.Acronym, p.Label, l.Date(p.DueDate))
			line(l.T("reminder.due_soon.intro", d.Org.Name, p.Label, d.Plan.Code, l.Date(p.DueDate)))
		} else {
			rem.Subject = l.N("reminder.overdue.subject", len(d.Items), d.Org.Acronym, p.Label)
			line(l.T("reminder.overdue.intro", d.Org.Name, p.Label, d.Plan.Code, l.Date(p.DueDate)))
		}
		line("")
		for _, it := range d.Items {
			line(r.itemLine(l, it))
		}
		line("")
		if d.ClosesAt != nil {
			line(l.T("reminder.overdue.closes", l.Date(d.ClosesAt.AddDate(0, 0, -1))))
			line("")
		}
		line(l.T("reminder.report_link", r.link("/plans/"+url.PathEscape(d.Plan.Code)+"/reporting")))
		line("")
		line(l.T("reminder.footer_focal", d.Org.Name))
	case ReminderReturned:
		it := d.Items[0]
		p := d.Period
		rem.Subject = l.T("reminder.returned.subject", reminderKindName(l, it.Kind), it.Code, p.Label)
		line(l.T("reminder.returned.intro", reminderKindName(l, it.Kind), it.Code, it.NameI18n.In(l.Lang, it.Name), p.Label, d.Plan.Code))
		line("")
		for _, s := range strings.Split(strings.TrimSpace(it.ReturnComment), "\n") {
			line("> " + strings.TrimRight(s, "\r"))
		}
		line("")
		line(l.T("reminder.returned.link", r.link(ItemPath(d.Plan.Code, p.Label, it))))
		line("")
		line(l.T("reminder.footer_focal", d.Org.Name))
	case ReminderDigest:
		rem.Subject = l.T("reminder.digest.subject", d.Plan.Code, l.Date(now))
		r.digestBody(l, d, line)
	}
	rem.Body = b.String()
	return rem
}

// digestBody writes the weekly summary: per period the totals and the five
// organisations most behind.
func (r *ReminderRunner) digestBody(l *i18n.Localizer, d DueReminder, line func(string)) {
	pct := func(v *float64) string {
		if v == nil {
			return "–"
		}
		return l.Pct(*v)
	}
	line(l.T("reminder.digest.intro", d.Plan.Code, l.DateTime(d.Summary.At)))
	for _, pc := range d.Summary.Periods {
		t := pc.Total
		line("")
		line(l.T("reminder.digest.period", pc.Period.Label, l.Date(pc.Period.DueDate)))
		line(l.T("reminder.digest.totals", t.Expected, t.OnTime, t.Late, t.Missing, t.NotDue, t.Returned, t.Approved, pct(t.CompletenessRate()), pct(t.TimelinessRate())))
		var behind []reporting.OrgCompleteness
		for _, row := range pc.Rows {
			if row.Missing+row.Late+row.Returned+row.NotDue > 0 && len(behind) < 5 {
				behind = append(behind, row)
			}
		}
		if len(behind) == 0 {
			continue
		}
		line(l.T("reminder.digest.behind"))
		for _, row := range behind {
			line(l.T("reminder.digest.row", row.Organisation.Acronym, row.Missing, row.NotDue, row.Late, row.Returned, pct(row.CompletenessRate())))
		}
	}
	line("")
	line(l.T("reminder.digest.link", r.link("/plans/"+url.PathEscape(d.Plan.Code)+"/completeness")))
	line("")
	line(l.T("reminder.footer_secretariat"))
}

// itemLine is one owed item: its kind, code, name and what is wrong with it.
func (r *ReminderRunner) itemLine(l *i18n.Localizer, it reporting.CompletenessItem) string {
	state := l.T("reminder.item_nothing")
	switch it.Status {
	case domain.StatusDraft:
		state = l.T("reminder.item_draft")
	case domain.StatusReturned:
		state = l.T("reminder.item_returned")
	}
	return l.T("reminder.item", reminderKindName(l, it.Kind), it.Code, it.NameI18n.In(l.Lang, it.Name), state)
}

func reminderKindName(l *i18n.Localizer, kind string) string {
	if kind == reporting.ItemUpdate {
		return l.T("reminder.kind_update")
	}
	return l.T("reminder.kind_value")
}

// ItemPath is the address of the form of an expected item for a period,
// for the reminders' links and the completeness page alike.
func ItemPath(plan, period string, it reporting.CompletenessItem) string {
	kind, suffix := "indicators", "/values/"
	if it.Kind == reporting.ItemUpdate {
		kind, suffix = "activities", "/updates/"
	}
	return "/plans/" + url.PathEscape(plan) + "/" + kind + "/" + url.PathEscape(it.Code) + suffix + url.PathEscape(period)
}

// link makes an absolute address on this site.
func (r *ReminderRunner) link(path string) string { return strings.TrimRight(r.BaseURL, "/") + path }
