package main

import (
	"os"
	"testing"

	"naptracker/store/storetest"
)

// runMainEnv makes the test binary run the program's main instead of the
// tests, so that tests can start the real server as a process (and kill it)
// without building a second binary.
const runMainEnv = "NAPTRACKER_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0) // main exits itself; this is for the linter
	}
	storetest.RaiseParallel()
	code := m.Run()
	storetest.CleanupTemplates()
	os.Exit(code)
}

// selfBinary is the test binary, which runs the program when runMainEnv=1
// is in its environment.
func selfBinary(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
