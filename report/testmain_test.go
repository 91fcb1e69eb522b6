package report_test

import (
	"testing"

	"naptracker/models/modelstest"
)

// TestMain removes the package's template databases when the tests are done.
func TestMain(m *testing.M) { modelstest.Main(m) }
