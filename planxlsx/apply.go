package planxlsx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/offline"
	"naptracker/planedit"
	"naptracker/planning"

	"gorm.io/gorm"
)

// Options say how to import a plan workbook.
type Options struct {
	// Limits bound what the reader accepts (the offline defaults when zero).
	Limits offline.Limits
	// DryRun previews: every row is checked by the same functions that
	// save it, inside a transaction that is then rolled back.
	DryRun bool
	// Plan, when set, is the only plan code the file may hold (the page of a plan).
	Plan string
	// Expect is the Digest of the preview the user confirmed; when the
	// preview made now differs, nothing is written (offline.KindChanged).
	Expect string
	// FileName is recorded in the audit log with the file's SHA-256.
	FileName string
}

// errRollback ends the transaction of a dry run or of a file with errors.
var errRollback = errors.New("planxlsx: roll back")

// Import reads an uploaded plan workbook and upserts it by code: the plan,
// organisations, breakdown sets, pillars, objectives, activities,
// indicators with their yearly targets, and funding lines, each row saved
// through the plan-editing function of models that the forms use (with
// its checks, versions and audit rows), all in one transaction with an
// audit entry naming the file by its SHA-256. Any row in error, or a dry
// run, writes nothing. Nothing is ever deleted: rows missing from the file
// stay as they are. A file that cannot be read is an *offline.Refusal.
func Import(ctx context.Context, db *gorm.DB, actor domain.Actor, data []byte, o Options, now time.Time) (*Result, error) {
	sum := sha256.Sum256(data)
	file, err := Read(data, o.Limits)
	if err != nil {
		return nil, err
	}
	code := file.PlanCode()
	if o.Plan != "" && code != o.Plan {
		return nil, refusal("planxlsx.err.wrong_plan", code, o.Plan)
	}
	res := &Result{Plan: code, SHA256: hex.EncodeToString(sum[:])}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		plan, err := planning.FindPlan(ctx, tx, code)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		current, err := load(tx, plan)
		if err != nil {
			return err
		}
		im := &importer{ctx: ctx, tx: tx, actor: actor, now: now, file: file, current: current, rows: diff(file, current)}
		if err := im.apply(); err != nil {
			return err
		}
		for i := range sheets {
			for _, r := range im.rows[sheets[i].name] {
				res.Rows = append(res.Rows, *r)
			}
		}
		if o.Expect != "" && o.Expect != res.Digest() {
			return &offline.Refusal{Kind: offline.KindChanged, Msg: domain.Message{Key: "planxlsx.err.preview_changed"}}
		}
		if o.DryRun || res.Count(Invalid) > 0 {
			return errRollback
		}
		res.Applied = true
		if res.Count(Create)+res.Count(Update) == 0 {
			return nil
		}
		return domain.Audit(tx, actor, "plan.import", "plan", &im.plan.ID, &im.plan.ID, nil, map[string]any{
			"sha256": res.SHA256, "file": o.FileName, "created": res.Count(Create), "updated": res.Count(Update),
			"unchanged": res.Count(Unchanged)}, "")
	})
	if errors.Is(err, errRollback) {
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importer applies the rows of a file inside one transaction.
type importer struct {
	ctx     context.Context
	tx      *gorm.DB
	actor   domain.Actor
	now     time.Time
	file    *Book
	current *Book
	rows    map[string][]*RowResult
	plan    *domain.Plan
	orgs    map[string]int64 // by lower-case acronym
}

func (im *importer) apply() error {
	steps := []func() error{im.applyPlan, im.applyOrgs, im.applyBreakdowns, im.loadOrgs,
		im.applyPillars, im.applyObjectives, im.applyActivities, im.applyIndicators, im.applyFunding, im.applyArchiving}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
		if im.plan == nil {
			return nil // the plan could not be created: its rows are in error
		}
	}
	return nil
}

// each calls fn for every row of a sheet that creates or updates.
func (im *importer) each(sheet string, fn func(t *Table, i int, r Row, res *RowResult) error) error {
	t := im.file.Tables[sheet]
	for i, r := range t.Rows {
		res := im.rows[sheet][i]
		if res.Status != Create && res.Status != Update {
			continue
		}
		if err := fn(t, i, r, res); err != nil {
			return err
		}
	}
	return nil
}

// fieldColumns maps the fields of the models' validation messages to
// columns where their names differ.
var fieldColumns = map[string]string{
	"supporters": "supporting", "disaggregation_set": "breakdown", "tier1_label": "tier1_label",
}

// check turns a validation error of the models into messages on the
// row's cells (a field with no column of its own on the key cell); other
// errors are returned.
func (t *Table) check(res *RowResult, i int, err error, fallback string) error {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	res.Status = Invalid
	fields := make([]string, 0, len(ve.Fields))
	for f := range ve.Fields {
		fields = append(fields, f)
	}
	sortStrings(fields)
	for _, f := range fields {
		col := f
		if c, ok := fieldColumns[f]; ok {
			col = c
		}
		if t.def.col(col) < 0 {
			col = fallback
		}
		msg, ok := ve.Keys[f]
		if !ok {
			msg = domain.Message{Key: "planxlsx.err.plain", Args: []any{ve.Fields[f]}}
		}
		res.Errors = append(res.Errors, CellError{Sheet: t.def.name, Cell: t.ref(i, col), Msg: msg})
	}
	return nil
}

func (im *importer) applyPlan() error {
	t := im.file.Tables[SheetPlan]
	r, res := t.Rows[0], im.rows[SheetPlan][0]
	in := planedit.PlanInput{Code: t.get(r, "code"), Title: t.get(r, "title"), Description: t.get(r, "description"),
		Country: t.get(r, "country"), StartYear: atoi(t.get(r, "start_year")), EndYear: atoi(t.get(r, "end_year")),
		Frequency: t.get(r, "frequency"), Tier1Label: t.get(r, "tier1_label"), Tier2Label: t.get(r, "tier2_label"),
		Tier3Label: t.get(r, "tier3_label"), GreenThreshold: num(t.get(r, "green_threshold")), RedThreshold: num(t.get(r, "red_threshold")),
		Language: t.get(r, "language"), Currency: t.get(r, "currency"), DueDays: planedit.DefaultDueDays, GraceDays: planedit.DefaultGraceDays}
	var err error
	switch res.Status {
	case Create:
		_, err = planedit.CreatePlan(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, in)
	case Update:
		var p *domain.Plan
		if p, err = planning.FindPlan(im.ctx, im.tx, in.Code); err == nil {
			in.Version = p.Version
			err = planedit.UpdatePlan(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, in.Code, in)
		}
	}
	if err := t.check(res, 0, err, "code"); err != nil {
		return err
	}
	if res.Status == Invalid {
		return nil
	}
	p, err := planning.FindPlan(im.ctx, im.tx, in.Code)
	if err != nil {
		return err
	}
	im.plan = p
	return nil
}

func (im *importer) applyOrgs() error {
	return im.each(SheetOrganisations, func(t *Table, i int, r Row, res *RowResult) error {
		in := planedit.OrgInput{Acronym: t.get(r, "acronym"), Name: t.get(r, "name"), Type: t.get(r, "type")}
		var err error
		if res.Status == Create {
			_, err = planedit.CreateOrganisation(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, in)
		} else {
			var o *domain.Organisation
			if o, err = planning.FindOrganisationByAcronym(im.ctx, im.tx, in.Acronym); err == nil {
				in.Version = o.Version
				err = planedit.UpdateOrganisation(im.ctx, im.tx, domain.Caller{Actor: im.actor, Now: im.now}, o.ID, in)
			}
		}
		return t.check(res, i, err, "acronym")
	})
}

// loadOrgs maps every organisation's acronym (any case) to its id, once
// the file's organisations are saved.
func (im *importer) loadOrgs() error {
	var orgs []domain.Organisation
	if err := im.tx.Find(&orgs).Error; err != nil {
		return err
	}
	im.orgs = map[string]int64{}
	for _, o := range orgs {
		im.orgs[strings.ToLower(o.Acronym)] = o.ID
	}
	return nil
}

// org is the id of the organisation named in a cell, or 0 with a message
// on the cell ("" is 0 without a message: the models say if it is needed).
func (im *importer) org(t *Table, res *RowResult, i int, column, acronym string) int64 {
	if acronym == "" {
		return 0
	}
	id, ok := im.orgs[strings.ToLower(acronym)]
	if !ok {
		t.fail(res, i, column, "planxlsx.err.unknown_org", acronym)
	}
	return id
}

func num(s string) float64 {
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

func optNum(s string) *float64 {
	if s == "" {
		return nil
	}
	x := num(s)
	return &x
}

func optYear(s string) *int {
	if s == "" {
		return nil
	}
	n := atoi(s)
	return &n
}
