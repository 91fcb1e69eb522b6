// Package report writes the Excel workshop report of a plan: the workbook a
// facilitator puts on screen at a review workshop and a donor files. The
// command line (naptracker report workshop) and the web download share it.
//
// The big sheets (IPTT, Activities, Changes) are written with excelize's
// StreamWriter while the data is read from a fixed number of queries
// streamed in display order; the small sheets use normal mode. The workbook
// is zipped straight into the caller's writer.
package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/i18n"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// ContentType is the media type of the workbook.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Options choose what the report covers and who it is for.
type Options struct {
	// Plan is the plan's code.
	Plan string
	// From and To are period labels bounding the range (both included);
	// empty: the last period that has started, and the first period of its year.
	From, To string
	// Pillar keeps one pillar (its code).
	Pillar string
	// Org keeps what an organisation (acronym) leads, supports or reports.
	Org string
	// Funder keeps the activities a partner (acronym) funds and their indicators.
	Funder string
	// Lang is the language of the labels ("en", "fr", "lo").
	Lang string
	// IncludeUnapproved adds data not approved yet, each number marked;
	// only a scope that validates may ask for it.
	IncludeUnapproved bool
	// Scope is who asks: scopes that do not validate get approved data only.
	Scope domain.Scope
	// Audience is who the workbook is for: External (the default) protects
	// small counts of sensitive indicators for sharing; Internal shows every
	// number, says so on every page, and only a scope that validates may
	// ask for it.
	Audience figures.Audience
	// GeneratedBy names who asked, for the cover.
	GeneratedBy string
	// Now is the instant the report describes (due dates are compared with it).
	Now time.Time
	// Bundle supplies the labels; nil loads the embedded catalogues.
	Bundle *i18n.Bundle
	// Snapshot, when not 0, is the id of a review snapshot of the plan: the
	// report is produced from the data it froze (approved data only), as of
	// the moment it was taken, so what a workshop saw can be reproduced.
	Snapshot int64
	// Since is the review snapshot the sheet "Since the last review"
	// compares with (0: the latest).
	Since int64
}

// Sheet names, in workbook order.
var sheetKeys = []string{"cover", "summary", "iptt", "activities", "compliance", "funding", "changes", "review"}

// Workshop writes the workshop report of a plan to w as an .xlsx workbook.
// It returns models.ErrNotFound for an unknown plan, models.ErrForbidden
// when a scope that does not validate asks for unapproved data, and a
// *models.ValidationError for unknown filters.
func Workshop(ctx context.Context, db *gorm.DB, opts Options, w io.Writer) error {
	if (opts.IncludeUnapproved || opts.Audience == figures.Internal) && !opts.Scope.Validates() {
		return domain.ErrForbidden
	}
	b, err := newBuild(ctx, db, opts)
	if err != nil {
		return err
	}
	defer b.f.Close()
	// The compliance figures are one heavy query: read them on the other
	// core while the indicator table is worked out.
	b.prefetchCompliance()
	defer b.waitCompliance()
	for _, step := range []func() error{b.writeIPTT, b.writeActivities, b.writeChanges, b.writeCompliance, b.writeFunding, b.writeReview, b.writeSummary, b.writeCover} {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(); err != nil {
			return err
		}
	}
	// The cover is the active sheet already (it was the first one); asking
	// excelize to set it would parse every streamed sheet back into memory.
	// Zip straight into w instead of into excelize's in-memory buffer.
	if err := b.docProps(); err != nil {
		return err
	}
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newSpliceZip(w, b.zipRows, b.dims, b.charts) })
	_, err = b.f.WriteTo(io.Discard)
	return err
}

// build is one report being written.
type build struct {
	ctx    context.Context
	db     *gorm.DB
	opts   Options
	L      *i18n.Localizer
	f      *excelize.File
	st     styles
	tree   *planning.PlanTree
	th     domain.Thresholds
	all    []domain.ReportingPeriod // every period of the plan, in order
	rng    []domain.ReportingPeriod // the selected range
	pillar *planning.PillarNode     // nil: every pillar
	org    *domain.Organisation     // nil: every organisation
	funder *domain.Organisation     // nil: every funder
	// audience decides what the figures show (figures.Assess).
	audience figures.Audience
	sheet    map[string]string // key → sheet name
	// per-pillar indicator ratings, filled by the IPTT for the summary.
	ragByPillar map[int64]map[string]int
	// each listed activity's latest update, filled by the activities sheet.
	acts map[int64]activityState
	// rows written when the workbook is zipped, by the sheet's zip path.
	zipRows map[string]func(rowSink) error
	// dims is each sheet's used range, by zip path (see used).
	dims map[string]string
	// printRows extends a sheet's print area below its cells (to the
	// Summary's charts), by sheet name.
	printRows map[string]int
	// charts holds, by the chart's zip path, the values of the cells its
	// series refer to, written into the chart as its cache (chartCache).
	charts map[string]map[string]any
	// snap is the review snapshot the report is produced from (nil: live data).
	snap        *review.ReviewSnapshot
	snapContent *review.SnapshotContent
	// compliance is the completeness report read in the background.
	compliance chan complianceResult
	// generated is when the report was made (opts.Now is the instant the
	// data describes: the snapshot's, when there is one).
	generated time.Time
}

func newBuild(ctx context.Context, db *gorm.DB, opts Options) (*build, error) {
	bundle := opts.Bundle
	if bundle == nil {
		var err error
		if bundle, err = i18n.Load(); err != nil {
			return nil, err
		}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC()
	b := &build{ctx: ctx, db: db.WithContext(ctx), opts: opts, L: bundle.For(opts.Lang), audience: opts.Audience,
		sheet: map[string]string{}, zipRows: map[string]func(rowSink) error{}, dims: map[string]string{}, printRows: map[string]int{}, charts: map[string]map[string]any{}, ragByPillar: map[int64]map[string]int{}, acts: map[int64]activityState{}}
	b.generated = opts.Now
	tree, err := b.loadTree()
	if err != nil {
		return nil, err
	}
	b.tree, b.th = tree, tree.Plan.Thresholds()
	if b.all, err = reporting.PlanPeriods(ctx, db, tree.Plan.ID); err != nil {
		return nil, err
	}
	if err := b.resolveFilters(); err != nil {
		return nil, err
	}
	b.f = excelize.NewFile()
	if err := b.f.SetDefaultFont(fontName); err != nil {
		b.f.Close()
		return nil, err
	}
	for i, k := range sheetKeys {
		name := b.L.T("report.sheet." + k)
		b.sheet[k] = name
		if i == 0 {
			err = b.f.SetSheetName("Sheet1", name)
		} else {
			_, err = b.f.NewSheet(name)
		}
		if err != nil {
			b.f.Close()
			return nil, err
		}
	}
	if b.st, err = newStyles(b.f); err != nil {
		b.f.Close()
		return nil, err
	}
	return b, nil
}

// loadTree reads the plan's tree: live, or as the snapshot froze it (then
// the report describes the moment the snapshot was taken, and its range
// defaults to the snapshot's).
func (b *build) loadTree() (*planning.PlanTree, error) {
	if b.opts.Snapshot == 0 {
		return planning.LoadPlanTree(b.ctx, b.db, b.opts.Plan)
	}
	if b.opts.IncludeUnapproved {
		v := &domain.ValidationError{}
		v.AddKey("include_unapproved", "err.snapshot_approved_only")
		return nil, v
	}
	plan, err := planning.FindPlan(b.ctx, b.db, b.opts.Plan)
	if err != nil {
		return nil, err
	}
	if b.snap, err = review.FindSnapshot(b.ctx, b.db, plan.ID, b.opts.Snapshot); err != nil {
		return nil, err
	}
	if b.snapContent, err = b.snap.Decode(); err != nil {
		return nil, fmt.Errorf("report: snapshot %d: %w", b.snap.ID, err)
	}
	b.opts.Now = b.snap.CreatedAt.UTC()
	return b.snapContent.Tree, nil
}

// resolveFilters checks the options against the plan and keeps what they name.
func (b *build) resolveFilters() error {
	v := &domain.ValidationError{}
	o := b.opts
	// A snapshot holds the data of its own range only, which is the default.
	first, last := 0, len(b.all)-1
	if b.snap != nil {
		for i, p := range b.all {
			if p.ID == b.snap.FromPeriodID {
				first = i
			}
			if p.ID == b.snap.ToPeriodID {
				last = i
			}
		}
		if o.To == "" {
			o.To = b.all[last].Label
		}
		if o.From == "" {
			o.From = b.all[first].Label
		}
	}
	// By default a workshop looks at the year of the last period started:
	// the whole plan's periods would not fit a printed page.
	rng, err := planning.ResolveRange(b.all, o.From, o.To, b.opts.Now)
	var re *domain.ValidationError
	switch {
	case errors.As(err, &re):
		v = re
	case err != nil:
		return err
	case b.snap != nil && (rng.From < first || rng.To > last):
		v.AddKey("to", "err.snapshot_range", b.all[first].Label, b.all[last].Label)
	}
	if o.Pillar != "" {
		for _, p := range b.tree.Pillars {
			if p.Code == o.Pillar {
				b.pillar = p
			}
		}
		if b.pillar == nil {
			v.AddKey("pillar", "err.no_pillar_code", o.Pillar)
		}
	}
	acronym := func(a, field string) *domain.Organisation {
		for _, org := range b.tree.Organisations {
			if strings.EqualFold(org.Acronym, a) {
				return org
			}
		}
		v.AddKey(field, "err.no_org_acronym", a)
		return nil
	}
	if o.Org != "" {
		b.org = acronym(o.Org, "org")
	}
	if o.Funder != "" {
		b.funder = acronym(o.Funder, "funder")
	}
	if lang := o.Lang; lang != "" && !i18n.IsSupported(lang) {
		v.AddKey("lang", "err.language_choice")
	}
	if err := v.Err(); err != nil {
		return err
	}
	b.rng = rng.Periods()
	return nil
}

// pillars are the pillars the report covers.
func (b *build) pillars() []*planning.PillarNode {
	if b.pillar != nil {
		return []*planning.PillarNode{b.pillar}
	}
	return b.tree.Pillars
}

// activityMatches applies the organisation and funder filters to an activity.
func (b *build) activityMatches(a *planning.ActivityNode) bool {
	if b.funder != nil && !slices.ContainsFunc(a.Funding, func(f domain.FundingLine) bool { return f.FunderID == b.funder.ID }) {
		return false
	}
	if b.org == nil {
		return true
	}
	if a.LeadOrgID == b.org.ID || slices.Contains(a.SupporterIDs, b.org.ID) {
		return true
	}
	return slices.ContainsFunc(a.Indicators, func(i domain.Indicator) bool { return i.ReportingOrgID == b.org.ID })
}

// indicatorMatches applies the organisation and funder filters to an
// indicator of an activity (nil for an outcome indicator). Outcome
// indicators are not funded by a partner, so the funder filter drops them.
func (b *build) indicatorMatches(ind *domain.Indicator, a *planning.ActivityNode) bool {
	if a == nil {
		return b.funder == nil && (b.org == nil || ind.ReportingOrgID == b.org.ID)
	}
	if !b.activityMatches(a) {
		return false
	}
	return b.org == nil || ind.ReportingOrgID == b.org.ID || a.LeadOrgID == b.org.ID || slices.Contains(a.SupporterIDs, b.org.ID)
}

// statusLabel says which data the report reflects.
func (b *build) statusLabel() string {
	if b.opts.IncludeUnapproved {
		return b.L.T("report.status.unapproved")
	}
	return b.L.T("report.status.approved")
}

// docProps names the workbook in its file properties: title, subject,
// author, dates and language, as file managers and readers show them.
func (b *build) docProps() error {
	at := b.generated.Format(time.RFC3339)
	return b.f.SetDocProps(&excelize.DocProperties{
		Title:          b.L.T("report.cover.title") + " — " + b.tree.Plan.Code,
		Subject:        b.tree.Plan.Title + " · " + b.rangeLabel(),
		Description:    b.statusLabel() + " · " + b.L.T("report.audience."+b.audience.String()),
		Creator:        "NAP Tracker",
		LastModifiedBy: "NAP Tracker",
		Created:        at,
		Modified:       at,
		Language:       b.L.Lang,
		Category:       b.L.T("report.cover.title"),
	})
}

// audienceBanner is what every printed page of an internal workbook says
// in its header ("" for the external audience).
func (b *build) audienceBanner() string {
	if b.audience == figures.Internal {
		return b.L.T("report.audience.internal")
	}
	return ""
}

// rangeLabel names the periods covered ("2024-Q1 – 2025-Q2").
func (b *build) rangeLabel() string {
	return b.rng[0].Label + " – " + b.rng[len(b.rng)-1].Label
}

// ragKey is the catalogue key of a RAG word.
func ragKey(rag string) string { return "report.rag." + rag }
