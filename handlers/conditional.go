package handlers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"naptracker/domain"
	"naptracker/planning"

	"github.com/labstack/echo/v4"
)

// etagSeed changes with every start of the process, so a new version of the
// templates never matches a page an older one drew. (Two instances behind
// one proxy each have their own: a browser moved to the other gets the page
// again, never a wrong 304.)
var etagSeed = rand.Text()

// notModified gives a page of a plan an entity tag and reports whether the
// request already holds that page (If-None-Match), in which case it has
// answered 304 Not Modified and the handler stops.
//
// The tag is made from the plan's data version (Plan.DataVersion, raised in
// the transaction of every change a page of the plan may show), the
// address with its query, today's date (ratings and what is overdue change
// with it), the language, and who asks: the user, role and organisation and
// the session (whose CSRF token the page's forms carry). So a change to the
// plan's data, another user or another language never gets another's page.
// Only pages that show approved data to the reader take part: call it with
// approvedOnly false when the reader sees unapproved data there (their own
// organisation's drafts, which a draft save changes without raising the
// version), and the page is drawn every time.
func (h *Handler) notModified(c echo.Context, plan *domain.Plan, approvedOnly bool) bool {
	if !approvedOnly || c.Request().Method != http.MethodGet {
		return false
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\x00%d\x00%d\x00%s\x00%s\x00%s", etagSeed, plan.ID, plan.DataVersion, c.Request().URL.RequestURI(),
		h.Localizer(c).Lang, h.Now().UTC().Format(time.DateOnly))
	if who := PrincipalOf(c); who != nil {
		org := int64(0)
		if who.User.OrganisationID != nil {
			org = *who.User.OrganisationID
		}
		fmt.Fprintf(sum, "\x00%d\x00%s\x00%d", who.User.ID, who.User.Role, org)
		if who.Session != nil {
			fmt.Fprintf(sum, "\x00%d\x00%s", who.Session.ID, who.Session.CSRFToken)
		}
	}
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:18]) + `"`
	hd := c.Response().Header()
	hd.Set("ETag", etag)
	// Every use asks again (no-cache), and only the user's browser keeps it.
	hd.Set(echo.HeaderCacheControl, "private, no-cache")
	for tag := range strings.SplitSeq(c.Request().Header.Get("If-None-Match"), ",") {
		if t := strings.TrimPrefix(strings.TrimSpace(tag), "W/"); t == etag || t == "*" {
			c.Response().WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// readsApprovedOnly reports whether the user sees only approved data of
// the organisation orgID (0: of no organisation in particular): donors and
// facilitators always, focal points for other organisations than theirs.
func readsApprovedOnly(who *Principal, orgID int64) bool {
	return who != nil && domain.ScopeOf(&who.User).ReadsApprovedOnly(orgID)
}

// planNotModified is notModified for a page of the plan in the address that
// shows approved data only to every role (the slides); done is true when it
// answered 304.
func (h *Handler) planNotModified(c echo.Context) (done bool, err error) {
	plan, err := planning.FindPlan(c.Request().Context(), h.DB, c.Param("plan"))
	if err != nil {
		return false, err
	}
	return h.notModified(c, plan, true), nil
}

// versioned keeps one value per plan (or per plan and language: the slot),
// valid while the plan's version key
// (its data version, and what else the value depends on) is unchanged. The
// key is read from the database on every request, so every instance on a
// shared database sees a change at once.
type versioned[T any] struct {
	mu sync.Mutex
	m  map[string]versionedEntry[T]
}

type versionedEntry[T any] struct {
	key string
	v   T
}

// get returns the value kept in the slot under key, if any.
func (c *versioned[T]) get(slot, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[slot]
	if !ok || e.key != key {
		var zero T
		return zero, false
	}
	return e.v, true
}

// put keeps v in the slot under key, replacing what was kept.
func (c *versioned[T]) put(slot, key string, v T) { c.putCapped(slot, key, v, 0) }

// putCapped is put for a cache of many slots (a page per indicator, say):
// with max slots kept already (max > 0), a new slot takes the place of one
// chosen at random.
func (c *versioned[T]) putCapped(slot, key string, v T, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]versionedEntry[T]{}
	}
	if _, ok := c.m[slot]; !ok && max > 0 && len(c.m) >= max {
		for other := range c.m {
			delete(c.m, other)
			break
		}
	}
	c.m[slot] = versionedEntry[T]{key, v}
}
