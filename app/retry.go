package app

import (
	"bytes"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/store"

	"github.com/labstack/echo/v4"
)

// retryAttempts is how many times a request runs at most when PostgreSQL
// refuses its transaction as the loser of a deadlock or a serialization
// conflict (models.IsRetryable).
const retryAttempts = 3

// retryConflicts runs the handler again when it returns a retryable
// database error before anything of the response was written: the
// transaction was rolled back entirely, so the command is run anew, and
// the user sees an answer instead of a 500. Bodies are replayed: forms
// were parsed before (rejectBadText), a JSON body is held in memory, and a
// request with another kind of body is not retried.
func (a *App) retryConflicts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		var body []byte
		replay := true
		if req.Body != nil && req.Body != http.NoBody && req.Method != http.MethodGet && req.Method != http.MethodHead {
			ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
			switch {
			case ct == echo.MIMEApplicationForm || ct == echo.MIMEMultipartForm:
				// parsed already; the handler reads req.Form / req.MultipartForm
			case ct == echo.MIMEApplicationJSON || strings.HasSuffix(ct, "+json"):
				b, err := io.ReadAll(req.Body) // in memory already (rejectBadText)
				if err != nil {
					return err
				}
				body = b
				req.Body = io.NopCloser(bytes.NewReader(body))
			default:
				replay = false
			}
		}
		for attempt := 1; ; attempt++ {
			err := next(c)
			if err == nil || !replay || attempt == retryAttempts || c.Response().Committed || !store.IsRetryable(err) {
				return err
			}
			a.Log.LogAttrs(req.Context(), slog.LevelWarn, "transaction lost a conflict: running the request again",
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", req.Method),
				slog.String("path", account.RedactPath(req.URL.Path)),
				slog.String("sqlstate", store.SQLState(err)),
				slog.Int("attempt", attempt))
			if body != nil {
				req.Body = io.NopCloser(bytes.NewReader(body))
			}
			// The winner of the conflict commits meanwhile; a random pause
			// keeps two losers from meeting again at the same moment.
			time.Sleep(time.Duration(5+rand.IntN(20*attempt)) * time.Millisecond)
		}
	}
}
