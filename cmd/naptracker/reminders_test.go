package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/notify"
	"naptracker/store/storetest"
)

// TestRemindersRunCommand runs the reminders once on the demo plan without
// a mail server: it records reminders for the focal points, says they wait
// for e-mail, and a second run records nothing new.
func TestRemindersRunCommand(t *testing.T) {
	t.Parallel()
	env := demoEnv(t)
	// A focal point in every ministry and agency: the demo always has returned
	// items in a period still open to their organisation.
	db := storetest.Open(t, dsnOf(env))
	var orgs []domain.Organisation
	if err := db.Where("type IN ?", []string{domain.OrgMinistry, domain.OrgAgency}).Find(&orgs).Error; err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		u := &domain.User{Email: "fp." + strings.ToLower(o.Acronym) + "@test.example", Name: "Focal point " + o.Acronym, Role: domain.RoleFocalPoint, OrganisationID: &o.ID}
		if err := storetest.CreateUser(context.Background(), db, domain.SystemActor, u, "a long test password"); err != nil {
			t.Fatal(err)
		}
	}
	summary := regexp.MustCompile(`^reminders: (\d+) recorded, 0 sent, 0 failed \(retried at the next run\), (\d+) waiting: e-mail is not configured \(NAPTRACKER_SMTP_URL\)\n$`)
	code, out, errOut := runCmd(t, env, "", "reminders", "run")
	m := summary.FindStringSubmatch(out)
	if code != exitOK || m == nil || m[1] == "0" || m[1] != m[2] {
		t.Fatalf("reminders run = %d, %q, %q", code, out, errOut)
	}
	var n int64
	db.Model(&notify.Reminder{}).Count(&n)
	if strconv.FormatInt(n, 10) != m[1] {
		t.Errorf("%d reminders in the table, the command said %s", n, m[1])
	}
	code, out, _ = runCmd(t, env, "", "reminders", "run")
	if m2 := summary.FindStringSubmatch(out); code != exitOK || m2 == nil || m2[1] != "0" || m2[2] != m[1] {
		t.Errorf("second run = %d, %q: want nothing new and the same number waiting", code, out)
	}
	for _, args := range [][]string{{"reminders"}, {"reminders", "send"}, {"reminders", "run", "extra"}} {
		if code, _, errOut := runCmd(t, env, "", args...); code != exitUsage || !strings.Contains(errOut, "naptracker reminders run") {
			t.Errorf("%v = %d, %q: want usage", args, code, errOut)
		}
	}
}
