package app

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
)

// A request whose transaction lost a deadlock runs again with the same
// body; one that already answered, failed otherwise, or whose body cannot
// be replayed is not run again, and the retries stop after retryAttempts.
func TestRetryConflictsRunsTheRequestAgain(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	a := &App{Log: slog.New(slog.NewTextHandler(&logged, nil))}
	deadlock := &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
	run := func(ct, body string, h func(c echo.Context, attempt int) error) (*httptest.ResponseRecorder, int, error) {
		e := echo.New()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/x", strings.NewReader(body))
		req.Header.Set(echo.HeaderContentType, ct)
		rec := httptest.NewRecorder()
		c := e.NewContext(req, rec)
		n := 0
		err := a.retryConflicts(func(c echo.Context) error { n++; return h(c, n) })(c)
		return rec, n, err
	}

	// Lost once, then saved: the second run reads the same JSON body.
	var bodies []string
	rec, n, err := run(echo.MIMEApplicationJSON, `{"value": 12}`, func(c echo.Context, attempt int) error {
		b, _ := io.ReadAll(c.Request().Body)
		bodies = append(bodies, string(b))
		if attempt == 1 {
			return deadlock
		}
		return c.String(http.StatusOK, "saved")
	})
	if err != nil || n != 2 || rec.Body.String() != "saved" || len(bodies) != 2 || bodies[0] != bodies[1] || bodies[1] != `{"value": 12}` {
		t.Errorf("deadlock then success: err %v, %d runs, answer %q, bodies %q", err, n, rec.Body.String(), bodies)
	}
	if !strings.Contains(logged.String(), "sqlstate=40P01") {
		t.Errorf("the retry is not logged with its SQLSTATE: %q", logged.String())
	}

	// Always losing: three runs, then the error.
	if _, n, err := run(echo.MIMEApplicationJSON, `{}`, func(echo.Context, int) error { return deadlock }); n != retryAttempts || !errors.Is(err, deadlock) {
		t.Errorf("always deadlocked: %d runs, err %v; want %d runs and the deadlock", n, err, retryAttempts)
	}
	// A serialization failure is retried too; a unique violation is not.
	if _, n, _ := run(echo.MIMEApplicationForm, "a=1", func(_ echo.Context, attempt int) error {
		if attempt == 1 {
			return &pgconn.PgError{Code: "40001"}
		}
		return nil
	}); n != 2 {
		t.Errorf("serialization failure: %d runs, want 2", n)
	}
	if _, n, _ := run(echo.MIMEApplicationJSON, `{}`, func(echo.Context, int) error { return &pgconn.PgError{Code: "23505"} }); n != 1 {
		t.Errorf("unique violation: %d runs, want 1", n)
	}
	// Part of the answer was written: never run again.
	if _, n, _ := run(echo.MIMEApplicationJSON, `{}`, func(c echo.Context, _ int) error {
		c.Response().WriteHeader(http.StatusOK)
		return deadlock
	}); n != 1 {
		t.Errorf("answer committed: %d runs, want 1", n)
	}
	// A body that is not held in memory (a file streamed up) cannot be replayed.
	if _, n, _ := run("application/octet-stream", "PK\x03\x04", func(echo.Context, int) error { return deadlock }); n != 1 {
		t.Errorf("streamed body: %d runs, want 1", n)
	}
}
