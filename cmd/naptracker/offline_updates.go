package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// cmdTemplateUpdates writes the offline template of an organisation's
// activity updates for a period or a range (--from, --to, as the update
// grid), made for a user (--for) or for whoever imports it with --as.
func cmdTemplateUpdates(ctx context.Context, e env, args []string) error {
	var from, to string
	return runTemplate(ctx, e, templateKind[*reporting.UpdateGrid]{
		name: "template updates",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&from, "from", "", "first period, such as 2025-Q1 (default: the latest period that has started)")
			fs.StringVar(&to, "to", "", "last period (default: --from alone)")
		},
		load: func(ctx context.Context, db *gorm.DB, scope domain.Scope, plan, org string, now time.Time) (*reporting.UpdateGrid, error) {
			return reporting.LoadUpdateGrid(ctx, db, scope, plan, org, from, to, now)
		},
		periods: func() string { return fmt.Sprintf("periods %s to %s", from, to) },
		write:   offline.WriteUpdatesTemplate,
		wrote: func(g *reporting.UpdateGrid) string {
			return fmt.Sprintf("%d activity updates of %s for %s to %s", len(g.Rows), g.Org.Acronym,
				g.Periods[0].Label, g.Periods[len(g.Periods)-1].Label)
		},
	}, args)
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
				msgs := offline.Messages(l, r.Errors)
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
