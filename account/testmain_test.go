package account_test

import (
	"testing"

	"naptracker/app/apptest"
)

// TestMain removes the package's template databases when the tests are done
// (apptest.Main: the sign-in tests run the whole server).
func TestMain(m *testing.M) { apptest.Main(m) }
