package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/planxlsx"
)

const planUsage = "usage: naptracker plan export --plan CODE -o FILE.xlsx\n" +
	"       naptracker plan import [--dry-run] [--as EMAIL] [--lang en|fr|lo] [--max-mb N] FILE.xlsx\n"

// errImportRefused is the exit of an import with rows in error (nothing written).
var errImportRefused = errors.New("nothing was imported: correct the rows in error and import the file again")

// cmdPlan exports a plan as a workbook, or imports one.
func cmdPlan(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, planUsage)
		return errUsage
	}
	switch args[0] {
	case "export":
		return cmdPlanExport(ctx, e, args[1:])
	case "import":
		return cmdPlanImport(ctx, e, args[1:])
	}
	fmt.Fprint(e.stderr, planUsage)
	return errUsage
}

func cmdPlanExport(ctx context.Context, e env, args []string) error {
	var cfg app.Config
	fs := e.flags("plan export", &cfg)
	var plan, out string
	fs.StringVar(&plan, "plan", "", "plan code")
	fs.StringVar(&out, "o", "", "output file (.xlsx)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if plan == "" || out == "" || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, planUsage)
		return errUsage
	}
	a, err := e.openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := planxlsx.Load(ctx, a.DB, plan)
	if err != nil {
		return fmt.Errorf("plan %s: %w", plan, err)
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: plan %s, %d activities, %d indicators\n", out, plan,
		len(b.Tables[planxlsx.SheetActivities].Rows), len(b.Tables[planxlsx.SheetIndicators].Rows))
	return nil
}

func cmdPlanImport(ctx context.Context, e env, args []string) error {
	var cfg app.Config
	fs := e.flags("plan import", &cfg)
	var as, lang string
	var dry bool
	var maxMB int64
	fs.BoolVar(&dry, "dry-run", false, "only list what would be created and updated")
	fs.StringVar(&as, "as", "", "e-mail of the user recorded in the audit log (default: the command line)")
	fs.StringVar(&lang, "lang", "en", "language of the messages: en, fr or lo")
	fs.Int64Var(&maxMB, "max-mb", 0, "largest file accepted, in MB (default: -offline-max-size)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 || maxMB < 0 || !i18n.IsSupported(lang) {
		fmt.Fprint(e.stderr, planUsage)
		return errUsage
	}
	lim := uploadLimits(cfg, maxMB)
	data, l, err := readUpload(fs.Arg(0), lim.MaxFileBytes, lang)
	if err != nil {
		return err
	}
	a, err := e.openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := domain.Actor{Name: "command line"}
	if as != "" {
		u, err := account.FindUserByEmail(ctx, a.DB, as)
		if err != nil {
			return fmt.Errorf("no user %q: %w", as, err)
		}
		actor = domain.Actor{UserID: &u.ID, Name: u.Email + " (command line)"}
	}
	res, err := planxlsx.Import(ctx, a.DB, actor, data, planxlsx.Options{Limits: lim, DryRun: dry, FileName: fs.Arg(0)}, time.Now().UTC())
	if err != nil {
		return explain(l, err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "SHEET\tROW\tCODE\tRESULT\tCHANGES AND MESSAGES\n")
	for _, r := range res.Rows {
		if r.Status == planxlsx.Unchanged {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", r.Sheet, r.Line, r.Key, l.T("planxlsx.status."+r.Status), strings.Join(r.Details(l.T), "; "))
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, l.T("planxlsx.summary", res.Count(planxlsx.Create), res.Count(planxlsx.Update), res.Count(planxlsx.Unchanged), res.Count(planxlsx.Invalid)))
	switch {
	case res.Count(planxlsx.Invalid) > 0:
		return errImportRefused
	case dry:
		fmt.Fprintln(e.stdout, "dry run: nothing was written")
	default:
		fmt.Fprintf(e.stdout, "imported plan %s; file SHA-256 %s\n", res.Plan, res.SHA256)
	}
	return nil
}
