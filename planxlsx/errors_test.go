package planxlsx_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"
	"naptracker/planedit"
	"naptracker/planning"
	"naptracker/planxlsx"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// TestEditedCellIsAnUpdate: a changed title shows as an update with the
// old and new text in the dry run, and is saved by the import.
func TestEditedCellIsAnUpdate(t *testing.T) {
	t.Parallel()
	db := storetest.Demo(t, time.Now().UTC())
	data := export(t, db, seed.DemoPlanCode)
	_, row := find(t, data, planxlsx.SheetPillars, "1")
	title := column(t, data, planxlsx.SheetPillars, "title")
	old := cells(t, data)[planxlsx.SheetPillars][row-1][title-1]
	edited := edit(t, data, map[string]map[string]any{planxlsx.SheetPillars: {ref(title, row): "Policy, coordination and =SUM(A1)"}})
	res := importFile(t, db, edited, true)
	var got []planxlsx.RowResult
	for _, r := range res.Rows {
		if r.Status != planxlsx.Unchanged {
			got = append(got, r)
		}
	}
	want := planxlsx.Change{Column: "title", Old: old, New: "Policy, coordination and =SUM(A1)"}
	if len(got) != 1 || got[0].Status != planxlsx.Update || got[0].Sheet != planxlsx.SheetPillars || len(got[0].Changes) != 1 || got[0].Changes[0] != want {
		t.Fatalf("dry run: %+v", got)
	}
	p, _ := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if x, _ := planedit.FindCoded[domain.Pillar](ctx, db, p.ID, "1"); x.Title != old {
		t.Fatalf("the dry run wrote %q", x.Title)
	}
	res = importFile(t, db, edited, false)
	if !res.Applied || res.Count(planxlsx.Update) != 1 {
		t.Fatalf("import: applied %v, %d updates", res.Applied, res.Count(planxlsx.Update))
	}
	if x, _ := planedit.FindCoded[domain.Pillar](ctx, db, p.ID, "1"); x.Title != want.New || x.Version != 2 {
		t.Fatalf("saved %q version %d", x.Title, x.Version)
	}
	var e domain.AuditEntry
	db.Where("action = ?", "plan.import").Order("id DESC").Take(&e)
	if !strings.Contains(fmt.Sprint(e.NewValue), res.SHA256) {
		t.Errorf("the audit row does not name the file's SHA-256: %v", e.NewValue)
	}
}

// TestBadCellsAreErrorsAndNothingIsWritten: an unknown lead organisation,
// text in a number cell and a repeated code are each an error on their
// cell, and the rows that are fine are not written either.
func TestBadCellsAreErrorsAndNothingIsWritten(t *testing.T) {
	t.Parallel()
	db := storetest.Demo(t, time.Now().UTC())
	data := export(t, db, seed.DemoPlanCode)
	lead, budget, title := column(t, data, planxlsx.SheetActivities, "lead"), column(t, data, planxlsx.SheetActivities, "budget"), column(t, data, planxlsx.SheetActivities, "title")
	// A duplicate: the last pillar row's code repeated on a new row.
	pillars := cells(t, data)[planxlsx.SheetPillars]
	dupRow := len(pillars) + 1
	dup := map[string]any{}
	for c, v := range pillars[1] {
		dup[ref(c+1, dupRow)] = v
	}
	dup[ref(column(t, data, planxlsx.SheetPillars, "title"), dupRow)] = "Another pillar 1"
	bad := edit(t, data, map[string]map[string]any{
		planxlsx.SheetActivities: {ref(lead, 2): "NOSUCHORG", ref(budget, 3): "a lot", ref(title, 4): "A changed title that is fine"},
		planxlsx.SheetPillars:    dup,
	})
	before, auditBefore := export(t, db, seed.DemoPlanCode), auditCount(t, db)
	for _, dry := range []bool{true, false} {
		res := importFile(t, db, bad, dry)
		if res.Applied {
			t.Fatal("a file with errors was applied")
		}
		errs := map[string]string{}
		for _, r := range res.Rows {
			for _, e := range r.Errors {
				errs[e.Sheet+"!"+e.Cell] = e.Msg.Key
			}
		}
		want := map[string]string{
			planxlsx.SheetActivities + "!" + ref(lead, 2):   "planxlsx.err.unknown_org",
			planxlsx.SheetActivities + "!" + ref(budget, 3): "planxlsx.err.number",
			planxlsx.SheetPillars + "!" + ref(1, dupRow):    "planxlsx.err.duplicate",
		}
		for cell, key := range want {
			if errs[cell] != key {
				t.Errorf("dry %v: %s: got %q, want %q (all: %v)", dry, cell, errs[cell], key, errs)
			}
		}
		if len(errs) != len(want) {
			t.Errorf("dry %v: errors %v", dry, errs)
		}
		if res.Count(planxlsx.Update) != 1 {
			t.Errorf("dry %v: the fine change is not listed as an update", dry)
		}
	}
	if after := export(t, db, seed.DemoPlanCode); !equalCells(t, before, after) {
		t.Error("the plan changed")
	}
	if n := auditCount(t, db); n != auditBefore {
		t.Errorf("%d audit rows written", n-auditBefore)
	}
}

func equalCells(t *testing.T, a, b []byte) bool {
	return fmt.Sprint(cells(t, a)) == fmt.Sprint(cells(t, b))
}

// TestModelChecksAreCellErrors: what the plan-editing forms refuse (an
// end date before the start, a target outside the plan's years…) is
// refused by the import on the cell that holds it.
func TestModelChecksAreCellErrors(t *testing.T) {
	t.Parallel()
	db := storetest.Demo(t, time.Now().UTC())
	data := export(t, db, seed.DemoPlanCode)
	end := column(t, data, planxlsx.SheetActivities, "end_date")
	typ := column(t, data, planxlsx.SheetOrganisations, "type")
	bad := edit(t, data, map[string]map[string]any{
		planxlsx.SheetActivities:    {ref(end, 2): "1999-01-01"},
		planxlsx.SheetOrganisations: {ref(typ, 2): "club"},
	})
	res := importFile(t, db, bad, true)
	errs := map[string]string{}
	for _, r := range res.Rows {
		for _, e := range r.Errors {
			errs[e.Sheet+"!"+e.Cell] = e.Msg.Key
		}
	}
	if errs[planxlsx.SheetActivities+"!"+ref(end, 2)] != "err.date_in_plan" || errs[planxlsx.SheetOrganisations+"!"+ref(typ, 2)] != "err.org_type" || len(errs) != 2 {
		t.Errorf("errors: %v", errs)
	}
}

// TestHostileFilesAreRefused: the offline reader's limits hold for a plan
// workbook too; a file without a plan sheet is refused with its own message.
func TestHostileFilesAreRefused(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	for name, c := range map[string]struct {
		data []byte
		lim  offline.Limits
		key  string
	}{
		"not a workbook": {[]byte("hello"), offline.Limits{}, "offline.err.not_xlsx"},
		"truncated":      {[]byte("PK\x03\x04\x00\x00"), offline.Limits{}, "offline.err.damaged"},
		"too large":      {make([]byte, 2<<20), offline.Limits{MaxFileBytes: 1 << 20}, "offline.err.too_large"},
	} {
		_, err := planxlsx.Import(ctx, db, domain.SystemActor, c.data, planxlsx.Options{Limits: c.lim}, time.Now())
		r, ok := offline.AsRefusal(err)
		if !ok || r.Msg.Key != c.key {
			t.Errorf("%s: %v", name, err)
		}
	}
	demo := storetest.Demo(t, time.Now().UTC())
	data := export(t, demo, seed.DemoPlanCode)
	res, err := planxlsx.Import(ctx, db, domain.SystemActor, data, planxlsx.Options{Plan: "OTHER"}, time.Now())
	if r, ok := offline.AsRefusal(err); !ok || r.Msg.Key != "planxlsx.err.wrong_plan" || res != nil {
		t.Errorf("another plan's file: %v", err)
	}
}

// TestReservedPlanCodeIsRefused: a plan whose code is a word of the site's
// own addresses (/plans/import) is refused on its code cell, with a message
// in each language, and nothing is written.
func TestReservedPlanCodeIsRefused(t *testing.T) {
	t.Parallel()
	db := storetest.Demo(t, time.Now().UTC())
	data := export(t, db, seed.DemoPlanCode)
	code := column(t, data, planxlsx.SheetPlan, "code")
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"en": "“import” is a word of the site’s own addresses (/plans/import is another page)",
		"fr": "« import » est un mot des adresses du site (/plans/import est une autre page)",
		"lo": "“import” ເປັນຄຳທີ່ໃຊ້ໃນທີ່ຢູ່ຂອງລະບົບເອງ (/plans/import ແມ່ນໜ້າອື່ນ)"}
	for _, word := range []string{"Import", "new", "EXPORT"} {
		before := auditCount(t, db)
		res := importFile(t, db, edit(t, data, map[string]map[string]any{planxlsx.SheetPlan: {ref(code, 2): word}}), false)
		var msg *domain.Message
		for _, r := range res.Rows {
			for _, e := range r.Errors {
				if e.Sheet == planxlsx.SheetPlan && e.Cell == ref(code, 2) {
					msg = &e.Msg
				}
			}
		}
		if res.Applied || msg == nil || msg.Key != "err.plan_code_reserved" {
			t.Fatalf("%s: applied %v, message %+v", word, res.Applied, msg)
		}
		if word == "Import" {
			for lang, w := range want {
				if got := msg.Translate(bundle.For(lang).T); !strings.Contains(got, w) {
					t.Errorf("%s: %q, want %q", lang, got, w)
				}
			}
		}
		if _, err := planning.FindPlan(ctx, db, word); err == nil || auditCount(t, db) != before {
			t.Errorf("%s: a refused import wrote something", word)
		}
	}
}
