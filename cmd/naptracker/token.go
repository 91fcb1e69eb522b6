package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"
)

// cmdToken creates an API token for a user. Only the token goes to standard
// output, on one line, so that a script can capture it
// (TOKEN=$(naptracker token create --email …)); everything else goes to
// standard error. The token is shown this once and never again.
func cmdToken(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(e.stderr, "usage: naptracker token create --email E [--name N] [--expires YYYY-MM-DD]\n")
		return errUsage
	}
	var cfg app.Config
	fs := e.flags("token create", &cfg)
	var email, name, expires string
	fs.StringVar(&email, "email", "", "e-mail address of the user the token acts as")
	fs.StringVar(&name, "name", "command line", "what the token is for, shown on the user's account page")
	fs.StringVar(&expires, "expires", "", "last day the token works (YYYY-MM-DD, UTC); empty for no expiry")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if strings.TrimSpace(email) == "" || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, "usage: naptracker token create --email E [--name N] [--expires YYYY-MM-DD]\n")
		return errUsage
	}
	now := time.Now().UTC()
	until, ok := account.TokenExpiry(strings.TrimSpace(expires), now)
	if !ok {
		fmt.Fprintf(e.stderr, "naptracker token create: --expires must be a date after today as YYYY-MM-DD, got %q\n", expires)
		return errUsage
	}
	a, err := e.openAppMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := account.FindUserByEmail(ctx, a.DB, email)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("no user with e-mail address %q", email)
	}
	if err != nil {
		return err
	}
	if u.Disabled() {
		return fmt.Errorf("the account %s is disabled: no token was created", u.Email)
	}
	secret, tok, err := account.CreateAPIToken(ctx, a.DB, domain.Caller{Actor: domain.Actor{Name: "cli"}, Now: now}, u, name, until)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for f, msg := range ve.Fields {
			fmt.Fprintf(e.stderr, "  --%s: %s\n", f, msg)
		}
		return errors.New("the token was not created")
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	note := "never expires"
	if until != nil {
		note = "works until the end of " + until.Add(-time.Nanosecond).Format(time.DateOnly) + " (UTC)"
	}
	fmt.Fprintf(e.stderr, "Created API token %q (%s…) for %s (%s); it %s.\nIt is shown only this once: store it now. Revoke it on the account page.\n",
		tok.Name, tok.Prefix, u.Email, u.Role, note)
	return nil
}
