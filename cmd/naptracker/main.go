// Command naptracker serves NAP Tracker and runs its maintenance commands:
//
//	naptracker [serve]            serve HTTP (migrates and seeds an empty database)
//	naptracker migrate            apply database migrations
//	naptracker seed demo          load the demonstration plan
//	naptracker seed synthetic     load a large deterministic plan for benchmarks
//	naptracker user create        create a user (password read from standard input)
//	naptracker token create       create an API token for a user (printed once)
//	naptracker reminders run      record the reminders due now and send those waiting
//	naptracker report workshop    write the Excel workshop report of a plan
//	naptracker keys rotate        encrypt the secrets at rest under a new key
//	naptracker template values    write an organisation's offline values template
//	naptracker import values FILE preview and import a filled offline template
//	naptracker plan export|import write a plan as a workbook, or upsert one
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env carries what a command reads and writes, so tests can run commands in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errUsage marks a mistake in the command line; the message is already printed.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, e, args)
	case "migrate":
		err = cmdMigrate(ctx, e, args)
	case "seed":
		err = cmdSeed(ctx, e, args)
	case "user":
		err = cmdUser(ctx, e, args)
	case "token":
		err = cmdToken(ctx, e, args)
	case "reminders":
		err = cmdReminders(ctx, e, args)
	case "report":
		err = cmdReport(ctx, e, args)
	case "rollups":
		err = cmdRollups(ctx, e, args)
	case "keys":
		err = cmdKeys(ctx, e, args)
	case "template":
		err = cmdTemplate(ctx, e, args)
	case "import":
		err = cmdImport(ctx, e, args)
	case "plan":
		err = cmdPlan(ctx, e, args)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "naptracker: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return exitUsage
	default:
		fmt.Fprintf(stderr, "naptracker %s: %v\n", cmd, err)
		return exitError
	}
}

const usage = `Usage: naptracker <command> [flags]

Commands:
  serve       serve HTTP (the default); migrates, and seeds an empty database with the demo plan
  migrate     apply pending database migrations
  seed demo   load the demonstration plan
  seed synthetic --activities N --indicators-per-activity K --years Y
              load a large deterministic plan for benchmarks
  user create --email E --name N --role R [--org ACRONYM]
              create a user; the password is read from standard input
  token create --email E [--name N] [--expires YYYY-MM-DD]
              create an API token for a user; prints only the token, once
  reminders run
              record the reminders due now and send those waiting (the
              server does this every 15 minutes)
  report workshop --plan CODE [--from P] [--to P] [--pillar CODE] [--org ACRONYM]
              [--funder ACRONYM] [--lang en|fr|lo] [--include-unapproved]
              [--audience external|internal] [--snapshot NAME] [--pdf] -o FILE
              write the Excel workshop report (approved data unless
              --include-unapproved, which marks what is not approved; for
              the external audience, small counts protected, unless
              --audience internal)
  report iati --plan CODE [--from P] [--to P] [--funder ACRONYM] [--country ISO2]
              [--publisher IATI-ID] -o FILE.xml
              write the plan's results as an IATI 2.03 activity file
  rollups rebuild
              recompute the dashboard's roll-ups from the values (safe while
              the server runs) and say how many rows the cache had wrong
  template values --org ACRONYM --period LABEL [--to LABEL] [--plan CODE]
              [--lang en|fr|lo] [--for EMAIL] -o FILE.xlsx
              write the offline values template of an organisation for a
              period or a range (made for a focal point with --for)
  template updates --org ACRONYM [--from LABEL] [--to LABEL] [--plan CODE]
              [--lang en|fr|lo] [--for EMAIL] -o FILE.xlsx
              write the offline template of an organisation's activity
              updates for a period or a range (made for a focal point with --for)
  import values|updates [--as EMAIL] [--dry-run] [--submit] [--max-mb N] FILE.xlsx
              preview a filled offline template (of values or of activity
              updates) and save its accepted rows in one transaction, as the
              user it was made for (or --as)
  plan export --plan CODE -o FILE.xlsx
              write the plan (organisations, tree, indicators with
              translations, yearly targets, funding) as one workbook
  plan import [--dry-run] [--as EMAIL] [--lang en|fr|lo] [--max-mb N] FILE.xlsx
              upsert a plan workbook by code: list every row as create,
              update, unchanged or error, then (unless --dry-run, or any
              row is in error) save it all in one transaction; never deletes
  keys rotate
              with the key file: add a new key and encrypt every TOTP secret
              under it (the old keys stay, for reading only); with
              NAPTRACKER_SECRET_KEY=NEW,OLD: encrypt them under NEW

Every command takes the configuration flags (see "naptracker serve -h"):
  -addr, -database-url, -data-dir, -base-url, -log-level, -session-idle,
  -session-max, -trusted-proxies, -smtp-url, -reminder-days, -reminder-interval
or the environment variables NAPTRACKER_ADDR, DATABASE_URL, NAPTRACKER_DATA_DIR,
NAPTRACKER_BASE_URL, NAPTRACKER_LOG_LEVEL, NAPTRACKER_SESSION_IDLE,
NAPTRACKER_SESSION_MAX, NAPTRACKER_TRUSTED_PROXIES, NAPTRACKER_SMTP_URL,
NAPTRACKER_REMINDER_DAYS, NAPTRACKER_REMINDER_INTERVAL, and (environment only)
NAPTRACKER_SECRET_KEY.
`
