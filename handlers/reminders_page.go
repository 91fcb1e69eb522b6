package handlers

import (
	"net/http"
	"strconv"
	"time"

	"naptracker/notify"

	"github.com/labstack/echo/v4"
)

// remindersPage lists the reminders recorded, newest first, with whether
// each was sent, and why not.
type remindersPage struct {
	Page
	Rows []notify.ReminderListItem
	// Older is the address of the next page ("" when none); Newest goes
	// back to the first page when this one is not it.
	Older, Newest string
	now           time.Time
}

// remindersPageSize is the number of reminders on a page.
const remindersPageSize = 50

// Reminders lists the reminders NAP Tracker recorded — sent, waiting, or
// not sent with the reason — so that none is lost even without e-mail.
func (h *Handler) Reminders(c echo.Context) error {
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	rows, err := notify.ListReminders(c.Request().Context(), h.DB, before, remindersPageSize)
	if err != nil {
		return err
	}
	p := remindersPage{Page: h.page(c), now: h.Now().UTC()}
	if len(rows) > remindersPageSize {
		rows = rows[:remindersPageSize]
		p.Older = "/reminders?before=" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	if before > 0 {
		p.Newest = "/reminders"
	}
	p.Rows = rows
	return c.Render(http.StatusOK, "reminders", p)
}

// Kind names a reminder's kind.
func (p remindersPage) Kind(kind string) string {
	switch kind {
	case notify.ReminderDueSoon:
		return p.L.T("reminders.kind_due_soon")
	case notify.ReminderOverdue:
		return p.L.T("reminders.kind_overdue")
	case notify.ReminderReturned:
		return p.L.T("reminders.kind_returned")
	default:
		return p.L.T("reminders.kind_digest")
	}
}

// Status says whether a reminder was sent, and if not, why.
func (p remindersPage) Status(r notify.ReminderListItem) string {
	switch {
	case r.SentAt != nil:
		return p.L.T("reminders.status_sent", p.L.DateTime(*r.SentAt))
	case r.CreatedAt.Before(p.now.Add(-notify.ReminderMaxAge)):
		if r.Error == notify.ReminderNotConfigured || r.Error == "" {
			return p.L.T("reminders.status_expired_unconfigured")
		}
		return p.L.T("reminders.status_expired", r.Error)
	case r.Error == notify.ReminderNotConfigured:
		return p.L.T("reminders.status_unconfigured")
	case r.Error != "":
		return p.L.T("reminders.status_failed", r.Error)
	default:
		return p.L.T("reminders.status_waiting")
	}
}

// StatusClass is the tag style of a reminder's status.
func (p remindersPage) StatusClass(r notify.ReminderListItem) string {
	switch {
	case r.SentAt != nil:
		return "tag-active"
	case r.Error != "" && r.Error != notify.ReminderNotConfigured:
		return "tag-disabled"
	default:
		return "tag-invited"
	}
}
