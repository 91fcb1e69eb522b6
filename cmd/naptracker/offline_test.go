package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// molswFocalPoint creates a focal point of MOLSW.
func molswFocalPoint(t *testing.T, db *gorm.DB, email string) *domain.User {
	t.Helper()
	ctx := context.Background()
	org, err := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")
	if err != nil {
		t.Fatal(err)
	}
	u := &domain.User{Email: email, Name: "CLI focal point", Role: domain.RoleFocalPoint, OrganisationID: &org.ID}
	if err := storetest.CreateUser(ctx, db, domain.SystemActor, u, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	return u
}

// fillFile types values into a sheet of the workbook file, as its user
// would before importing it.
func fillFile(t *testing.T, file, sheet string, cells map[string]any) {
	t.Helper()
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for ref, v := range cells {
		if err := x.SetCellValue(sheet, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
}

// TestTemplateAndImportValuesCommands: a template written for a focal
// point, filled, previewed with --dry-run (nothing saved), imported (the
// value saved as that focal point), and imported again (nothing saved).
func TestTemplateAndImportValuesCommands(t *testing.T) {
	t.Parallel()
	env := demoEnv(t)
	db := storetest.Open(t, dsnOf(env))
	ctx := context.Background()
	u := molswFocalPoint(t, db, "fp.cli@test.example")
	now := time.Now().UTC()
	period := domain.PeriodLabel(domain.Quarterly, domain.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1))
	g, err := reporting.LoadValueGrid(ctx, db, domain.ScopeOf(u), seed.DemoPlanCode, "MOLSW", period, now)
	if err != nil {
		t.Fatal(err)
	}
	row, code := 3, ""
	for _, r := range g.Rows {
		if r.Editable(g.Open()) && r.Indicator.UnitType == domain.UnitNumber && r.Set == nil {
			code = r.Indicator.Code
			break
		}
		row++
		if r.Set != nil {
			row += len(r.Set.Cells())
		}
	}
	if code == "" {
		t.Fatal("no editable row")
	}
	file := filepath.Join(t.TempDir(), "template.xlsx")
	c, out, errOut := runCmd(t, env, "", "template", "values", "--org", "MOLSW", "--period", period, "--for", u.Email, "-o", file)
	if c != exitOK || !strings.Contains(out, "wrote") {
		t.Fatalf("template values = %d %q %q", c, out, errOut)
	}
	fillFile(t, file, "Values", map[string]any{"G" + strconv.Itoa(row): 8765})
	stored := func() *float64 {
		g, err := reporting.LoadValueGrid(ctx, db, domain.ScopeOf(u), seed.DemoPlanCode, "MOLSW", period, time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range g.Rows {
			if r.Indicator.Code == code && r.Value != nil {
				return r.Value.Value
			}
		}
		return nil
	}
	c, out, errOut = runCmd(t, env, "", "import", "values", "--dry-run", file)
	if c != exitOK || !strings.Contains(out, "Will save") || !strings.Contains(out, code) {
		t.Fatalf("import --dry-run = %d %q %q", c, out, errOut)
	}
	if v := stored(); v != nil && *v == 8765 {
		t.Fatal("--dry-run saved the value")
	}
	c, out, errOut = runCmd(t, env, "", "import", "values", file)
	if c != exitOK || !strings.Contains(out, "saved 1 value(s)") {
		t.Fatalf("import = %d %q %q", c, out, errOut)
	}
	if v := stored(); v == nil || *v != 8765 {
		t.Errorf("stored %v", v)
	}
	c, out, _ = runCmd(t, env, "", "import", "values", file)
	if c != exitOK || !strings.Contains(out, "saved 0 value(s)") {
		t.Errorf("import again = %d %q", c, out)
	}
	c, _, errOut = runCmd(t, env, "", "import", "values", filepath.Join(t.TempDir(), "missing.xlsx"))
	if c != exitError {
		t.Errorf("a missing file: exit %d %q", c, errOut)
	}
	os.WriteFile(file, []byte("not a workbook"), 0o600)
	c, _, errOut = runCmd(t, env, "", "import", "values", file)
	if c != exitError || !strings.Contains(errOut, "not an Excel workbook") {
		t.Errorf("not a workbook: exit %d %q", c, errOut)
	}
}

// TestTemplateAndImportUpdatesCommands: a template of activity updates for
// a range written for a focal point, filled, previewed with --dry-run
// (nothing saved), imported with --submit (saved and submitted as that
// focal point), and imported again (nothing saved).
func TestTemplateAndImportUpdatesCommands(t *testing.T) {
	t.Parallel()
	env := demoEnv(t)
	db := storetest.Open(t, dsnOf(env))
	ctx := context.Background()
	u := molswFocalPoint(t, db, "fp.updates@test.example")
	now := time.Now().UTC()
	start := domain.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1)
	from, to := domain.PeriodLabel(domain.Quarterly, start.AddDate(0, -3, 0)), domain.PeriodLabel(domain.Quarterly, start)
	g, err := reporting.LoadUpdateGrid(ctx, db, domain.ScopeOf(u), seed.DemoPlanCode, "MOLSW", from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	line := 0
	var target reporting.UpdateRow
	for i, r := range g.Rows {
		if r.Editable() {
			line, target = 3+i, r
			break
		}
	}
	if line == 0 {
		t.Fatal("no editable update")
	}
	file := filepath.Join(t.TempDir(), "updates.xlsx")
	c, out, errOut := runCmd(t, env, "", "template", "updates", "--org", "MOLSW", "--from", from, "--to", to, "--for", u.Email, "-o", file)
	if c != exitOK || !strings.Contains(out, fmt.Sprintf("%d activity updates", len(g.Rows))) {
		t.Fatalf("template updates = %d %q %q", c, out, errOut)
	}
	fillFile(t, file, "Updates", map[string]any{"E" + strconv.Itoa(line): "On track", "F" + strconv.Itoa(line): 45})
	stored := func() *domain.ActivityUpdate {
		var upd domain.ActivityUpdate
		if err := db.Where("activity_id = ? AND period_id = ?", target.Activity.ID, target.Period.ID).Take(&upd).Error; err != nil {
			return nil
		}
		return &upd
	}
	c, out, errOut = runCmd(t, env, "", "import", "updates", "--dry-run", file)
	if c != exitOK || !strings.Contains(out, "Will save") || !strings.Contains(out, target.Activity.Code) {
		t.Fatalf("import updates --dry-run = %d %q %q", c, out, errOut)
	}
	if upd := stored(); upd != nil && upd.PercentComplete == 45 {
		t.Fatal("--dry-run saved the update")
	}
	c, out, errOut = runCmd(t, env, "", "import", "updates", "--submit", file)
	if c != exitOK || !strings.Contains(out, "saved 1 update(s), submitted 1") {
		t.Fatalf("import updates = %d %q %q", c, out, errOut)
	}
	if upd := stored(); upd == nil || upd.PercentComplete != 45 || upd.Status != domain.StatusSubmitted || upd.UpdatedByID == nil || *upd.UpdatedByID != u.ID {
		t.Errorf("stored %+v", upd)
	}
	c, out, _ = runCmd(t, env, "", "import", "updates", file)
	if c != exitOK || !strings.Contains(out, "saved 0 update(s)") {
		t.Errorf("import again = %d %q", c, out)
	}
	c, _, errOut = runCmd(t, env, "", "import", "values", file)
	if c != exitError || !strings.Contains(errOut, "offline template of activity updates") {
		t.Errorf("an updates template as values: exit %d %q", c, errOut)
	}
}

// TestTemplateValuesOfARange: template values --to writes one row per
// indicator owed in each period of the range, each naming its period.
func TestTemplateValuesOfARange(t *testing.T) {
	t.Parallel()
	env := demoEnv(t)
	now := time.Now().UTC()
	start := domain.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1)
	from, to := domain.PeriodLabel(domain.Quarterly, start.AddDate(0, -3, 0)), domain.PeriodLabel(domain.Quarterly, start)
	file := filepath.Join(t.TempDir(), "range.xlsx")
	c, out, errOut := runCmd(t, env, "", "template", "values", "--org", "MOLSW", "--period", from, "--to", to, "-o", file)
	if c != exitOK || !strings.Contains(out, "for "+from+" to "+to) {
		t.Fatalf("template values --to = %d %q %q", c, out, errOut)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Values")
	seen := map[string]bool{}
	for _, r := range rows[2:] {
		if len(r) > 10 {
			seen[r[10]] = true
		}
	}
	if !seen[from] || !seen[to] || len(seen) != 2 {
		t.Errorf("periods named in the rows: %v", seen)
	}
	c, _, _ = runCmd(t, env, "", "template", "values", "--org", "MOLSW", "--period", to, "--to", from, "-o", file)
	if c != exitError {
		t.Errorf("a reversed range: exit %d", c)
	}
}
