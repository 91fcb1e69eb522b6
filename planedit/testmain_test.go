package planedit_test

import (
	"testing"

	"naptracker/store/storetest"
)

// TestMain removes the package's template databases when the tests are done.
func TestMain(m *testing.M) { storetest.Main(m) }
