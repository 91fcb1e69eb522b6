package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"
	"naptracker/reporting"
	"naptracker/seed"

	"gorm.io/gorm"
)

const templateUsage = "usage: naptracker template values --org ACRONYM --period LABEL [--to LABEL] [--plan CODE] [--lang en|fr|lo] [--for EMAIL] -o FILE.xlsx\n" +
	"       naptracker template updates --org ACRONYM [--from LABEL] [--to LABEL] [--plan CODE] [--lang en|fr|lo] [--for EMAIL] -o FILE.xlsx\n"
const importUsage = "usage: naptracker import values|updates [--as EMAIL] [--dry-run] [--submit] [--lang en|fr|lo] [--max-mb N] FILE.xlsx\n"

// cmdTemplate writes the offline values template of an organisation for a
// period, made for a user (--for) or, without one, for whoever imports it
// with --as.
func cmdTemplate(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "updates" {
		return cmdTemplateUpdates(ctx, e, args)
	}
	if len(args) == 0 || args[0] != "values" {
		fmt.Fprint(e.stderr, templateUsage)
		return errUsage
	}
	var period, to string
	return runTemplate(ctx, e, templateKind[[]*reporting.ValueGrid]{
		name: "template values",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&period, "period", "", "period label, such as 2025-Q1")
			fs.StringVar(&to, "to", "", "last period of a range that starts at --period (default: --period alone)")
		},
		ready: func() bool { return period != "" },
		load: func(ctx context.Context, db *gorm.DB, scope domain.Scope, plan, org string, now time.Time) ([]*reporting.ValueGrid, error) {
			return reporting.LoadValueGrids(ctx, db, scope, plan, org, period, to, now)
		},
		periods: func() string { return "period " + period },
		write:   offline.WriteRangeTemplate,
		wrote: func(grids []*reporting.ValueGrid) string {
			rows := 0
			for _, g := range grids {
				rows += len(g.Rows)
			}
			return fmt.Sprintf("%d indicators of %s for %s", rows, grids[0].Org.Acronym, rangeOf(grids))
		},
	}, args)
}

// templateKind is what the two template commands (values and activity
// updates) do differently: their period flags, the grid they load and
// the workbook they write of it; runTemplate does the rest.
type templateKind[G any] struct {
	name    string
	flags   func(*flag.FlagSet)
	ready   func() bool // whether the period flags are enough (nil: always)
	load    func(ctx context.Context, db *gorm.DB, scope domain.Scope, plan, org string, now time.Time) (G, error)
	periods func() string // the periods asked for, in an error
	write   func(io.Writer, G, offline.TemplateOptions) error
	wrote   func(G) string // what the written workbook holds
}

// runTemplate parses the flags of a template command (--plan, --org,
// --lang, --for, -o, the kind's periods and the configuration's), loads
// the grid for the user the template is made for and writes the workbook.
func runTemplate[G any](ctx context.Context, e env, k templateKind[G], args []string) error {
	var cfg app.Config
	fs := e.flags(k.name, &cfg)
	var plan, org, lang, forEmail, out string
	fs.StringVar(&plan, "plan", seed.DemoPlanCode, "plan code")
	fs.StringVar(&org, "org", "", "organisation acronym")
	fs.StringVar(&lang, "lang", "en", "language of the headers: en, fr or lo")
	fs.StringVar(&forEmail, "for", "", "e-mail of the focal point the template is for (default: none; import it with --as)")
	fs.StringVar(&out, "o", "", "output file (.xlsx)")
	k.flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if org == "" || (k.ready != nil && !k.ready()) || out == "" || fs.NArg() > 0 || !i18n.IsSupported(lang) {
		fmt.Fprint(e.stderr, templateUsage)
		return errUsage
	}
	a, err := e.openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	scope, userID, err := templateFor(ctx, a, forEmail)
	if err != nil {
		return err
	}
	g, err := k.load(ctx, a.DB, scope, plan, org, time.Now().UTC())
	if errors.Is(err, domain.ErrForbidden) {
		return fmt.Errorf("%s does not report for %s", forEmail, org)
	}
	if err != nil {
		return fmt.Errorf("plan %s, organisation %s, %s: %w", plan, org, k.periods(), err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := k.write(&buf, g, offline.TemplateOptions{L: bundle.For(lang), Keys: a.Keys, UserID: userID, Now: time.Now()}); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s\n", out, k.wrote(g))
	return nil
}

// cmdImport reads a filled offline template, prints its preview and,
// unless --dry-run, saves the accepted rows in one transaction as the user
// the template was made for (or --as).
func cmdImport(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "updates" {
		return cmdImportUpdates(ctx, e, args)
	}
	if len(args) == 0 || args[0] != "values" {
		fmt.Fprint(e.stderr, importUsage)
		return errUsage
	}
	return runImport(ctx, e, importKind[*offline.File, *offline.Preview]{
		name: "import values", submitHelp: "submit the saved values that are complete", noun: "value(s)",
		parse:   offline.Parse,
		file:    func(f *offline.File) (int64, string) { return f.UserID, f.SHA256 },
		preview: offline.MakePreview,
		apply: func(ctx context.Context, db *gorm.DB, actor domain.Actor, scope domain.Scope, f *offline.File, o offline.ApplyOptions, now time.Time) (*offline.Preview, []string, []string, error) {
			out, err := offline.Apply(ctx, db, actor, scope, f, o, now)
			if out == nil {
				return nil, nil, nil, err
			}
			return out.Preview, out.Saved, out.Submitted, err
		},
		header: "ROW\tINDICATOR\tIN THE FILE\tSAVED NOW\tMESSAGES\n",
		rows: func(tw io.Writer, l *i18n.Localizer, p *offline.Preview) {
			for _, r := range p.Rows {
				msgs := offline.Messages(l, r.Errors)
				if r.Status == offline.Conflict {
					msgs = append(msgs, l.T("offline.preview.conflict", r.ChangedBy, l.DateTime(r.ChangedAt)))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.T("offline.row."+r.Status), r.Code, l.Num(r.Typed.Value), offline.FigureLine(l, r.Stored), strings.Join(msgs, " "))
			}
		},
	}, args)
}

// importKind is what the two import commands (values and activity updates)
// do differently; runImport does the rest.
type importKind[F any, P interface{ Count(string) int }] struct {
	name, submitHelp, noun string
	parse                  func([]byte, *account.Keyring, offline.Limits) (F, error)
	file                   func(F) (userID int64, sha256 string)
	preview                func(context.Context, *gorm.DB, domain.Scope, F, time.Time) (P, error)
	apply                  func(context.Context, *gorm.DB, domain.Actor, domain.Scope, F, offline.ApplyOptions, time.Time) (P, []string, []string, error)
	header                 string
	rows                   func(io.Writer, *i18n.Localizer, P)
}

// runImport reads a filled template, prints its preview and, unless
// --dry-run, saves the accepted rows in one transaction as the user the
// template was made for (or --as).
func runImport[F any, P interface{ Count(string) int }](ctx context.Context, e env, k importKind[F, P], args []string) error {
	in, err := e.readImport(ctx, k.name, k.submitHelp, args)
	if err != nil {
		return err
	}
	defer in.a.Close()
	l := in.l
	file, err := k.parse(in.data, in.a.Keys, in.lim)
	if err != nil {
		return explain(l, err)
	}
	userID, sum := k.file(file)
	scope, actor, err := importingUser(ctx, in.a, in.as, userID)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	var p P
	var saved, submitted []string
	if in.dry {
		p, err = k.preview(ctx, in.a.DB, scope, file, now)
	} else {
		p, saved, submitted, err = k.apply(ctx, in.a.DB, actor, scope, file, offline.ApplyOptions{Submit: in.submit, FileName: in.path}, now)
	}
	if err != nil {
		return explain(l, err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, k.header)
	k.rows(tw, l, p)
	tw.Flush()
	fmt.Fprintln(e.stdout, l.T("offline.preview.summary", p.Count(offline.WillSave), p.Count(offline.Unchanged), p.Count(offline.Invalid), p.Count(offline.Conflict)))
	if !in.dry {
		fmt.Fprintf(e.stdout, "saved %d %s, submitted %d; file SHA-256 %s\n", len(saved), k.noun, len(submitted), sum)
	}
	return nil
}

// importRun is what both import commands read before looking at the
// file: their flags, the file (within the limits) and the application.
type importRun struct {
	a           *app.App
	data        []byte
	path        string
	lim         offline.Limits
	l           *i18n.Localizer
	as          string
	dry, submit bool
}

// readImport parses the flags of an import command (--as, --dry-run,
// --submit, --lang, --max-mb and the configuration's), reads the file and
// opens the migrated application; the caller closes it.
func (e env) readImport(ctx context.Context, name, submitHelp string, args []string) (*importRun, error) {
	var cfg app.Config
	fs := e.flags(name, &cfg)
	in := &importRun{}
	var lang string
	var maxMB int64
	fs.StringVar(&in.as, "as", "", "e-mail of the user who imports (default: the user the template was made for)")
	fs.BoolVar(&in.dry, "dry-run", false, "only show what would be saved")
	fs.BoolVar(&in.submit, "submit", false, submitHelp)
	fs.StringVar(&lang, "lang", "en", "language of the messages: en, fr or lo")
	fs.Int64Var(&maxMB, "max-mb", 0, "largest file accepted, in MB (default: -offline-max-size)")
	if err := fs.Parse(args[1:]); err != nil {
		return nil, errUsage
	}
	if fs.NArg() != 1 || maxMB < 0 || !i18n.IsSupported(lang) {
		fmt.Fprint(e.stderr, importUsage)
		return nil, errUsage
	}
	in.path, in.lim = fs.Arg(0), uploadLimits(cfg, maxMB)
	var err error
	if in.data, in.l, err = readUpload(in.path, in.lim.MaxFileBytes, lang); err != nil {
		return nil, err
	}
	if in.a, err = e.openMigrated(ctx, cfg); err != nil {
		return nil, err
	}
	return in, nil
}

// rangeOf names the periods of the grids: "2025-Q1", or "2025-Q1 to 2025-Q4".
func rangeOf(grids []*reporting.ValueGrid) string {
	first, last := grids[0].Period.Label, grids[len(grids)-1].Period.Label
	if first == last {
		return first
	}
	return first + " to " + last
}

// templateFor is the scope and user id a template is made for: the user
// of forEmail, or, without one, the administrator's scope and no user
// (the import then says who imports it with --as).
func templateFor(ctx context.Context, a *app.App, forEmail string) (domain.Scope, int64, error) {
	if forEmail == "" {
		return domain.Scope{Role: domain.RoleAdmin}, 0, nil
	}
	u, err := account.FindUserByEmail(ctx, a.DB, forEmail)
	if err != nil {
		return domain.Scope{}, 0, fmt.Errorf("no user %q: %w", forEmail, err)
	}
	return domain.ScopeOf(u), u.ID, nil
}

// importingUser is who imports a template: the user of --as, or the one
// the template was made for.
func importingUser(ctx context.Context, a *app.App, as string, madeFor int64) (domain.Scope, domain.Actor, error) {
	var u *domain.User
	var err error
	switch {
	case as != "":
		u, err = account.FindUserByEmail(ctx, a.DB, as)
	case madeFor != 0:
		u = &domain.User{}
		err = a.DB.WithContext(ctx).Take(u, madeFor).Error
	default:
		return domain.Scope{}, domain.Actor{}, errors.New("the template was made from the command line for no one: say who imports it with --as EMAIL")
	}
	if err != nil {
		return domain.Scope{}, domain.Actor{}, fmt.Errorf("the importing user: %w", err)
	}
	return domain.ScopeOf(u), domain.Actor{UserID: &u.ID, Name: u.Email + " (command line)"}, nil
}

// readLimited reads a file, refusing one over limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d MB", path, limit>>20)
	}
	return os.ReadFile(path)
}

// uploadLimits are the reader's limits of a command: the configuration's
// (NAPTRACKER_OFFLINE_MAX_SIZE, -offline-max-size), the size overridden by
// --max-mb when given.
func uploadLimits(cfg app.Config, maxMB int64) offline.Limits {
	lim := cfg.OfflineLimits()
	if maxMB > 0 {
		lim.MaxFileBytes = maxMB << 20
	}
	return lim
}

// readUpload reads a workbook named on the command line (at most limit
// bytes) and the localizer of the language its messages are given in.
func readUpload(path string, limit int64, lang string) ([]byte, *i18n.Localizer, error) {
	data, err := readLimited(path, limit)
	if err != nil {
		return nil, nil, err
	}
	bundle, err := i18n.Load()
	if err != nil {
		return nil, nil, err
	}
	return data, bundle.For(lang), nil
}

// explain turns a refusal into its message.
func explain(l *i18n.Localizer, err error) error {
	if r, ok := offline.AsRefusal(err); ok {
		return errors.New(r.Msg.Translate(l.T))
	}
	return err
}
