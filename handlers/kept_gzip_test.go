package handlers_test

import (
	"net/http"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// TestKeptPagesCompressedAreThePages reads the pages whose parts are kept
// compressed (the dashboard, the plan page, the indicator page) as readers
// whose parts are kept and as one whose indicator page is not, each first
// as it is and then gzip-compressed twice (the second time from the kept
// parts): the compressed pages must decode, checksum included, to the
// plain page, with Go's reader and with the system's gzip.
func TestKeptPagesCompressedAreThePages(t *testing.T) {
	env := apptest.New(t)
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	focal := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	plan := "/plans/" + seed.DemoPlanCode
	for _, tc := range []struct {
		who  string
		c    *apptest.Client
		path string
	}{
		{"donor", donor, plan + "/dashboard"},
		{"donor", donor, plan},
		{"donor", donor, plan + "/indicators/2.3.b"},
		{"focal point", focal, plan + "/dashboard"},
		{"focal point", focal, plan},
		{"focal point", focal, plan + "/indicators/2.3.b"},
	} {
		tc.c.Header.Set("Accept-Encoding", "identity")
		plain := tc.c.Get(tc.path)
		mustStatus(t, plain, http.StatusOK)
		if plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s %s: encoded %q without gzip asked for", tc.who, tc.path, plain.Header.Get("Content-Encoding"))
		}
		tc.c.Header.Set("Accept-Encoding", "gzip")
		for i := range 2 {
			r := tc.c.Get(tc.path)
			mustStatus(t, r, http.StatusOK)
			if r.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s %s: not compressed", tc.who, tc.path)
			}
			got := string(apptest.Gunzip(t, []byte(r.Body)))
			if got != plain.Body {
				t.Errorf("%s %s (read %d): the compressed page decodes to %d bytes, the page has %d", tc.who, tc.path, i+1, len(got), len(plain.Body))
			}
			if len(r.Body)*3 > len(plain.Body) {
				t.Errorf("%s %s: %d bytes compressed for %d", tc.who, tc.path, len(r.Body), len(plain.Body))
			}
		}
		tc.c.Header.Del("Accept-Encoding")
	}
}
