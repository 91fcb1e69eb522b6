package account_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/store/storetest"
)

// TestLookupGivesWhatTheTablesHold: a session and a token found by their
// secrets come with exactly the rows gorm reads for them and their user,
// every field set.
func TestLookupGivesWhatTheTablesHold(t *testing.T) {
	t.Parallel()
	ctx, db := context.Background(), storetest.New(t)
	now := time.Now().UTC().Truncate(time.Second)
	org := domain.Organisation{Acronym: "LKP", Name: "Lookup ministry", Type: domain.OrgMinistry, Version: 1}
	if err := db.Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	u := &domain.User{Email: "lookup@example.org", Name: "Lookup", Role: domain.RoleFocalPoint, OrganisationID: &org.ID, Language: "fr"}
	if err := storetest.CreateUser(ctx, db, domain.SystemActor, u, "a long test password"); err != nil {
		t.Fatal(err)
	}
	// Every nullable and optional column of the user set too.
	if err := db.Model(u).Updates(map[string]any{"last_login_at": now, "totp_secret": "sealed-secret", "totp_enabled_at": now,
		"totp_last_step": 12345, "password_changed_at": now}).Error; err != nil {
		t.Fatal(err)
	}
	secret, sess, err := account.CreateSession(ctx, db, account.SessionPolicy{Idle: time.Hour, Absolute: 12 * time.Hour}, u, true, "192.0.2.7", "test agent", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&account.Session{}).Where("id = ?", sess.ID).Update("password_checked_at", now).Error; err != nil {
		t.Fatal(err)
	}
	gotS, gotU, err := account.LookupSession(ctx, db, account.SessionPolicy{Idle: time.Hour, Absolute: 12 * time.Hour}, secret, now)
	if err != nil {
		t.Fatal(err)
	}
	var wantS account.Session
	var wantU domain.User
	db.Take(&wantS, sess.ID)
	db.Take(&wantU, u.ID)
	if !reflect.DeepEqual(*gotS, wantS) {
		t.Errorf("session:\n got %+v\nwant %+v", *gotS, wantS)
	}
	if !reflect.DeepEqual(*gotU, wantU) {
		t.Errorf("user:\n got %+v\nwant %+v", *gotU, wantU)
	}
	expires := now.Add(24 * time.Hour)
	tokSecret, tok, err := account.CreateAPIToken(ctx, db, domain.Caller{Actor: domain.SystemActor, Now: now}, u, "lookup", &expires)
	if err != nil {
		t.Fatal(err)
	}
	gotT, gotU, err := account.LookupAPIToken(ctx, db, tokSecret, now)
	if err != nil {
		t.Fatal(err)
	}
	var wantT account.APIToken
	db.Take(&wantT, tok.ID)
	// The lookup records this use: last_used_at is the instant it wrote.
	if gotT.LastUsedAt == nil || wantT.LastUsedAt == nil || !gotT.LastUsedAt.Equal(*wantT.LastUsedAt) {
		t.Errorf("last use %v, stored %v", gotT.LastUsedAt, wantT.LastUsedAt)
	}
	wantT.Recorded, wantT.LastUsedAt = gotT.Recorded, gotT.LastUsedAt
	if !reflect.DeepEqual(*gotT, wantT) {
		t.Errorf("token:\n got %+v\nwant %+v", *gotT, wantT)
	}
	if !reflect.DeepEqual(*gotU, wantU) {
		t.Errorf("token's user:\n got %+v\nwant %+v", *gotU, wantU)
	}
	// Unknown, ended and revoked secrets are not found.
	if _, _, err := account.LookupSession(ctx, db, account.SessionPolicy{Idle: time.Hour, Absolute: 12 * time.Hour}, "nope", now); err != domain.ErrNotFound {
		t.Errorf("unknown session: %v", err)
	}
	if _, _, err := account.LookupAPIToken(ctx, db, account.TokenPrefix+"nope", now); err != domain.ErrNotFound {
		t.Errorf("unknown token: %v", err)
	}
}
