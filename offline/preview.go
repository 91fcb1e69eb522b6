package offline

import (
	"context"
	"errors"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/i18n"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// Row statuses of a preview.
const (
	// WillSave: the row was edited and passes every check of the grid.
	WillSave = "save"
	// Unchanged: the row holds what the file was made with, or what is
	// stored now (a file uploaded again).
	Unchanged = "unchanged"
	// Invalid: a cell cannot be read or the value does not pass a check.
	Invalid = "error"
	// Conflict: the value was changed on the server since the file was
	// made, and the file holds something else.
	Conflict = "conflict"
)

// FigureLine is a figure as its reader may see it ("<5", withheld, the
// number, or nothing), for previews.
func FigureLine(l *i18n.Localizer, f figures.Figure) string {
	switch {
	case f.Small:
		return "<5"
	case f.Withheld:
		return l.T("pages.withheld")
	case f.Value == nil:
		return ""
	}
	return l.Num(f.Value)
}

// Messages are a row's errors in the reader's language, each after its
// cell's address, for previews.
func Messages(l *i18n.Localizer, errs []CellError) []string {
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Cell+": "+e.Msg.Translate(l.T))
	}
	return msgs
}

// Preview is what an upload would do, row by row, before anything is written.
type Preview struct {
	File *File
	Plan domain.Plan
	Org  domain.Organisation
	// Period is the first period of the file (its only one, unless the
	// file is of a range: then Periods lists them all).
	Period  domain.ReportingPeriod
	Periods []domain.ReportingPeriod
	Rows    []Row
}

// Row is one indicator of the preview.
type Row struct {
	Code string
	// Period is the label of the row's period.
	Period string
	Name   string
	Status string
	Errors []CellError
	// Typed is the value in the file; Stored the value saved now, as the
	// user may see them (figures.Disclose).
	Typed, Stored figures.Figure
	// StoredVersion, ChangedBy and ChangedAt describe the saved value of a conflict.
	StoredVersion int
	ChangedBy     string
	ChangedAt     time.Time
	item          *Item
	grid          *reporting.GridRow
}

// Count returns how many rows have the status.
func (p *Preview) Count(status string) int {
	n := 0
	for _, r := range p.Rows {
		if r.Status == status {
			n++
		}
	}
	return n
}

// Codes lists the keys of the rows with the status: the indicator codes,
// or of a file of a range of periods CODE@PERIOD (as ApplyOptions.Expect).
func (p *Preview) Codes(status string) []string {
	var out []string
	for _, r := range p.Rows {
		if r.Status == status {
			out = append(out, p.key(&r))
		}
	}
	return out
}

// key names a row: its code, or in a file of a range code@period.
func (p *Preview) key(r *Row) string {
	if len(p.Periods) > 1 {
		return r.Code + "@" + r.Period
	}
	return r.Code
}

// MakePreview compares the file with what is stored now, for a user of
// scope. The file as a whole is refused (a *Refusal, nothing read further)
// when it is a template of an organisation the user does not report for,
// or of a period that no longer takes changes.
func MakePreview(ctx context.Context, db *gorm.DB, scope domain.Scope, f *File, now time.Time) (*Preview, error) {
	db = db.WithContext(ctx)
	org, err := reportingOrg(db, scope, f.OrgID, f.Org)
	if err != nil {
		return nil, err
	}
	from, to := splitRange(f.Period)
	grids, err := reporting.LoadValueGrids(ctx, db, scope, f.Plan, org.Acronym, from, to, now)
	if err != nil {
		return nil, gridRefusal(err, f.Org)
	}
	first, last := grids[0], grids[len(grids)-1]
	open := false
	for _, g := range grids {
		open = open || g.Open()
	}
	if !open {
		return nil, refuse(KindClosed, "offline.err.period_closed", nil, f.Period, domain.Enum{Prefix: "period.state.", Value: last.State})
	}
	p := &Preview{File: f, Plan: first.Plan, Org: first.Org, Period: first.Period}
	type rowKey struct {
		period    string
		indicator int64
	}
	byKey := map[rowKey]*reporting.GridRow{}
	gridOf := map[string]*reporting.ValueGrid{}
	for _, g := range grids {
		p.Periods = append(p.Periods, g.Period)
		gridOf[g.Period.Label] = g
		for i := range g.Rows {
			byKey[rowKey{g.Period.Label, g.Rows[i].Indicator.ID}] = &g.Rows[i]
		}
	}
	changers := map[int64]bool{}
	for i := range f.Items {
		it := &f.Items[i]
		r := Row{Code: it.Code, Period: it.Period, item: it, grid: byKey[rowKey{it.Period, it.IndicatorID}]}
		r.Typed, _ = figures.Disclose(false, figures.Internal, it.Input.Value, nil, true) // the user's own typing
		if r.grid == nil {
			r.Status = Invalid
			r.Errors = []CellError{{cellRef(colCode, it.Row), domain.Message{Key: "offline.err.not_owed", Args: []any{it.Code}}}}
			p.Rows = append(p.Rows, r)
			continue
		}
		judge(&r, r.grid, gridOf[it.Period].Open(), scope.AudienceFor(first.Org.ID))
		if r.Status == Conflict && r.grid.Value.UpdatedByID != nil {
			changers[*r.grid.Value.UpdatedByID] = true
		}
		p.Rows = append(p.Rows, r)
	}
	names, err := changerNames(db, changers)
	if err != nil {
		return nil, err
	}
	for i := range p.Rows {
		if r := &p.Rows[i]; r.Status == Conflict && r.grid.Value.UpdatedByID != nil {
			r.ChangedBy = names[*r.grid.Value.UpdatedByID]
		}
	}
	return p, nil
}

// reportingOrg is the organisation of a file, which the user of scope must
// report for (KindForbidden otherwise; KindTampered when it is gone).
func reportingOrg(db *gorm.DB, scope domain.Scope, orgID int64, acronym string) (*domain.Organisation, error) {
	if !scope.CanReport(orgID) {
		return nil, refuse(KindForbidden, "offline.err.other_org", nil, acronym)
	}
	var org domain.Organisation
	if err := db.Take(&org, orgID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, refuse(KindTampered, "offline.err.gone", err)
		}
		return nil, err
	}
	return &org, nil
}

// gridRefusal is the refusal of a file whose grid cannot be loaded: its
// plan or periods are gone, or the user does not report for its organisation.
func gridRefusal(err error, acronym string) error {
	var ve *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrNotFound) || errors.As(err, &ve):
		return refuse(KindTampered, "offline.err.gone", err)
	case errors.Is(err, domain.ErrForbidden):
		return refuse(KindForbidden, "offline.err.other_org", err, acronym)
	}
	return err
}

// changerNames names the users who changed the stored rows of conflicts
// ("Name <email>"), in one query.
func changerNames(db *gorm.DB, ids map[int64]bool) (map[int64]string, error) {
	names := map[int64]string{}
	if len(ids) == 0 {
		return names, nil
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	var users []domain.User
	if err := db.Select("id", "name", "email").Where("id IN ?", list).Find(&users).Error; err != nil {
		return nil, err
	}
	for _, u := range users {
		names[u.ID] = u.Name + " <" + u.Email + ">"
	}
	return names, nil
}

// judge sets a row's status, in the order of the grid's own checks; open
// says whether the row's period takes changes.
func judge(r *Row, gr *reporting.GridRow, open bool, aud figures.Audience) {
	it := r.item
	ind := gr.Indicator
	r.Name = ind.Name
	if gr.Value != nil {
		r.Stored, _ = figures.Disclose(ind.Sensitive, aud, gr.Value.Value, nil, gr.Value.Status != domain.StatusApproved)
		r.StoredVersion, r.ChangedAt = gr.Value.Version, gr.Value.UpdatedAt
	}
	switch {
	case len(it.Errors) > 0:
		r.Status, r.Errors = Invalid, it.Errors
	case contentHash(it.Input) == it.Original || gr.Unchanged(it.Input):
		r.Status = Unchanged
	case it.Version != gr.Version():
		r.Status = Conflict
	case !open:
		r.Status = Invalid
		r.Errors = []CellError{{cellRef(colStatus, it.Row), domain.Message{Key: "lock.period_closed", Args: []any{it.Period}}}}
	case !gr.Editable(true):
		r.Status = Invalid
		r.Errors = []CellError{{cellRef(colStatus, it.Row), domain.Message{Key: "lock.value_status", Args: []any{domain.Enum{Prefix: "status.", Value: gr.Value.Status}}}}}
	default:
		r.Errors = validate(gr, it)
		r.Status = WillSave
		if len(r.Errors) > 0 {
			r.Status = Invalid
		}
	}
}

// validate runs the grid's checks of an input (models.ValidateValueInput,
// and the reason a returned value needs), each message at its cell.
func validate(gr *reporting.GridRow, it *Item) []CellError {
	var out []CellError
	err := reporting.ValidateValueInput(gr.Indicator, gr.Set, it.Input)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for field := range ve.Fields {
			msg, ok := ve.Keys[field]
			if !ok {
				msg = domain.Message{Key: "offline.err.invalid"}
			}
			out = append(out, CellError{fieldCell(it, field), msg})
		}
	}
	if gr.Value != nil && gr.Value.Status == domain.StatusReturned && strings.TrimSpace(it.Input.Reason) == "" {
		out = append(out, CellError{cellRef(colReason, it.Row), domain.Message{Key: "err.correction_reason"}})
	}
	sortErrors(out)
	return out
}

// fieldCell is the cell of a model's field name.
func fieldCell(it *Item, field string) string {
	switch {
	case field == "text_value":
		return cellRef(colText, it.Row)
	case field == "narrative":
		return cellRef(colNarrative, it.Row)
	case field == "reason":
		return cellRef(colReason, it.Row)
	case strings.HasPrefix(field, "disaggregation."):
		if row, ok := it.CellRows[strings.TrimPrefix(field, "disaggregation.")]; ok {
			return cellRef(colValue, row)
		}
	}
	return cellRef(colValue, it.Row)
}

// sortErrors orders messages by row, then column.
func sortErrors(errs []CellError) {
	key := func(ref string) (int, string) {
		i := strings.IndexAny(ref, "0123456789")
		if i < 0 {
			return 0, ref
		}
		n := 0
		for _, c := range ref[i:] {
			n = n*10 + int(c-'0')
		}
		return n, ref[:i]
	}
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0; j-- {
			rj, cj := key(errs[j].Cell)
			ri, ci := key(errs[j-1].Cell)
			if rj > ri || (rj == ri && cj >= ci) {
				break
			}
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}
