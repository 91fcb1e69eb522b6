// Command naploadtest measures a running NAP Tracker server under load,
// with vegeta as a library:
//
//	naploadtest prepare --plan CODE [--writers 8] -o loadtest.json
//	naploadtest run --config loadtest.json --url http://127.0.0.1:8080 [--duration 10s] [--connections 8] [--scenarios …]
//
// prepare opens the server's database (DATABASE_URL, or the SQLite file in
// the data directory, as naptracker does) and creates the accounts a load
// needs: a facilitator with a password (pages are read through a session,
// signed in with the sign-in form as a browser does) and focal points with
// API tokens (they write values through the API). It writes them, with the
// plan and the period to write in, to a file only its owner can read.
//
// run signs the facilitator in, then runs each scenario in turn for the
// duration, as many requests at once as connections, and prints requests
// per second, the median and 99th percentile latency and the errors of each.
// The values scenario runs one writer per focal point, each sending back the
// version it last read; a 409 (someone else saved first) is a conflict,
// counted apart from the errors, and the writer carries on from the
// version the answer names.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "naploadtest:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  naploadtest prepare --plan CODE [--writers 8] -o loadtest.json
  naploadtest run --config loadtest.json --url http://127.0.0.1:8080 [--duration 10s] [--connections 8]
                  [--scenarios dashboard,home,plan,indicator,values,report] [--revalidate]
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command")
	}
	switch args[0] {
	case "prepare":
		return cmdPrepare(ctx, args[1:], stdout, stderr)
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
