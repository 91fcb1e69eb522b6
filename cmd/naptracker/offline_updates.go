package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"naptracker/app"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"
	"naptracker/reporting"
	"naptracker/seed"

	"gorm.io/gorm"
)

// cmdTemplateUpdates writes the offline template of an organisation's
// activity updates for a period or a range (--from, --to, as the update
// grid), made for a user (--for) or for whoever imports it with --as.
func cmdTemplateUpdates(ctx context.Context, e env, args []string) error {
	var cfg app.Config
	fs := e.flags("template updates", &cfg)
	var plan, org, from, to, lang, forEmail, out string
	fs.StringVar(&plan, "plan", seed.DemoPlanCode, "plan code")
	fs.StringVar(&org, "org", "", "organisation acronym")
	fs.StringVar(&from, "from", "", "first period, such as 2025-Q1 (default: the latest period that has started)")
	fs.StringVar(&to, "to", "", "last period (default: --from alone)")
	fs.StringVar(&lang, "lang", "en", "language of the headers: en, fr or lo")
	fs.StringVar(&forEmail, "for", "", "e-mail of the focal point the template is for (default: none; import it with --as)")
	fs.StringVar(&out, "o", "", "output file (.xlsx)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if org == "" || out == "" || fs.NArg() > 0 || !i18n.IsSupported(lang) {
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
	g, err := reporting.LoadUpdateGrid(ctx, a.DB, scope, plan, org, from, to, time.Now().UTC())
	if errors.Is(err, domain.ErrForbidden) {
		return fmt.Errorf("%s does not report for %s", forEmail, org)
	}
	if err != nil {
		return fmt.Errorf("plan %s, organisation %s, periods %s to %s: %w", plan, org, from, to, err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := offline.WriteUpdatesTemplate(&buf, g, offline.TemplateOptions{L: bundle.For(lang), Keys: a.Keys, UserID: userID, Now: time.Now()}); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d activity updates of %s for %s to %s\n", out, len(g.Rows), g.Org.Acronym,
		g.Periods[0].Label, g.Periods[len(g.Periods)-1].Label)
	return nil
}

// cmdImportUpdates reads a filled template of activity updates, prints its
// preview and, unless --dry-run, saves the accepted rows in one
// transaction as the user the template was made for (or --as).
func cmdImportUpdates(ctx context.Context, e env, args []string) error {
	return runImport(ctx, e, importKind[*offline.UpdatesFile, *offline.UpdatesPreview]{
		name: "import updates", submitHelp: "submit the saved updates", noun: "update(s)",
		parse:   offline.ParseUpdates,
		file:    func(f *offline.UpdatesFile) (int64, string) { return f.UserID, f.SHA256 },
		preview: offline.MakeUpdatesPreview,
		apply: func(ctx context.Context, db *gorm.DB, actor domain.Actor, scope domain.Scope, f *offline.UpdatesFile, o offline.ApplyOptions, now time.Time) (*offline.UpdatesPreview, []string, []string, error) {
			out, err := offline.ApplyUpdates(ctx, db, actor, scope, f, o, now)
			if out == nil {
				return nil, nil, nil, err
			}
			return out.UpdatesPreview, out.Saved, out.Submitted, err
		},
		header: "ROW\tACTIVITY\tPERIOD\tIN THE FILE\tSAVED NOW\tMESSAGES\n",
		rows: func(tw io.Writer, l *i18n.Localizer, p *offline.UpdatesPreview) {
			for _, r := range p.Rows {
				msgs := cellMessages(l, r.Errors)
				stored := ""
				if r.Stored != nil {
					stored = offline.ProgressLine(l, r.Stored.Progress, r.Stored.PercentComplete)
					if r.Status == offline.Conflict {
						msgs = append(msgs, l.T("offline.updates.preview.conflict", r.ChangedBy, l.DateTime(r.Stored.UpdatedAt)))
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.T("offline.row."+r.Status), r.Code, r.Period,
					offline.ProgressLine(l, r.Typed.Progress, r.Typed.PercentComplete), stored, strings.Join(msgs, " "))
			}
		},
	}, args)
}
