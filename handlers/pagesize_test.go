package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"naptracker/domain"
	"naptracker/seed"
)

// TestPageWeights keeps the pages a focal point uses on a slow connection
// small: each, gzip-compressed as the server sends it, stays under 100 KB.
// The sizes are logged (go test -v -run PageWeights) for the record.
func TestPageWeights(t *testing.T) {
	t.Parallel()
	period := currentPeriod()
	checkPageWeights(t,
		"/plans/"+seed.DemoPlanCode+"/reporting",
		fmt.Sprintf("/plans/%s/indicators/2.1.1.a/values/%s", seed.DemoPlanCode, period),
		fmt.Sprintf("/plans/%s/activities/2.3.3/updates/%s", seed.DemoPlanCode, period),
		"/plans/"+seed.DemoPlanCode,
		fmt.Sprintf("/plans/%s/organisations/MOLSW/values/%s", seed.DemoPlanCode, period),
	)
}

// checkPageWeights gets each page as MOLSW's focal point, gzip-compressed
// as the server sends it, checks that it stays under 100 KB and logs its
// size.
func checkPageWeights(t *testing.T, paths ...string) {
	t.Helper()
	_, _, fp := newSignedIn(t, domain.RoleFocalPoint, "MOLSW")
	fp.Header.Set("Accept-Encoding", "gzip")
	for _, path := range paths {
		r := fp.Get(path)
		mustStatus(t, r, http.StatusOK)
		if r.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s is not compressed", path)
		}
		t.Logf("%-60s %6d bytes compressed", path, len(r.Body))
		if len(r.Body) > 100*1024 {
			t.Errorf("%s weighs %d KB compressed, over 100 KB", path, len(r.Body)/1024)
		}
	}
}
