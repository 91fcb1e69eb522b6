package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"naptracker/app"
	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/report"
	"naptracker/review"
)

// reportCacheKiB is the page cache of each SQLite connection of the
// report (SQLite's default is 2,000 KiB). The report reads each table once
// in index order, so a cache only needs the pages of a b-tree's path: with
// the default, the pooled connections' caches (and the allocator's slack
// around them) were 22 MB of the report's resident memory on the synthetic
// plan; 32 KiB costs no measurable time (16 KiB did).
const reportCacheKiB = 32

// reportMemoryLimit is the Go runtime's soft memory limit while the
// command line writes a report (GOMEMLIMIT overrides it). The report's
// live heap stays about 11 MB on a 5,000-indicator plan and 7 MB on the
// demo plan, but the collector's default target lets the heap grow to
// twice the live heap before it collects; at 24 MiB it collects sooner,
// for about 0.1 s more CPU on the synthetic plan, and the resident size
// stays within 10 MB of the demo plan's. A much larger plan only makes
// the collector work harder (it never takes more than half the CPU).
const reportMemoryLimit = 24 << 20

const reportUsage = "usage: naptracker report workshop --plan CODE [--from PERIOD] [--to PERIOD] [--pillar CODE] [--org ACRONYM] [--funder ACRONYM] [--lang en|fr|lo] [--include-unapproved] [--audience external|internal] [--snapshot NAME] [--pdf] -o FILE\n"

// cmdReport writes the Excel workshop report of a plan to a file. The
// command line acts as the system, with the secretariat's view: approved
// data, or everything (marked) with --include-unapproved. The workbook is
// for the external audience (small counts protected, fit to share) unless
// --audience internal says otherwise; an internal workbook says so on its
// cover and on every printed page.
func cmdReport(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "iati" {
		return cmdReportIATI(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "workshop" {
		fmt.Fprint(e.stderr, reportUsage)
		return errUsage
	}
	var cfg app.Config
	fs := e.flags("report workshop", &cfg)
	var o report.Options
	var out string
	fs.StringVar(&o.Plan, "plan", "", "plan code")
	fs.StringVar(&o.From, "from", "", "first period (label); default the plan's first")
	fs.StringVar(&o.To, "to", "", "last period (label); default the last one started")
	fs.StringVar(&o.Pillar, "pillar", "", "only this pillar (code)")
	fs.StringVar(&o.Org, "org", "", "only what this organisation leads, supports or reports (acronym)")
	fs.StringVar(&o.Funder, "funder", "", "only what this funding partner funds (acronym)")
	fs.StringVar(&o.Lang, "lang", "en", "language of the labels: en, fr or lo")
	fs.BoolVar(&o.IncludeUnapproved, "include-unapproved", false, "include data not approved yet, marked")
	var audience string
	fs.StringVar(&audience, "audience", "external", "who the workbook is for: external (small counts of victims protected, the default) or internal (every number; not to be shared)")
	var snapshot string
	fs.StringVar(&snapshot, "snapshot", "", "reproduce the review snapshot with this name (its range and approved data)")
	fs.StringVar(&out, "o", "", "output file (.xlsx, or .pdf with --pdf)")
	var pdf bool
	fs.BoolVar(&pdf, "pdf", false, "write the report as PDF, printed by LibreOffice (which must be installed)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if strings.TrimSpace(o.Plan) == "" || strings.TrimSpace(out) == "" || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, reportUsage)
		return errUsage
	}
	if pdf && !report.CanPDF() {
		return errors.New("--pdf needs LibreOffice (soffice), which is not installed: install LibreOffice Calc, or write the .xlsx without --pdf")
	}
	switch audience {
	case "external":
		o.Audience = figures.External
	case "internal":
		o.Audience = figures.Internal
	default:
		fmt.Fprintf(e.stderr, "naptracker report workshop: --audience must be external or internal, not %q\n", audience)
		return errUsage
	}
	// The report streams the plan once: a big page cache per pooled
	// SQLite connection would only hold pages it never reads again.
	cfg.SQLiteCacheKiB = reportCacheKiB
	if e.getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(reportMemoryLimit))
	}
	a, err := e.openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if snapshot != "" {
		if o.Snapshot, err = findSnapshot(ctx, a, o.Plan, snapshot); err != nil {
			return err
		}
	}
	o.Scope = domain.Scope{Role: domain.RoleAdmin}
	o.GeneratedBy = "naptracker report (command line)"
	o.Now = time.Now().UTC()
	tmp := out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if pdf {
		var xlsx bytes.Buffer
		if err = report.Workshop(ctx, a.DB, o, &xlsx); err == nil {
			err = report.PDF(ctx, xlsx.Bytes(), f)
		}
	} else {
		err = report.Workshop(ctx, a.DB, o, f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return e.reportError(err, o.Plan)
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", out)
	return nil
}

// findSnapshot finds a plan's review snapshot by name (any case).
func findSnapshot(ctx context.Context, a *app.App, planCode, name string) (int64, error) {
	plan, err := planning.FindPlan(ctx, a.DB, planCode)
	if err != nil {
		return 0, fmt.Errorf("plan %q: %w", planCode, err)
	}
	list, err := review.ListSnapshots(ctx, a.DB, plan.ID)
	if err != nil {
		return 0, err
	}
	for _, s := range list {
		if strings.EqualFold(s.Name, strings.TrimSpace(name)) {
			return s.ID, nil
		}
	}
	return 0, fmt.Errorf("plan %s has no review snapshot named %q", planCode, name)
}

const iatiUsage = "usage: naptracker report iati --plan CODE [--from PERIOD] [--to PERIOD] [--funder ACRONYM] [--country ISO2] [--publisher IATI-ID] -o FILE.xml\n"

// cmdReportIATI writes a plan's results as an IATI 2.03 activity file: the
// same figures as a donor's workbook (approved data, small counts of
// victims protected).
func cmdReportIATI(ctx context.Context, e env, args []string) error {
	var cfg app.Config
	fs := e.flags("report iati", &cfg)
	var o report.IATIOptions
	var out string
	fs.StringVar(&o.Plan, "plan", "", "plan code")
	fs.StringVar(&o.From, "from", "", "first period (label)")
	fs.StringVar(&o.To, "to", "", "last period (label)")
	fs.StringVar(&o.Funder, "funder", "", "only the activities this partner funds (acronym); it is then the reporting organisation")
	fs.StringVar(&o.Country, "country", "", "recipient country, ISO 3166-1 alpha-2 (e.g. LA)")
	fs.StringVar(&o.Publisher, "publisher", "", "the reporting organisation's IATI identifier (e.g. XM-DAC-41114)")
	fs.StringVar(&out, "o", "", "output file (.xml)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if strings.TrimSpace(o.Plan) == "" || strings.TrimSpace(out) == "" || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, iatiUsage)
		return errUsage
	}
	a, err := e.openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	o.Country, o.Now = strings.ToUpper(o.Country), time.Now().UTC()
	var buf bytes.Buffer
	if err := report.IATI(ctx, a.DB, o, &buf); err != nil {
		return e.reportError(err, o.Plan)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", out)
	return nil
}

// reportError explains why no report or file was written: each refused
// option with its message, or the unknown plan.
func (e env) reportError(err error, plan string) error {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for field, msg := range ve.Fields {
			fmt.Fprintf(e.stderr, "  --%s: %s\n", field, msg)
		}
		return errors.New("no file was written")
	}
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("no plan with code %q", plan)
	}
	return err
}
