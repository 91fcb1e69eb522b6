package main

import (
	"context"
	"fmt"
	"time"

	"naptracker/app"
)

// cmdReminders runs the reminders once, as the server does every 15
// minutes: it records the reminders due now and sends those waiting (or,
// without NAPTRACKER_SMTP_URL, records them as waiting for e-mail). It is
// safe beside running servers: nothing is recorded or sent twice.
func cmdReminders(ctx context.Context, e env, args []string) error {
	const use = "usage: naptracker reminders run [configuration flags]\n"
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprint(e.stderr, use)
		return errUsage
	}
	var cfg app.Config
	fs := e.flags("reminders run", &cfg)
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, use)
		return errUsage
	}
	a, err := e.openAppMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	run, err := a.Reminders.Run(ctx, time.Now().UTC())
	fmt.Fprintf(e.stdout, "reminders: %d recorded, %d sent, %d failed (retried at the next run)", run.Created, run.Sent, run.Failed)
	if a.Reminders.Mailer == nil {
		fmt.Fprintf(e.stdout, ", %d waiting: e-mail is not configured (NAPTRACKER_SMTP_URL)", run.Unsent)
	}
	fmt.Fprintln(e.stdout)
	return err
}
