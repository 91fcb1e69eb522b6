package app_test

import (
	"testing"

	"naptracker/app/apptest"
)

// TestMain removes the package's template databases when the tests are done.
func TestMain(m *testing.M) { apptest.Main(m) }
