package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/handlers"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// apiError is the JSON error body of the API: {"error":{"code","message","fields"}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	// Current, ChangedBy and ChangedAt say, for a 409, which version is
	// current and who made it when, so the client can reload and merge.
	Current   *int       `json:"current_version,omitempty"`
	ChangedBy string     `json:"changed_by,omitempty"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// errorPage is the data of the generic error page.
type errorPage struct {
	handlers.Page
	Heading string
	Message string
	Detail  string
}

// statusOf maps an error to its HTTP status: sentinel errors of models to
// their codes, echo's HTTP errors to theirs, anything else to 500.
func statusOf(err error) int {
	var he *echo.HTTPError
	var ve *domain.ValidationError
	var br *domain.BadRequestError
	var tl *reporting.TooLargeError
	switch {
	case errors.As(err, &tl):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &br):
		return http.StatusBadRequest
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, domain.ErrStale), errors.Is(err, domain.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, domain.ErrLocked):
		return http.StatusLocked
	case errors.As(err, &he):
		return he.Code
	}
	return http.StatusInternalServerError
}

// handleError is the one place errors become responses: JSON under /api/,
// a plain page elsewhere. Internal errors are logged with the request id and
// never shown to the user.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := statusOf(err)
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		a.Log.Error("request failed", "request_id", reqID, "method", c.Request().Method, "path", account.RedactPath(c.Request().URL.Path), "err", err)
	}
	l := a.Handler.Localizer(c)
	key := "error." + strconv.Itoa(status)
	if !a.I18n.Has("en", key+".title") {
		key = "error.500"
		if status < 500 {
			key = "error.400"
		}
	}
	var resp error
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		body := apiError{Error: apiErrorBody{Code: strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_")), Message: l.T(key + ".message"), RequestID: reqID}}
		var ve *domain.ValidationError
		var se *domain.StaleError
		var le *domain.LockedError
		switch {
		case errors.As(err, &ve):
			body.Error.Fields = ve.Localized(l.T)
		case errors.As(err, &se):
			body.Error.Current, body.Error.ChangedBy = &se.Current, se.ChangedBy
			if !se.ChangedAt.IsZero() {
				body.Error.ChangedAt = &se.ChangedAt
			}
		case errors.As(err, &le):
			body.Error.Message += " (" + lockedReason(l.T, le) + ")"
		}
		if c.Request().Method == http.MethodHead {
			resp = c.NoContent(status)
		} else {
			resp = c.JSON(status, body)
		}
	} else {
		base := a.Handler.PageFor(c)
		base.Flash = ""
		page := errorPage{Page: base, Heading: l.T(key + ".title"), Message: l.T(key + ".message")}
		var le *domain.LockedError
		var ve *domain.ValidationError
		switch {
		case errors.As(err, &le):
			page.Detail = lockedReason(l.T, le)
		case errors.As(err, &ve):
			page.Detail = fieldDetail(ve.Localized(l.T))
		}
		resp = c.Render(status, "error", page)
	}
	if resp != nil {
		a.Log.Error("writing error response failed", "request_id", reqID, "err", resp)
	}
}

// fieldDetail lists field messages as "field: message", in field order,
// for an error page that has no form to put them beside.
func fieldDetail(fields map[string]string) string {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, f := range names {
		parts[i] = f + ": " + fields[f]
	}
	return strings.Join(parts, " ")
}

// lockedReason is why something is locked, in the reader's language when
// the models gave the reason a catalogue key.
func lockedReason(t func(string, ...any) string, le *domain.LockedError) string {
	if le.Msg != nil {
		return le.Msg.Translate(t)
	}
	return le.Reason
}

// newRequestID returns 16 random hex digits.
func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
