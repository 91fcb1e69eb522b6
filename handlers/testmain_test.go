package handlers_test

import (
	"testing"

	"naptracker/app/apptest"
)

// TestMain removes the package's template databases (and stops the shared
// Chromium) when the tests are done.
func TestMain(m *testing.M) { apptest.Main(m) }
