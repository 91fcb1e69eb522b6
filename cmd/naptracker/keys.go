package main

import (
	"context"
	"fmt"

	"naptracker/account"
	"naptracker/app"
)

// cmdKeys runs `naptracker keys rotate`. With the key file (no
// NAPTRACKER_SECRET_KEY), it writes a new key first in the file, keeping
// the old ones after it so that servers still running with them keep
// working, and seals every TOTP secret under the new key. With
// NAPTRACKER_SECRET_KEY, which it cannot change, it seals every secret
// under the first key given: the operator sets NEW,OLD, runs it, then can
// drop OLD.
func cmdKeys(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprint(e.stderr, "usage: naptracker keys rotate\n")
		return errUsage
	}
	var cfg app.Config
	fs := e.flags("keys rotate", &cfg)
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	a, err := e.openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	keys := a.Keys
	if keys.File() != "" {
		if _, err := keys.RotateKeyFile(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "new key %s written first in %s; the older keys stay after it, for reading only\n", keys.CurrentID(), keys.File())
	}
	n, err := account.SealTOTPSecrets(ctx, a.DB, keys, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d TOTP secret(s) encrypted under key %s\n", n, keys.CurrentID())
	if keys.File() == "" && len(keys.IDs()) == 1 && n == 0 {
		fmt.Fprintln(e.stdout, "to move to a new key, make one (openssl rand -base64 32), set NAPTRACKER_SECRET_KEY=NEW,CURRENT and run this again")
	}
	return nil
}
