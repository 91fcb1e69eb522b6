package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// auditPage is one page of the audit log with its filters.
type auditPage struct {
	Page
	Form   auditForm
	Errors map[string]string
	Plans  []domain.Plan
	Rows   []auditRow
	// Older and Newer are the addresses of the next pages ("" when none);
	// Newest goes back to the first page when this one is not it.
	Older, Newer, Newest string
	// ActionPrefixes and EntityTypes are suggestions for the filter fields.
	ActionPrefixes, EntityTypes []string
}

// auditForm is the filter as typed, so that it comes back filled in.
type auditForm struct {
	Plan, User, Action, Entity, From, To string
}

// auditRow is one entry as the page shows it.
type auditRow struct {
	domain.AuditEntry
	// Who names the user as they are called now, else as recorded.
	Who, WhoEmail string
	Plan          string
	Old, New      auditJSONView
}

// auditJSONView is a recorded value pretty-printed, with a short form for the
// table when it is long.
type auditJSONView struct {
	Full, Short string
	Truncated   bool
}

// auditShortLen is how many characters of an old or new value the table shows on one line.
const auditShortLen = 80

// auditPrefixes are the common beginnings of actions, offered in the filter.
var auditPrefixes = []string{"value.", "update.", "contribution.", "comment.", "plan.", "pillar.", "objective.", "activity.",
	"indicator.", "funding.", "period.", "organisation.", "evidence.", "user.", "login.", "logout", "mfa.", "session.", "token.", "access.", "csrf.", "seed."}

// auditEntityTypes are the entity types the application records.
var auditEntityTypes = []string{"plan", "pillar", "objective", "activity", "indicator", "funding_line", "period", "organisation",
	"indicator_value", "activity_update", "contribution_note", "evidence", "user", "api_token", "security"}

// readAuditRequest reads the audit page's filter and ?before= for the page
// and its CSV. An invalid filter is answered here with the page and its
// messages (422), and the page returned is nil.
func (h *Handler) readAuditRequest(c echo.Context) (account.AuditFilter, *auditPage, error) {
	p := &auditPage{Page: h.page(c), ActionPrefixes: auditPrefixes, EntityTypes: auditEntityTypes}
	f, errs, err := h.readAuditFilter(c, p)
	if err != nil {
		return f, nil, err
	}
	if len(errs) > 0 {
		p.Errors = errs
		return f, nil, c.Render(http.StatusUnprocessableEntity, "audit", *p)
	}
	f.Before, _ = strconv.ParseInt(c.QueryParam("before"), 10, 64)
	return f, p, nil
}

// AuditLog shows the audit log, newest first, 50 entries a page, filtered by
// plan, user (e-mail), action prefix, entity type and dates (UTC,
// inclusive). Invalid dates re-render the filter with 422 and no entries.
func (h *Handler) AuditLog(c echo.Context) error {
	ctx := c.Request().Context()
	f, p, err := h.readAuditRequest(c)
	if p == nil || err != nil {
		return err
	}
	f.After, _ = strconv.ParseInt(c.QueryParam("after"), 10, 64)
	page, err := account.BrowseAuditLog(ctx, h.DB, f, account.AuditLogPageSize)
	if err != nil {
		return err
	}
	p.Rows = auditRowsOf(page, p.Plans)
	link := func(key string, id int64) string {
		v := p.Form.values()
		v.Set(key, strconv.FormatInt(id, 10))
		return "/audit?" + v.Encode()
	}
	if n := len(page.Entries); n > 0 {
		if page.HasOlder {
			p.Older = link("before", page.Entries[n-1].ID)
		}
		if page.HasNewer {
			p.Newer = link("after", page.Entries[0].ID)
		}
	}
	if f.Before > 0 || f.After > 0 {
		p.Newest = "/audit?" + p.Form.values().Encode()
	}
	return c.Render(http.StatusOK, "audit", *p)
}

// readAuditFilter reads the filter of the audit page and of its CSV (plan,
// user, action, entity, from, to) into p.Form and p.Plans; errs has a
// message per invalid field.
func (h *Handler) readAuditFilter(c echo.Context, p *auditPage) (account.AuditFilter, map[string]string, error) {
	q := c.QueryParams()
	p.Form = auditForm{Plan: q.Get("plan"), User: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		Entity: strings.TrimSpace(q.Get("entity")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	if err := h.DB.WithContext(c.Request().Context()).Select("id", "code", "title").Order("code").Find(&p.Plans).Error; err != nil {
		return account.AuditFilter{}, nil, err
	}
	f := account.AuditFilter{UserEmail: p.Form.User, ActionPrefix: p.Form.Action, EntityType: p.Form.Entity}
	errs := map[string]string{}
	l := p.L
	if p.Form.Plan != "" {
		for _, pl := range p.Plans {
			if pl.Code == p.Form.Plan {
				f.PlanID = pl.ID
			}
		}
		if f.PlanID == 0 {
			errs["plan"] = l.T("audit.error_plan")
		}
	}
	if d, ok := auditDay(p.Form.From); !ok {
		errs["from"] = l.T("audit.error_date")
	} else if d != nil {
		f.From = d
	}
	if d, ok := auditDay(p.Form.To); !ok {
		errs["to"] = l.T("audit.error_date")
	} else if d != nil {
		end := d.AddDate(0, 0, 1)
		f.Until = &end
	}
	if f.From != nil && f.Until != nil && !f.From.Before(*f.Until) {
		errs["to"] = l.T("audit.error_range")
	}
	return f, errs, nil
}

// auditRowsOf names the users and plans of the entries of a page.
func auditRowsOf(page *account.AuditLogPage, plans []domain.Plan) []auditRow {
	var rows []auditRow
	planCode := map[int64]string{}
	for _, pl := range plans {
		planCode[pl.ID] = pl.Code
	}
	for _, e := range page.Entries {
		r := auditRow{AuditEntry: e, Who: e.Actor, Old: auditJSON(e.OldValue), New: auditJSON(e.NewValue)}
		if e.UserID != nil {
			if u, ok := page.Users[*e.UserID]; ok {
				r.Who, r.WhoEmail = u.Name, u.Email
			}
		}
		if e.PlanID != nil {
			r.Plan = planCode[*e.PlanID]
		}
		rows = append(rows, r)
	}
	return rows
}

// CSVLink is the address of the CSV of every entry matching the filter.
func (p auditPage) CSVLink() string {
	if v := p.Form.values(); len(v) > 0 {
		return "/audit.csv?" + v.Encode()
	}
	return "/audit.csv"
}

// values is the filter as query parameters, empty ones left out.
func (f auditForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"plan": f.Plan, "user": f.User, "action": f.Action, "entity": f.Entity, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Filtered reports whether any filter is set.
func (f auditForm) Filtered() bool { return len(f.values()) > 0 }

// auditDay reads a YYYY-MM-DD date as midnight UTC; "" is no date (ok).
func auditDay(s string) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, false
	}
	return &d, true
}

// auditJSON prepares a recorded value (JSON as written by models.Audit;
// anything else is shown as it is): short values are shown whole on one
// line; longer ones are cut short, with the whole value pretty-printed
// behind a details view.
func auditJSON(s string) auditJSONView {
	if s == "" || s == "null" {
		return auditJSONView{}
	}
	v := auditJSONView{Full: s, Short: s}
	var buf bytes.Buffer
	if json.Valid([]byte(s)) && json.Indent(&buf, []byte(s), "", "  ") == nil {
		v.Full = buf.String()
	}
	if utf8.RuneCountInString(s) > auditShortLen {
		v.Short, v.Truncated = string([]rune(s)[:auditShortLen])+"…", true
	}
	return v
}
