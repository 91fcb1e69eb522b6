package main

import (
	"context"
	"fmt"

	"naptracker/app"
	"naptracker/reporting"
)

// cmdRollups rebuilds the dashboard's roll-ups from the values and updates
// (naptracker rollups rebuild) and says how many rows the cache had wrong.
// It is idempotent and safe while the server runs: each plan is rebuilt in
// one transaction that first locks the plan's indicators and activities,
// so an approval in between takes its turn.
func cmdRollups(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		fmt.Fprint(e.stderr, "usage: naptracker rollups rebuild\n")
		return errUsage
	}
	var cfg app.Config
	fs := e.flags("rollups rebuild", &cfg)
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	a, err := e.openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := reporting.RebuildAllRollupsChecked(ctx, a.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rebuilt the roll-ups of %d plan(s): %d indicator-period rows, %d activity rows; %d row(s) differed from the cache\n",
		res.Plans, res.IndicatorRows, res.ActivityRows, res.Changed)
	return nil
}

// openMigrated opens the store for a command that needs no web parts
// (app.Open) and brings its database to the current schema.
func (e env) openMigrated(ctx context.Context, cfg app.Config) (*app.App, error) {
	a, err := app.Open(cfg, e.stderr)
	return migrated(ctx, a, err)
}
