package offline_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixture is the demo plan with a focal point of MOLSW and the open quarter.
type fixture struct {
	db     *gorm.DB
	keys   *account.Keyring
	l      *i18n.Localizer
	user   *domain.User
	scope  domain.Scope
	actor  domain.Actor
	org    string
	period string
}

var bundle = func() *i18n.Bundle {
	b, err := i18n.Load()
	if err != nil {
		panic(err)
	}
	return b
}()

func currentPeriod() string {
	now := time.Now().UTC()
	return domain.PeriodLabel(domain.Quarterly, domain.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1))
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	keys, err := account.ParseKeys(account.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: storetest.Demo(t, time.Now().UTC()), keys: keys, l: bundle.For("en"), org: "MOLSW", period: currentPeriod()}
	f.user = f.newUser(t, domain.RoleFocalPoint, f.org)
	f.scope = domain.ScopeOf(f.user)
	f.actor = domain.Actor{UserID: &f.user.ID, Name: f.user.Email}
	return f
}

func (f *fixture) newUser(t testing.TB, role, org string) *domain.User {
	t.Helper()
	ctx := context.Background()
	u := &domain.User{Email: role + "." + account.RandomPassword(6) + "@test.example", Name: "Test " + role, Role: role}
	if org != "" {
		o, err := planning.FindOrganisationByAcronym(ctx, f.db, org)
		if err != nil {
			t.Fatal(err)
		}
		u.OrganisationID = &o.ID
	}
	if err := storetest.CreateUser(ctx, f.db, domain.SystemActor, u, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) grid(t testing.TB) *reporting.ValueGrid {
	t.Helper()
	g, err := reporting.LoadValueGrid(context.Background(), f.db, f.scope, seed.DemoPlanCode, f.org, f.period, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (f *fixture) template(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := offline.WriteTemplate(&buf, f.grid(t), offline.TemplateOptions{L: f.l, Keys: f.keys, UserID: f.user.ID, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *fixture) preview(t *testing.T, data []byte) (*offline.Preview, error) {
	t.Helper()
	file, err := offline.Parse(data, f.keys, offline.Limits{})
	if err != nil {
		return nil, err
	}
	return offline.MakePreview(context.Background(), f.db, f.scope, file, time.Now().UTC())
}

func (f *fixture) apply(t *testing.T, data []byte, submit bool) (*offline.Outcome, error) {
	t.Helper()
	file, err := offline.Parse(data, f.keys, offline.Limits{})
	if err != nil {
		return nil, err
	}
	return offline.Apply(context.Background(), f.db, f.actor, f.scope, file, offline.ApplyOptions{Submit: submit, FileName: "t.xlsx"}, time.Now().UTC())
}

// stored is the value of an indicator as saved now.
func (f *fixture) stored(t *testing.T, code string) *domain.IndicatorValue {
	t.Helper()
	for _, r := range f.grid(t).Rows {
		if r.Indicator.Code == code {
			return r.Value
		}
	}
	t.Fatalf("no row %s", code)
	return nil
}

// editable picks editable number rows: without and with a breakdown.
func editable(t *testing.T, g *reporting.ValueGrid) (plain, split []reporting.GridRow) {
	t.Helper()
	for _, r := range g.Rows {
		if !r.Editable(g.Open()) || r.Indicator.UnitType != domain.UnitNumber {
			continue
		}
		if r.Set == nil {
			plain = append(plain, r)
		} else {
			split = append(split, r)
		}
	}
	if len(plain) < 2 || len(split) < 1 {
		t.Fatalf("the demo grid has %d plain and %d split editable rows", len(plain), len(split))
	}
	return plain, split
}

// python is Debian's python3 with openpyxl, or "" with the reason.
func python(t *testing.T) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("Debian's /usr/bin/python3 is not installed: the openpyxl round trip is not checked")
	}
	if out, err := exec.Command(py, "-c", "import openpyxl").CombinedOutput(); err != nil {
		t.Skipf("python3-openpyxl is not installed (%s): the openpyxl round trip is not checked", bytes.TrimSpace(out))
	}
	return py
}

// runPython runs a script with the given arguments.
func runPython(t *testing.T, py, script string, args ...string) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "script.py")
	if err := os.WriteFile(p, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, append([]string{p}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", py, err, out)
	}
}
