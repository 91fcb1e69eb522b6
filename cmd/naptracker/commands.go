package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/seed"
	"naptracker/store"
)

// flags returns a flag set for a command with the configuration flags on it.
func (e env) flags(name string, cfg *app.Config) *flag.FlagSet {
	*cfg = app.ConfigFromEnv(e.getenv)
	fs := flag.NewFlagSet("naptracker "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg.RegisterFlags(fs)
	return fs
}

// open builds the application for a command.
func (e env) open(cfg app.Config) (*app.App, error) {
	return app.New(cfg, e.stderr)
}

// openAppMigrated builds the whole application (app.New) for a command
// that works on the data, with the database migrated first.
func (e env) openAppMigrated(ctx context.Context, cfg app.Config) (*app.App, error) {
	a, err := e.open(cfg)
	return migrated(ctx, a, err)
}

// migrated brings the database of an application just opened (a, err) to
// the current schema, closing it if that fails.
func migrated(ctx context.Context, a *app.App, err error) (*app.App, error) {
	if err != nil {
		return nil, err
	}
	if err := a.Migrate(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// openWithFlags reads a command that takes only the configuration's flags
// and builds the application (not migrated); the caller closes it.
func (e env) openWithFlags(name string, args []string) (*app.App, app.Config, error) {
	var cfg app.Config
	if err := e.flags(name, &cfg).Parse(args); err != nil {
		return nil, cfg, errUsage
	}
	a, err := e.open(cfg)
	return a, cfg, err
}

func cmdServe(ctx context.Context, e env, args []string) error {
	a, cfg, err := e.openWithFlags("serve", args)
	if err != nil {
		return err
	}
	defer a.Close()
	creds, err := a.Bootstrap(ctx)
	if err != nil {
		return err
	}
	printCredentials(e, creds, cfg.BaseURL)
	if e.getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(serveGCPercent))
	}
	return a.Serve(ctx)
}

// serveGCPercent is the Go collector's target while serving (GOGC
// overrides it). The server's live heap is small (tens of MB), so at Go's
// default of 100 it collected many times a second under load: 9–16 % of
// its processor time on the load test's pages. At 300 the home page on
// PostgreSQL went from 2,825 to 3,010–3,092 requests/s and saves from
// 1,355–1,375 to 1,427–1,450/s, for 140 MB resident instead of 80 MB.
const serveGCPercent = 300

func printCredentials(e env, creds []seed.Credential, baseURL string) {
	if len(creds) == 0 {
		return
	}
	fmt.Fprintf(e.stdout, "\nDemo accounts for %s — the passwords are shown only this once:\n\n", baseURL)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tE-MAIL\tORGANISATION\tPASSWORD")
	for _, c := range creds {
		org := c.Org
		if org == "" {
			org = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Role, c.Email, org, c.Password)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout)
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	a, _, err := e.openWithFlags("migrate", args)
	if err != nil {
		return err
	}
	defer a.Close()
	applied, err := store.Migrate(ctx, a.DB)
	if err != nil {
		return err
	}
	v, err := store.SchemaVersion(ctx, a.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "applied %d migration(s); schema version %d\n", len(applied), v)
	n, err := account.SealTOTPSecrets(ctx, a.DB, a.Keys, false)
	if err != nil {
		return fmt.Errorf("encrypt the TOTP secrets: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(e.stdout, "encrypted %d TOTP secret(s) stored in clear\n", n)
	}
	return nil
}

func cmdSeed(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, "usage: naptracker seed demo | naptracker seed synthetic --activities N --indicators-per-activity K --years Y\n")
		return errUsage
	}
	kind, args := args[0], args[1:]
	var cfg app.Config
	fs := e.flags("seed "+kind, &cfg)
	opts := seed.SyntheticOptions{}
	if kind == "synthetic" {
		fs.IntVar(&opts.Activities, "activities", 1000, "number of activities")
		fs.IntVar(&opts.IndicatorsPerActivity, "indicators-per-activity", 5, "indicators per activity")
		fs.IntVar(&opts.Years, "years", 5, "years of quarterly values")
		fs.StringVar(&opts.Code, "code", "", "plan code (default SYN-<activities>x<indicators>x<years>)")
	} else if kind != "demo" {
		fmt.Fprintf(e.stderr, "naptracker seed: unknown kind %q (demo or synthetic)\n", kind)
		return errUsage
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if kind == "synthetic" && (opts.Activities < 1 || opts.IndicatorsPerActivity < 1 || opts.Years < 1 || opts.Years > 50) {
		fmt.Fprintln(e.stderr, "naptracker seed synthetic: --activities and --indicators-per-activity must be at least 1, --years between 1 and 50")
		return errUsage
	}
	a, err := e.openAppMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	var sum *seed.Summary
	if kind == "demo" {
		sum, err = seed.Demo(ctx, a.DB, time.Now().UTC())
	} else {
		sum, err = seed.Synthetic(ctx, a.DB, opts, time.Now().UTC())
	}
	if errors.Is(err, domain.ErrConflict) {
		return fmt.Errorf("that plan is already loaded: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "loaded %d organisations, %d pillars, %d objectives, %d activities, %d indicators, %d periods, %d values, %d activity updates in %s\n",
		sum.Organisations, sum.Pillars, sum.Objectives, sum.Activities, sum.Indicators, sum.Periods, sum.Values, sum.Updates, time.Since(start).Round(time.Millisecond))
	if kind == "demo" {
		creds, err := seed.DemoAccounts(ctx, a.DB)
		if err != nil {
			return err
		}
		printCredentials(e, creds, cfg.BaseURL)
	}
	return nil
}

func cmdUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(e.stderr, "usage: naptracker user create --email E --name N --role R [--org ACRONYM] < password\n")
		return errUsage
	}
	var cfg app.Config
	fs := e.flags("user create", &cfg)
	var email, name, role, org string
	fs.StringVar(&email, "email", "", "e-mail address (the sign-in name)")
	fs.StringVar(&name, "name", "", "full name")
	fs.StringVar(&role, "role", "", "one of "+strings.Join(domain.Roles, ", "))
	fs.StringVar(&org, "org", "", "organisation acronym (required for focal_point and donor)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	password, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && password == "" {
		return errors.New("no password on standard input: pipe it in, for example: naptracker user create … < password.txt")
	}
	password = strings.TrimRight(password, "\r\n")
	a, err := e.openAppMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u := domain.User{Email: email, Name: name, Role: role}
	if org != "" {
		o, err := planning.FindOrganisationByAcronym(ctx, a.DB, org)
		if errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("no organisation with acronym %q", org)
		}
		if err != nil {
			return err
		}
		u.OrganisationID = &o.ID
	}
	if err := account.CreateUser(ctx, a.DB, domain.Actor{Name: "cli"}, &u, password); err != nil {
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			flagOf := map[string]string{"organisation": "--org", "password": "password (standard input)"}
			for f, msg := range ve.Fields {
				name := flagOf[f]
				if name == "" {
					name = "--" + f
				}
				fmt.Fprintf(e.stderr, "  %s: %s\n", name, msg)
			}
			return errors.New("the user was not created")
		}
		return err
	}
	fmt.Fprintf(e.stdout, "created user %s (%s)\n", u.Email, u.Role)
	return nil
}
