package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
)

// TestTokenUseAuditedOncePerMinute checks the trail of an API token's use:
// a token.use audit row at its first use, then at most one a minute, however
// many requests it makes.
func TestTokenUseAuditedOncePerMinute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFocalPoint, "MOLSW")
	c := env.APIClient(t, u)
	rows := func() int64 {
		var n int64
		if err := env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND user_id = ?", "token.use", u.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for range 5 {
		mustStatus(t, c.Get("/api/v1/me"), http.StatusOK)
	}
	if n := rows(); n != 1 {
		t.Errorf("five requests in a minute wrote %d token.use rows, want 1 (the first use)", n)
	}
	env.Clock.Advance(61 * time.Second)
	for range 3 {
		mustStatus(t, c.Get("/api/v1/me"), http.StatusOK)
	}
	if n := rows(); n != 2 {
		t.Errorf("after a minute, three more requests left %d token.use rows in all, want 2", n)
	}
}
